"""What app.py hands to every page: the loaded data set and the shared filters."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.ui.filters import Filters

_KEY = "_netcompare_view"


@dataclass(frozen=True)
class View:
    data: DataSet
    filters: Filters


def set_view(data: DataSet, filters: Filters) -> None:
    st.session_state[_KEY] = View(data, filters)


def clear_view() -> None:
    st.session_state.pop(_KEY, None)


def _started_without_frame() -> bool:
    """True when Streamlit ran a page file directly, without app.py around it.

    Before app.py has called ``st.navigation`` once in this server process, Streamlit treats
    the ``pages/`` folder as an old-style multipage app and runs a deep link (``/funnel?…``)
    as that page alone. Switching that mode off and rerunning runs app.py, which routes the
    same link to the same page with the sidebar and filters around it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


def view_if_any() -> View | None:
    """The data and filters of this run, or None (for callbacks, which must not stop)."""
    return st.session_state.get(_KEY)


def current_view() -> View:
    """The data and filters of this run; stops the page with a message if nothing is loaded."""
    view = st.session_state.get(_KEY)
    if view is None and _started_without_frame():
        st.rerun()
    if view is None:
        st.info("No data set is loaded. Choose one in the sidebar or on the Data page.")
        st.stop()
    return view
