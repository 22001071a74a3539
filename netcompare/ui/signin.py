"""Sign-in on a shared server: Streamlit's ``st.login`` (OpenID Connect) in front of the app.

:func:`sign_in_gate` runs at the top of every script run. With sign-in off it returns
:data:`~netcompare.access.viewer.LOCAL` and draws nothing. With sign-in on, a visitor who is
not signed in sees only a sign-in page (a title, one sentence, a "Sign in" button) and the run
stops there, so no page, sidebar or download is ever built for them; a signed-in visitor gets
their :class:`~netcompare.access.viewer.Viewer` (their access rules, looked up from the
identity provider's email) and the sidebar says who they are, with a "Sign out" button.

The identity provider is configured in Streamlit's own ``[auth]`` secrets table, as
Streamlit documents it (``st.login``): ``redirect_uri`` (the app's address followed by
``/oauth2callback``), ``cookie_secret`` (a long random string: it signs the identity cookie),
``client_id``, ``client_secret`` and ``server_metadata_url`` (the provider's
``/.well-known/openid-configuration``). netcompare never copies or prints that table; it only
checks that the keys are there (:func:`auth_problem`).

What the provider says about a person (their name, their email) is data typed by someone
else: it is shown with ``st.text`` (never Markdown) after :func:`~netcompare.text.strip_bidi`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import streamlit as st

from netcompare.access.viewer import LOCAL, AccessRule, Viewer, normalise_email
from netcompare.config import Settings
from netcompare.text import literal, strip_bidi

# What ``sign_in_gate`` is given to turn an identity into a Viewer: (email, name) -> Viewer.
# In the app: ``lambda email, name: viewer_for(email, name, AccessRepository(...))``.
ViewerLookup = Callable[[str, str | None], Viewer]

# The keys st.login() needs (streamlit/auth_util.py, validate_auth_credentials): two in the
# [auth] table itself, three for the provider (in [auth], or in [auth.default]).
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
CALLBACK_PATH = "/oauth2callback"

TITLE = "netcompare"
PURPOSE = (
    "netcompare compares the GP practices of a network with each other and with their peers; "
    "sign in with your organisation's account to see the practices your access allows."
)
NO_NETWORK = "No network: every practice is shown anonymised"
NO_EMAIL = (
    "Your identity provider did not say which email address you signed in with, so "
    "netcompare cannot tell what you may see. Sign out and sign in with another account, or "
    "ask the operator to include the email claim."
)


def _auth_table() -> Mapping[str, Any] | None:
    """Streamlit's ``[auth]`` secrets table, or None (no secrets file, or no table)."""
    if not st.secrets.load_if_toml_exists():
        return None
    table = st.secrets.get("auth")
    return table if isinstance(table, Mapping) else None


def auth_problem() -> str | None:
    """What is missing for ``st.login()`` to work, in words naming the secrets; None if
    nothing is. Never includes a value from the table."""
    try:
        table = _auth_table()
    except Exception as error:  # a secrets.toml that is not TOML: say which kind of error
        return f"the secrets file could not be read ({type(error).__name__})"
    if table is None:
        return "sign-in needs an [auth] table in .streamlit/secrets.toml (see st.login)"
    provider = table.get("default")
    provider = provider if isinstance(provider, Mapping) else table
    missing = [f"auth.{k}" for k in AUTH_KEYS if not str(table.get(k, "") or "").strip()]
    missing += [f"auth.{k}" for k in PROVIDER_KEYS if not str(provider.get(k, "") or "").strip()]
    if missing:
        return "sign-in needs these secrets, which are missing or empty: " + ", ".join(missing)
    if not str(table["redirect_uri"]).rstrip().endswith(CALLBACK_PATH):
        return f"the secret auth.redirect_uri must be the app's address followed by {CALLBACK_PATH}"
    return None


def auth_configured() -> bool:
    """True if Streamlit's ``[auth]`` secrets table has every key ``st.login()`` needs."""
    return auth_problem() is None


def show_text(text: object, *, where: Any = st) -> None:
    """Show ``text`` as plain text (``st.text``: no Markdown, no HTML), without bidirectional
    controls: for anything an identity provider or a user typed."""
    where.text(strip_bidi(str(text)))


def describe_rules(rules: tuple[AccessRule, ...]) -> str:
    """The rules in a line for the sidebar: ``lead in N1; member in N2``."""
    parts = [
        f"{r.role} in {r.network_id}"
        if r.network_id is not None
        else ("admin of every network" if r.role == "admin" else r.role)
        for r in rules
    ]
    return "; ".join(parts)


def _sign_in_page() -> None:
    st.title(TITLE)
    st.markdown(PURPOSE)  # a fixed sentence of ours, no user text
    if st.button("Sign in", type="primary", key="netcompare_sign_in"):
        st.login()


def _sign_out_button() -> None:
    """ "Sign out": Streamlit clears the identity and sends the browser to the provider's
    end-session page; nothing more of this run is drawn for the identity just ended."""
    if st.button("Sign out", key="netcompare_sign_out"):
        st.logout()
        st.stop()


def _sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        show_text(f"Signed in as {viewer.name or viewer.email}")
        if viewer.name and viewer.email:
            show_text(viewer.email)
        if viewer.rules:
            show_text(f"Role: {describe_rules(viewer.rules)}")
        if viewer.anonymise_all:
            show_text(NO_NETWORK)
        _sign_out_button()


def _claim(name: str) -> str | None:
    value = st.user.get(name)
    text = str(value).strip() if value is not None else ""
    return text or None


def navigation_position(settings: Settings) -> Literal["sidebar", "hidden"]:
    """Where ``st.navigation`` puts its menu: hidden on the sign-in page, the sidebar once
    signed in (or with sign-in off).

    Call ``st.navigation`` on every run *before* :func:`sign_in_gate`, and keep the page
    scripts out of a folder named ``pages/`` next to the main script: until ``st.navigation``
    has run once in a server process, Streamlit treats such a folder as a version-1
    multipage app and runs ``pages/<name>.py`` alone for ``/<name>``, without the main script
    and so without the gate (streamlit/runtime/scriptrunner/script_runner.py, ``_mpa_v1``;
    only ``st.navigation`` clears that flag). A gate placed before ``st.navigation`` would
    keep the flag set for as long as nobody signs in; a ``pages/`` folder leaves the first
    request of every freshly started server open.
    """
    if settings.sign_in and not st.user.is_logged_in:
        return "hidden"
    return "sidebar"


def sign_in_gate(settings: Settings, lookup: ViewerLookup) -> Viewer:
    """Who is looking, for this script run.

    Sign-in off (``settings.sign_in`` false): :data:`LOCAL`, nothing drawn. Sign-in on: a
    visitor not signed in gets the sign-in page and the run stops (``st.stop``); so does a
    server whose ``[auth]`` secrets are incomplete (an error naming the missing secrets) and
    an identity without an email. A signed-in visitor: ``lookup(email, name)`` (email
    normalised), and the sidebar shows who they are, their role and a "Sign out" button.
    The rules are looked up on every run, so a rule removed takes effect on the next click.
    """
    if not settings.sign_in:
        return LOCAL
    problem = auth_problem()
    if problem is not None:
        st.error(literal(f"netcompare is not configured correctly: {problem}. See the README."))
        st.stop()
    if not st.user.is_logged_in:
        _sign_in_page()
        st.stop()
    email = _claim("email")
    if email is None:
        st.title(TITLE)
        st.warning(NO_EMAIL)
        _sign_out_button()
        st.stop()
    viewer = lookup(normalise_email(email), _claim("name"))
    _sidebar(viewer)
    return viewer
