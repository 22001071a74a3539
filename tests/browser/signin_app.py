"""A tiny Streamlit app behind netcompare's sign-in gate, for the sign-in browser test.

Run by ``tests/browser/oidc.py``'s :func:`~tests.browser.oidc.serve_script` with ``[auth]`` in
the server's secrets. The access rules are the dict below (the real app looks them up in the
database); the page says who is signed in and which networks they see named.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from netcompare.access.signin import sign_in_gate
from netcompare.access.viewer import AccessRule, Viewer
from netcompare.text import strip_bidi

RULES: dict[str, tuple[AccessRule, ...]] = {
    "alice@example.org": (AccessRule("alice@example.org", "N1", "lead"),),
}


@dataclass(frozen=True)
class SignInOn:
    """The one setting the gate reads (netcompare.config.Settings.sign_in)."""

    sign_in: bool = True


def lookup(email: str, name: str | None) -> Viewer:
    return Viewer(email, name, RULES.get(email, ()))


st.set_page_config(page_title="netcompare sign-in test")
viewer = sign_in_gate(SignInOn(), lookup)  # type: ignore[arg-type]
st.title("Signed in")
st.text(strip_bidi(f"You are {viewer.name or viewer.email}"))
st.text(f"Networks named: {', '.join(sorted(viewer.networks)) or 'none'}")
