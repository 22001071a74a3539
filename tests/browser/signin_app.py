"""A tiny Streamlit app behind netcompare's sign-in gate, for the sign-in browser test.

Run by ``tests/browser/oidc.py``'s :func:`~tests.browser.oidc.serve_script` with ``[auth]`` in
the server's secrets. The access rules are the dict below (the real app looks them up in the
database); the pages say who is signed in and which networks they see named.

Wired as app.py should be: ``st.navigation`` first (its menu hidden while signed out), then
the gate, then the page; and no ``pages/`` folder next to the main script (its pages are
functions): see :func:`netcompare.ui.signin.navigation_position` for why.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from netcompare.access.viewer import AccessRule, Viewer
from netcompare.text import strip_bidi
from netcompare.ui.signin import navigation_position, sign_in_gate

RULES: dict[str, tuple[AccessRule, ...]] = {
    "alice@example.org": (AccessRule("alice@example.org", "N1", "lead"),),
}


@dataclass(frozen=True)
class SignInOn:
    """The one setting the gate reads (netcompare.config.Settings.sign_in)."""

    sign_in: bool = True


def lookup(email: str, name: str | None) -> Viewer:
    return Viewer(email, name, RULES.get(email, ()))


def home() -> None:
    viewer: Viewer = st.session_state["viewer"]
    st.title("Signed in")
    st.text(strip_bidi(f"You are {viewer.name or viewer.email}"))
    st.text(f"Networks named: {', '.join(sorted(viewer.networks)) or 'none'}")


def second() -> None:
    st.title("Second page")
    st.text("SECOND PAGE")


st.set_page_config(page_title="netcompare sign-in test")
SETTINGS = SignInOn()
page = st.navigation(
    [st.Page(home, title="Home", default=True), st.Page(second, title="Second", url_path="second")],
    position=navigation_position(SETTINGS),  # type: ignore[arg-type]
)
st.session_state["viewer"] = sign_in_gate(SETTINGS, lookup)  # type: ignore[arg-type]
page.run()
