"""Who is looking at this session: set once per run by app.py from the sign-in, read by pages.

Without sign-in (a laptop, or a shared server opened to everyone) this is
:data:`netcompare.access.viewer.LOCAL`. With sign-in on, a session that has no viewer yet is
treated as nobody: every practice anonymised, nothing written — never as a laptop.
"""

from __future__ import annotations

import streamlit as st

from netcompare.access.redact import letter_key, redact_for
from netcompare.access.viewer import LOCAL, Viewer
from netcompare.config import ConfigError, settings
from netcompare.data.dataset import DataSet

_KEY = "_netcompare_viewer"
# Signed in with no rules, and not known: sees letters only and writes nothing.
NOBODY = Viewer(email="", name=None, rules=())


def set_viewer(viewer: Viewer) -> None:
    st.session_state[_KEY] = viewer


def current_viewer() -> Viewer:
    """This session's viewer (see the module's docstring)."""
    viewer = st.session_state.get(_KEY)
    if isinstance(viewer, Viewer):
        return viewer
    try:
        sign_in = settings().sign_in
    except ConfigError:
        sign_in = True  # a broken configuration trusts nobody
    return NOBODY if sign_in else LOCAL


@st.cache_resource(max_entries=16, show_spinner=False)
def _redacted(source: str, version: str, own: frozenset[str], _data: DataSet) -> DataSet:
    # Keyed by the data set's source and version and the viewer's networks; one copy is
    # shared by every session of viewers of the same networks (it is never changed).
    # The letters' key: Streamlit's server.cookieSecret, which a deployment sets to one
    # secret for every instance (a letter then means the same practice on each).
    return redact_for(_data, own, letter_key(str(st.config.get_option("server.cookieSecret"))))


def data_for_viewer(data: DataSet, viewer: Viewer) -> DataSet:
    """The data set as this viewer may see it: itself without sign-in, else a copy in which
    every practice hidden from the viewer has no code and no name (netcompare.access.redact)."""
    if not viewer.signed_in:
        return data
    return _redacted(data.source, data.version, viewer.networks, data)


def lookup_viewer(email: str, name: str | None) -> Viewer:
    """The signed-in identity with its access rules, read from the notes database on every
    run (a rule removed applies at the next click). If the database cannot be reached, the
    identity has no rules this run: everything anonymised, nothing written, and a warning."""
    from netcompare.access.rules import AccessRepository, viewer_for
    from netcompare.notes.errors import NotesUnavailable
    from netcompare.ui.notes import _open, notes_db_url, warn_notes_unavailable

    try:
        return viewer_for(email, name, AccessRepository(_open(notes_db_url())))
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return Viewer(email=email, name=name, rules=())
