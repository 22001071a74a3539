"""The sign-in gate (netcompare.ui.signin) in AppTest: what each visitor sees, and the
check of Streamlit's ``[auth]`` secrets. The browser test (tests/browser/test_signin_browser.py)
signs in for real against an OpenID Connect provider."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from netcompare.access.viewer import AccessRule
from netcompare.ui.signin import NO_EMAIL, NO_NETWORK, PURPOSE, describe_rules

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests",
    "client_id": "netcompare",
    "client_secret": "client-secret-for-tests",
    "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
}

# The gate in front of a page that says who is looking; the rules are a dict, as in the
# browser test's app (the real app looks them up in the database).
SCRIPT = """
from dataclasses import dataclass
import streamlit as st
from netcompare.ui.signin import navigation_position, sign_in_gate
from netcompare.access.viewer import AccessRule, Viewer

RULES = {
    "alice@example.org": (AccessRule("alice@example.org", "N1", "lead"),),
    "admin@example.org": (AccessRule("admin@example.org", None, "admin"),),
}

@dataclass(frozen=True)
class S:
    sign_in: bool

seen = []
def lookup(email, name):
    seen.append((email, name))
    return Viewer(email, name, RULES.get(email, ()))

settings = S(st.session_state.get("sign_in", True))
st.session_state["nav"] = navigation_position(settings)
viewer = sign_in_gate(settings, lookup)
st.session_state["viewer"] = viewer
st.session_state["looked_up"] = seen
st.text("PAGE")
"""


def gate(*, sign_in: bool = True, auth: dict | None = AUTH, user: dict | None = None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.session_state["sign_in"] = sign_in
    if auth is not None:
        at.secrets["auth"] = dict(auth)
    at.user = user if user is not None else {"is_logged_in": False}
    return at.run()


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def sidebar_texts(at: AppTest) -> list[str]:
    return [t.value for t in at.sidebar.text]


def test_sign_in_off_is_local_and_draws_nothing() -> None:
    at = gate(sign_in=False, auth=None, user={})
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert not viewer.signed_in and viewer.rules == ()
    assert texts(at) == ["PAGE"]
    assert len(at.sidebar.text) == 0 and len(at.button) == 0
    assert at.session_state["looked_up"] == []
    assert at.session_state["nav"] == "sidebar"


def test_not_signed_in_sees_only_the_sign_in_page() -> None:
    at = gate()
    assert not at.exception
    assert [t.value for t in at.title] == ["netcompare"]
    assert [m.value for m in at.markdown] == [PURPOSE]
    assert [b.label for b in at.button] == ["Sign in"]
    assert "PAGE" not in texts(at)  # the run stopped at the gate
    assert "viewer" not in at.session_state
    assert len(at.sidebar.text) == 0
    assert at.session_state["nav"] == "hidden"  # no menu of the pages on the sign-in page


def test_signed_in_gets_their_rules_and_the_sidebar_says_who() -> None:
    at = gate(user={"is_logged_in": True, "email": " Alice@Example.org ", "name": "Alice"})
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert viewer.email == "alice@example.org" and viewer.name == "Alice"
    assert viewer.networks == frozenset({"N1"})
    assert at.session_state["looked_up"] == [("alice@example.org", "Alice")]
    assert sidebar_texts(at) == ["Signed in as Alice", "alice@example.org", "Role: lead in N1"]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert "PAGE" in texts(at)
    assert at.session_state["nav"] == "sidebar"


def test_signed_in_with_no_rules_is_in_no_network() -> None:
    at = gate(user={"is_logged_in": True, "email": "bob@example.org"})
    viewer = at.session_state["viewer"]
    assert viewer.rules == () and viewer.anonymise_all
    # No name from the provider: the email stands for it.
    assert sidebar_texts(at) == ["Signed in as bob@example.org", NO_NETWORK]
    assert "PAGE" in texts(at)


def test_a_name_from_the_provider_is_text_without_bidi_controls() -> None:
    name = "**Eve** [x](http://evil.example) :material/home: \u202eevil"
    at = gate(user={"is_logged_in": True, "email": "eve@example.org", "name": name})
    assert sidebar_texts(at)[0] == "Signed in as " + name.replace("\u202e", "")
    assert len(at.sidebar.markdown) == 0  # never Markdown


def test_sign_out_returns_to_the_sign_in_page() -> None:
    at = gate(user={"is_logged_in": True, "email": "alice@example.org", "name": "Alice"})
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert "PAGE" not in texts(at)  # the run ends at the sign-out: nothing more drawn
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert "PAGE" not in texts(at) and len(at.sidebar.text) == 0


def test_an_identity_without_an_email_is_stopped() -> None:
    at = gate(user={"is_logged_in": True, "name": "No Email"})
    assert [w.value for w in at.warning] == [NO_EMAIL]
    assert [b.label for b in at.button] == ["Sign out"]
    assert "PAGE" not in texts(at) and "viewer" not in at.session_state


@pytest.mark.parametrize(
    ("auth", "words"),
    [
        (None, "an [auth] table"),
        ({k: v for k, v in AUTH.items() if k != "cookie_secret"}, "auth.cookie_secret"),
        (AUTH | {"client_id": " ", "server_metadata_url": ""}, "auth.client_id, auth.server"),
        (AUTH | {"redirect_uri": "http://127.0.0.1:8501/"}, "followed by /oauth2callback"),
    ],
)
def test_incomplete_auth_secrets_stop_with_a_message_naming_them(
    auth: dict | None, words: str
) -> None:
    at = gate(auth=auth, user={"is_logged_in": True, "email": "alice@example.org"})
    assert not at.exception
    [error] = at.error
    assert "not configured correctly" in error.value
    assert words in error.value.replace("\\", "")
    assert "PAGE" not in texts(at) and len(at.button) == 0
    # No value of the table is shown.
    assert AUTH["client_secret"] not in error.value and AUTH["cookie_secret"] not in error.value


def test_a_provider_table_in_auth_default_counts() -> None:
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]}
    at = gate(auth=auth | {"default": provider})
    assert not at.error and [b.label for b in at.button] == ["Sign in"]


def test_describe_rules() -> None:
    rules = (
        AccessRule("a@x.org", "N1", "lead"),
        AccessRule("a@x.org", "N2", "member"),
        AccessRule("a@x.org", None, "admin"),
        AccessRule("a@x.org", None, "viewer"),
    )
    assert describe_rules(rules) == "lead in N1; member in N2; admin of every network; viewer"
