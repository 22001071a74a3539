"""Sign-in in a real browser against a real OpenID Connect provider (issue 16, point 1).

The provider (oidc-provider-mock, :mod:`tests.browser.oidc`) runs on a free port; a Streamlit
server runs ``tests/browser/signin_app.py`` (netcompare's sign-in gate in front of a page that
says who is signed in) with an ``[auth]`` table for that provider. In Chromium: the sign-in
page, "Sign in", the provider's form, back in the app with the name shown, "Sign out", the
provider's end-session page, back in the app signed out, and still signed out after a reload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from netcompare.ui.signin import NO_NETWORK, PURPOSE
from tests.browser.conftest import check_accessibility, wait_for_app
from tests.browser.oidc import (
    OidcProvider,
    auth_secrets,
    free_port,
    oidc_provider,
    serve_script,
)
from tests.browser.test_app_browser import assert_no_error

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parent / "signin_app.py"
ALICE = "alice@example.org"  # lead in N1 (signin_app.RULES)
BOB = "bob@example.org"  # no rules
# A name as a provider might send it: Markdown, HTML and a right-to-left override.
BOB_NAME = "Bob **Bold** <b>Brown</b> \u202eevil"
BOB_SHOWN = "Bob **Bold** <b>Brown</b> evil"


@dataclass(frozen=True)
class SignInServer:
    url: str
    provider: OidcProvider
    secrets_toml: str


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInServer]:
    """The provider, with Alice and Bob, and the test app signing in with it."""
    root = tmp_path_factory.mktemp("signin")
    with oidc_provider() as provider:
        provider.set_user(ALICE, email=ALICE, name="Alice Example")
        provider.set_user(BOB, email=BOB, name=BOB_NAME)
        port = free_port()
        secrets = auth_secrets(provider, port)
        with serve_script(SCRIPT, secrets, root / "cwd", root / "streamlit.log", port=port) as url:
            yield SignInServer(url, provider, secrets)


def only_own_hosts(page: Page, server: SignInServer) -> None:
    """Let the browser reach the app and the provider only (the provider's pages link a
    stylesheet on a CDN: refused, as any other outside request would be)."""
    allowed = (server.url, server.provider.url)
    page.context.route(
        re.compile(r".*"),
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )


def expect_sign_in_page(page: Page) -> None:
    wait_for_app(page)
    assert_no_error(page)
    expect(page.get_by_role("heading", name="netcompare")).to_be_visible()
    expect(page.get_by_text(PURPOSE)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You are")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no menu of the pages
    expect(page.get_by_text("SECOND PAGE", exact=True)).to_have_count(0)


def sign_in(
    page: Page, server: SignInServer, sub: str, shoot: Callable[[], object] | None = None
) -> None:
    """From the sign-in page: "Sign in", the provider's form for ``sub`` (``shoot()`` when
    it is filled in), back in the app."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.provider.url}/oauth2/authorize?**")
    # The provider sends the redirect URI registered for this client, and no other.
    expect(
        page.get_by_text(f"You will be redirected to {server.url}/oauth2callback")
    ).to_be_visible()
    page.locator('input[name="sub"]').fill(sub)
    if shoot is not None:
        shoot()
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server.url}/")
    wait_for_app(page)
    assert_no_error(page)


def sign_out(page: Page, server: SignInServer) -> None:
    """ "Sign out": the provider's end-session page, "End session", back in the app."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server.provider.url}/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{server.url}/")


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def test_sign_in_see_the_name_sign_out_stay_signed_out(
    signin_server: SignInServer,
    page: Page,
    screenshot: Callable[[Page, str], Path],
) -> None:
    server = signin_server
    only_own_hosts(page, server)
    page.goto(server.url)
    expect_sign_in_page(page)
    check_accessibility(page, "the sign-in page")
    screenshot(page, "signin-1-sign-in-page")

    sign_in(page, server, ALICE, lambda: screenshot(page, "signin-1b-provider-form"))
    expect(page.get_by_text("You are Alice Example")).to_be_visible()
    expect(page.get_by_text("Networks named: N1")).to_be_visible()
    expect(sidebar(page).get_by_text("Signed in as Alice Example")).to_be_visible()
    expect(sidebar(page).get_by_text(ALICE, exact=True)).to_be_visible()
    expect(sidebar(page).get_by_text("Role: lead in N1")).to_be_visible()
    expect(sidebar(page).get_by_text(NO_NETWORK)).to_have_count(0)
    cookies = {c["name"] for c in page.context.cookies(server.url)}
    assert "_streamlit_user" in cookies
    # Neither the client secret nor the cookie secret reaches the browser.
    html = page.content()
    for line in server.secrets_toml.splitlines():
        if line.startswith(("client_secret", "cookie_secret")):
            assert line.split('"')[1] not in html
    check_accessibility(page, "the app, signed in")
    screenshot(page, "signin-2-signed-in")

    # A reload keeps the identity (the signed cookie), and a new run looks the rules up again.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("You are Alice Example")).to_be_visible()

    sign_out(page, server)
    expect_sign_in_page(page)
    assert "_streamlit_user" not in {c["name"] for c in page.context.cookies(server.url)}
    screenshot(page, "signin-3-signed-out")
    page.reload()
    expect_sign_in_page(page)
    check_accessibility(page, "the sign-in page after signing out")


def test_a_user_with_no_rules_sees_no_network_and_their_name_as_text(
    signin_server: SignInServer,
    page: Page,
    screenshot: Callable[[Page, str], Path],
) -> None:
    server = signin_server
    only_own_hosts(page, server)
    page.goto(server.url)
    expect_sign_in_page(page)
    sign_in(page, server, BOB)
    expect(page.get_by_text(f"You are {BOB_SHOWN}", exact=True)).to_be_visible()
    expect(page.get_by_text("Networks named: none")).to_be_visible()
    bar = sidebar(page)
    expect(bar.get_by_text(f"Signed in as {BOB_SHOWN}", exact=True)).to_be_visible()
    expect(bar.get_by_text(NO_NETWORK)).to_be_visible()
    # The name is text: no bold, no HTML element made of it.
    expect(bar.locator("strong, b")).to_have_count(0)
    check_accessibility(page, "the app, signed in with no network")
    screenshot(page, "signin-4-no-network")
    sign_out(page, server)
    expect_sign_in_page(page)


def test_the_first_request_of_a_fresh_server_to_a_page_is_gated(tmp_path: Path, page: Page) -> None:
    """A page's own URL, as the very first request a new server process answers, gets the
    sign-in page (Streamlit's version-1 multipage mode would run a ``pages/`` script alone);
    once signed in, the same URL shows the page."""
    with oidc_provider() as provider:
        provider.set_user(ALICE, email=ALICE, name="Alice Example")
        port = free_port()
        secrets = auth_secrets(provider, port)
        with serve_script(SCRIPT, secrets, tmp_path / "cwd", tmp_path / "log", port=port) as url:
            server = SignInServer(url, provider, secrets)
            only_own_hosts(page, server)
            page.goto(f"{url}/second")
            expect_sign_in_page(page)
            sign_in(page, server, ALICE)
            expect(page.get_by_text("You are Alice Example")).to_be_visible()
            expect(sidebar(page).get_by_test_id("stSidebarNav")).to_be_visible()
            page.goto(f"{url}/second")
            wait_for_app(page)
            expect(page.get_by_text("SECOND PAGE", exact=True)).to_be_visible()
