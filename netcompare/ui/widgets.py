"""Small Streamlit pieces the pages share: guards, chart display, jumps between pages."""

from __future__ import annotations

import altair as alt
import streamlit as st

from netcompare.charts.export import chart_png, chart_svg
from netcompare.ui.filters import (
    KEY_INDICATOR,
    KEY_PACKAGE,
    KEY_PRACTICE,
    Filters,
    link_for_next_page,
)
from netcompare.views.common import ALL

GOTO_KEY = "_goto_page"


def need_indicator(filters: Filters) -> None:
    """Stop the page with an explanation when no indicator or period is available."""
    if filters.indicator_id is None:
        st.info("No indicator to show: this care package has no indicators in the data set.")
        st.stop()
    if filters.period is None:
        st.info("This indicator has no data in any period yet.")
        st.stop()


def show_chart(
    chart: alt.TopLevelMixin, *, key: str, selectable: bool = False, stretch: bool = True
):
    """Show an Altair chart (its ⋯ menu saves it as PNG or SVG); return the selection event.

    ``stretch=False`` keeps the chart's own width (a grid whose cells must stay readable).
    """
    width = "stretch" if stretch else "content"
    # Streamlit squeezes a stretched chart to its default height unless told the total height:
    # the plot's own height plus room for the title, caption lines, axis and legend.
    plot_height = getattr(chart, "height", None)
    height = plot_height + 190 if stretch and isinstance(plot_height, int) else "content"
    if selectable:
        event = st.altair_chart(chart, key=key, on_select="rerun", width=width, height=height)
    else:
        st.altair_chart(chart, key=key, width=width, height=height)
        event = None
    chart_downloads(chart, key=key)
    return event


def chart_downloads(chart: alt.TopLevelMixin, *, key: str) -> None:
    """PNG and SVG download buttons; the file is rendered only when a button is clicked."""
    left, right, _ = st.columns([1, 1, 6])
    left.download_button(
        "PNG",
        data=lambda: chart_png(chart),
        icon=":material/download:",
        file_name=f"{key}.png",
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
    )
    right.download_button(
        "SVG",
        data=lambda: chart_svg(chart),
        icon=":material/download:",
        file_name=f"{key}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        on_click="ignore",
    )


def _jump(page: str, indicator_id: str | None, practice_id: str | None, package: str | None):
    if indicator_id is not None:
        st.session_state[KEY_PACKAGE] = package or ALL
        st.session_state[KEY_INDICATOR] = indicator_id
    if practice_id is not None:
        st.session_state[KEY_PRACTICE] = practice_id
    st.session_state[GOTO_KEY] = page


def jump_button(
    label: str,
    page: str,
    *,
    indicator_id: str | None = None,
    practice_id: str | None = None,
    key: str,
) -> None:
    """A button that sets the shared filters and opens another page (the URL follows)."""
    st.button(
        label,
        key=key,
        on_click=_jump,
        args=(page, indicator_id, practice_id, ALL),
    )


def follow_jump() -> None:
    """Called by app.py: switch page if a jump button was pressed on the last run.

    Called after the sidebar is drawn, so the URL already holds the codes of the view jumped
    to (the indicator or practice of the button); they go along to the new page, which reads
    them as a fresh link (``st.switch_page`` would otherwise clear the URL and drop the
    sidebar's widget state).
    """
    page = st.session_state.pop(GOTO_KEY, None)
    if page:
        st.switch_page(page, query_params=link_for_next_page())
