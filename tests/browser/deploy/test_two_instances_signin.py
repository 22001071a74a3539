"""The deployment of docs/deployment.md with sign-in: two instances behind nginx on one
PostgreSQL, every visitor signed in through a real OpenID Connect provider (issue 16).

nginx's port is chosen first (the provider is told the redirect URI, nginx's address followed
by /oauth2callback); the access rules are added with ``python -m netcompare users add`` into
the deployment's PostgreSQL database. Each person's browser is sent to one instance by its
route cookie, signs in there (the callback comes back to the same instance), and sees what
the rules allow: the lead of N7 its opted-out practice by name, a member of N1 only a letter.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import VIEWPORT, check_accessibility, wait_for_app
from tests.browser.deploy.stack import DATASET_KEY, Stack, deployed, free_port
from tests.browser.oidc import auth_secrets, oidc_provider
from tests.browser.test_signin_app_browser import league_csv, letter_of, users
from tests.browser.test_signin_browser import (
    SignInServer,
    expect_sign_in_page,
    only_own_hosts,
    sign_in,
    sign_out,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

LEAD_N7 = "lead7@example.nhs.uk"
MEMBER_N1 = "member1@example.nhs.uk"
OPTED_OUT = "Pepper Street Surgery"  # P029, network N7, does not share its name


@pytest.fixture(scope="module")
def signed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, SignInServer]]:
    root = tmp_path_factory.mktemp("deploy-signin")
    with oidc_provider() as provider:
        provider.set_user(LEAD_N7, email=LEAD_N7, name="Lee Seven")
        provider.set_user(MEMBER_N1, email=MEMBER_N1, name="Mel One")
        proxy_port = free_port()
        secrets = root / "secrets.toml"
        secrets.write_text(auth_secrets(provider, proxy_port), encoding="utf-8")
        secrets.chmod(0o600)
        with deployed(
            root / "run",
            extra_env={"NETCOMPARE_ACCESS": "sign-in"},
            secrets_file=secrets,
            proxy_port=proxy_port,
        ) as stack:
            users(stack.db_url, "add", LEAD_N7, "--network", "N7", "--role", "lead")
            users(stack.db_url, "add", MEMBER_N1, "--network", "N1", "--role", "member")
            yield stack, SignInServer(stack.url, provider, secrets.read_text())


def _signed_in_on(browser: Browser, stack: Stack, server: SignInServer, number: int, email: str):
    route = stack.route_to(number)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_cookies([stack.route_cookie(route)])  # type: ignore[list-item]
    page = context.new_page()
    only_own_hosts(page, server)
    page.goto(f"{stack.url}/league?data={DATASET_KEY}&network=N7")
    expect_sign_in_page(page)
    sign_in(page, server, email)
    page.goto(f"{stack.url}/league?data={DATASET_KEY}&network=N7")
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    return page, route


def test_two_instances_behind_nginx_sign_in_and_apply_the_rules(
    signed_stack: tuple[Stack, SignInServer], browser: Browser, screenshot
) -> None:
    stack, server = signed_stack
    lead, lead_route = _signed_in_on(browser, stack, server, 1, LEAD_N7)
    member, member_route = _signed_in_on(browser, stack, server, 2, MEMBER_N1)
    try:
        instance = {n: f"127.0.0.1:{stack.deployment.instances[n - 1].port}" for n in (1, 2)}
        # Every request of each browser, the OAuth callback included, went to one instance.
        assert stack.served_by(lead_route) == {instance[1]}
        assert stack.served_by(member_route) == {instance[2]}

        bar = lead.get_by_test_id("stSidebar")
        expect(bar.get_by_text("Signed in as Lee Seven")).to_be_visible()
        assert OPTED_OUT in league_csv(lead)
        check_accessibility(lead, "the league table through nginx, signed in")
        screenshot(lead, "deploy-signin-lead-n7-instance-1")

        expect(
            member.get_by_test_id("stSidebar").get_by_text("Signed in as Mel One")
        ).to_be_visible()
        table = league_csv(member)
        secret = (stack.deployment.run_dir / "cookie-secret").read_text().strip()
        assert f"{letter_of('P029', secret)}," in table  # the same letter on every instance
        for shown in (table, member.content()):
            assert OPTED_OUT not in shown and "P029" not in shown
        screenshot(member, "deploy-signin-member-n1-instance-2")

        sign_out(member, server)
        expect_sign_in_page(member)
    finally:
        lead.context.close()
        member.context.close()
