"""The real app on a shared server with sign-in, in Chromium, as each role (issue 16).

The server runs app.py in shared mode (sign-in is its default) against a real OpenID Connect
provider (:mod:`tests.browser.oidc`); the access rules are added with the operator's command,
``python -m netcompare users add``, into the server's notes database. A fresh server's first
request is a page's own URL; each person signs in in their own browser context. The sample's
P029 "Pepper Street Surgery" (network N7, Victoria Green) does not share its name.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from netcompare.access.redact import keyed_letters, letter_key
from tests.browser.conftest import ROOT, check_accessibility, no_rerun, wait_for_app
from tests.browser.oidc import auth_secrets, free_port, oidc_provider, serve_script
from tests.browser.test_signin_browser import (
    SignInServer,
    expect_sign_in_page,
    only_own_hosts,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

LEAD_N7 = "lead7@example.nhs.uk"
MEMBER_N1 = "member1@example.nhs.uk"
NOBODY = "viewer@example.org"  # a viewer in no network
OPTED_OUT = "Pepper Street Surgery"
PRACTICES = pl.read_csv(ROOT / "sample_data" / "practices.csv")
COOKIE_SECRET = "the-shared-servers-cookie-secret"


def letter_of(code: str, cookie_secret: str) -> str:
    """The letter a server with this cookie secret gives a sample practice when it is hidden
    (keyed by the secret: not the code-order letter a laptop's anonymise switch gives)."""
    return keyed_letters(PRACTICES["practice_id"].to_list(), letter_key(cookie_secret))[code]


def users(db_url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "netcompare", "users", *args, "--db-url", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInServer]:
    root = tmp_path_factory.mktemp("shared-signin")
    db_url = f"sqlite:///{root / 'notes.db'}"
    users(db_url, "add", LEAD_N7, "--network", "N7", "--role", "lead")
    users(db_url, "add", MEMBER_N1, "--network", "N1", "--role", "member")
    users(db_url, "add", NOBODY, "--role", "viewer")
    with oidc_provider() as provider:
        for email, name in ((LEAD_N7, "Lee Seven"), (MEMBER_N1, "Mel One"), (NOBODY, "Vic")):
            provider.set_user(email, email=email, name=name)
        port = free_port()
        secrets = auth_secrets(provider, port)
        env = {
            "NETCOMPARE_MODE": "shared",
            "NETCOMPARE_DB_URL": db_url,
            "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
        }
        with serve_script(
            ROOT / "app.py", secrets, root / "cwd", root / "streamlit.log", port=port, env=env
        ) as url:
            yield SignInServer(url, provider, secrets)


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def league_csv(page: Page) -> str:
    """The league table as the page hands it over (the grid itself is drawn on a canvas)."""
    with no_rerun(page), page.expect_download() as download:
        page.get_by_role("button", name="Download this table (CSV)").click()
    return download.value.path().read_text(encoding="utf-8")


def league_heading(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1, name="League table", exact=False)


def open_as(new_page: Callable[[], Page], server: SignInServer, email: str, path: str) -> Page:
    """A fresh browser: the page's URL, the sign-in page, sign in, back on that page."""
    page = new_page()
    only_own_hosts(page, server)
    page.goto(f"{server.url}{path}")
    expect_sign_in_page(page)
    sign_in(page, server, email)
    page.goto(f"{server.url}{path}")
    wait_for_app(page)
    return page


def test_each_role_sees_what_the_rules_allow(
    shared_server: SignInServer,
    new_page: Callable[[], Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    server = shared_server
    # The first request of the fresh server is a page's own URL: the sign-in page, no league.
    first = new_page()
    only_own_hosts(first, server)
    first.goto(f"{server.url}/league?network=N7")
    expect_sign_in_page(first)
    expect(first.get_by_text("League table")).to_have_count(0)
    assert OPTED_OUT not in body_text(first)
    check_accessibility(first, "the app's sign-in page")
    screenshot(first, "signin-app-1-sign-in")

    # The lead of N7 sees its opted-out practice by name.
    lead = open_as(new_page, server, LEAD_N7, "/league?network=N7")
    expect(league_heading(lead)).to_be_visible()
    expect(lead.get_by_test_id("stSidebar").get_by_text("Signed in as Lee Seven")).to_be_visible()
    assert OPTED_OUT in league_csv(lead)
    check_accessibility(lead, "the league table, signed in as a lead")
    screenshot(lead, "signin-app-2-lead-n7")

    # A member of N1, even with the link asking for N7 named: a letter, never the name.
    member = open_as(new_page, server, MEMBER_N1, "/league?network=N7&anonymise=false")
    expect(league_heading(member)).to_be_visible()
    table = league_csv(member)
    hidden_as = letter_of("P029", COOKIE_SECRET)
    assert hidden_as != "Practice AC"  # not its place in code order (29th)
    assert f"{hidden_as}," in table  # P029, as its letter
    for shown in (body_text(member), member.content(), table):
        assert OPTED_OUT not in shown and "P029" not in shown
    screenshot(member, "signin-app-3-member-n1-looking-at-n7")
    # The same in the room: presentation mode on a 1366x768 projector, the funnel plot.
    member.set_viewport_size({"width": 1366, "height": 768})
    member.goto(f"{server.url}/funnel?network=N7&present=true")
    wait_for_app(member)
    expect(member.get_by_role("heading", level=1)).to_contain_text("Funnel plot")
    for shown in (body_text(member), member.content()):
        assert OPTED_OUT not in shown and "P029" not in shown
    check_accessibility(member, "the funnel plot in presentation mode, signed in")
    screenshot(member, "signin-app-3b-member-presentation-1366")

    # A viewer in no network: no practice named; the anonymise switch on and locked.
    nobody = open_as(new_page, server, NOBODY, "/league?network=N1&anonymise=false")
    expect(league_heading(nobody)).to_be_visible()
    text = body_text(nobody) + nobody.content() + league_csv(nobody)
    assert not [n for n in PRACTICES["practice_name"] if n in text]
    assert not [c for c in PRACTICES["practice_id"] if c in text]
    expect(
        nobody.get_by_test_id("stSidebar").get_by_text("No network", exact=False)
    ).to_be_visible()
    check_accessibility(nobody, "the league table, signed in with no network")
    screenshot(nobody, "signin-app-4-no-network")

    sign_out(nobody, server)
    expect_sign_in_page(nobody)
