"""Presentation mode: a page readable on a 1366×768 projector from the back of the room.

Charts enlarge their own text (``large=True`` in :mod:`netcompare.charts`); this module
enlarges the page's, gives the main area the screen's width and collapses the sidebar.

The sidebar: ``st.set_page_config`` may be called again in a later run, and the front end
re-applies a changed ``initial_sidebar_state`` (unless the user has opened or closed the
sidebar by hand before, which it remembers and respects). So presentation mode asks for
"collapsed" and leaving it asks for "auto" again; the sidebar's expand arrow stays at the
top left, to reach the filters and switch the mode off.
"""

from __future__ import annotations

import streamlit as st

PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
[data-testid="stDataFrame"] { font-size: 1.2rem; }
/* The main area gets the width of the screen: narrow margins (rem is 22 px here). */
[data-testid="stMainBlockContainer"] {
    padding-left: 1.5rem !important; padding-right: 1.5rem !important;
    padding-top: 3rem !important; max-width: 100% !important;
}
/* Buttons and their labels: the whole label, wrapped if need be, never "⬇ P…". */
[data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"],
[data-testid="stDownloadButton"] button, [data-testid="stButton"] button {
    width: auto !important; min-width: max-content; max-width: 100%;
    white-space: normal !important; height: auto !important;
}
[data-testid="stDownloadButton"] button p, [data-testid="stButton"] button p,
[data-testid="stDownloadButton"] button div, [data-testid="stButton"] button div {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
/* A column of download buttons is as wide as their labels; not a column that also holds a
   chart (and the summary under it, whose max-content is a whole sentence on one line). */
[data-testid="stColumn"]:has([data-testid="stDownloadButton"]):not(:has(
    [data-testid="stVegaLiteChart"])) {
    min-width: max-content;
}
/* Sidebar labels (when it is opened) wrap instead of being cut. */
[data-testid="stSidebar"] label, [data-testid="stSidebar"] label p,
[data-testid="stSidebarNav"] span {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>
"""


def apply_presentation_mode(on: bool) -> None:
    """Large text for a projector, the sidebar collapsed; off: the sidebar as Streamlit
    chooses (open on a wide screen)."""
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    if on:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
