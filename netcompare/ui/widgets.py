"""Small Streamlit pieces the pages share: guards, chart display, jumps between pages."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from netcompare.charts.common import frame_height
from netcompare.charts.export import chart_png, chart_svg
from netcompare.text import literal
from netcompare.ui.context import view_if_any
from netcompare.ui.filters import (
    KEY_INDICATOR,
    KEY_NETWORK,
    KEY_PACKAGE,
    KEY_PRACTICE,
    Filters,
    link_for_next_page,
)
from netcompare.views.common import ALL, practice_network_map
from netcompare.views.format import csv_text

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
    chart: alt.TopLevelMixin,
    *,
    key: str,
    selectable: bool = False,
    stretch: bool = True,
    data: pl.DataFrame | None = None,
):
    """Show an Altair chart with PNG and SVG downloads (and, given ``data``, the frame the
    chart shows as CSV); return the selection event.

    ``stretch=False`` keeps the chart's own width (a grid whose cells must stay readable).
    The chart is drawn with its own colours and fonts (``theme=None``): Streamlit's theme
    would override the chart's config and turn axis and legend text pale grey.
    """
    width = "stretch" if stretch else "content"
    # Streamlit squeezes a stretched chart to its default height unless told the total height:
    # the plot's own height plus room for the title, caption lines, axis and legend.
    plot_height = getattr(chart, "height", None)
    height = (
        plot_height + frame_height(chart) if stretch and isinstance(plot_height, int) else "content"
    )
    options = {"key": key, "width": width, "height": height, "theme": None}
    if selectable:
        event = st.altair_chart(chart, on_select="rerun", **options)
    else:
        st.altair_chart(chart, **options)
        event = None
    chart_downloads(chart, key=key, data=data)
    return event


def chart_downloads(chart: alt.TopLevelMixin, *, key: str, data: pl.DataFrame | None = None):
    """PNG and SVG download buttons (the file is rendered only when a button is clicked) and,
    given ``data``, a CSV of the frame as the chart shows it."""
    # A row of buttons as wide as their labels (wrapping onto a second row when the chart is
    # narrow), not columns: a column's share of the width times its label's width would
    # otherwise set the width of the chart's own column in presentation mode.
    row = st.container(horizontal=True, gap="small", key=f"{key}_downloads")
    row.download_button(
        "PNG",
        data=lambda: chart_png(chart),
        icon=":material/download:",
        file_name=f"{key}.png",
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
    )
    row.download_button(
        "SVG",
        data=lambda: chart_svg(chart),
        icon=":material/download:",
        file_name=f"{key}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        on_click="ignore",
    )
    if data is not None:
        row.download_button(
            "Data (CSV)",
            data=lambda: csv_text(data),
            icon=":material/download:",
            file_name=f"{key}.csv",
            mime="text/csv",
            key=f"{key}_csv",
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
        literal(label),
        key=key,
        on_click=_jump,
        args=(page, indicator_id, practice_id, ALL),
    )


# The practice profile page (issue 14.2): one practice across every indicator. Every place
# that names a practice links to it with profile_button.
PROFILE_PAGE = "pages/profile.py"


def _jump_to_profile(practice_id: str) -> None:
    """Open the profile of ``practice_id``. The sidebar lists the chosen network's practices
    only: for a practice of another network it switches to All networks (never to the
    practice's own network, whose viewer would see names that are not shared outside it)."""
    view = view_if_any()
    network = st.session_state.get(KEY_NETWORK)
    elsewhere = (
        view is not None
        and network not in (None, ALL)
        and practice_network_map(view.data).get(practice_id) != network
    )
    if elsewhere:
        st.session_state[KEY_NETWORK] = ALL
    _jump(PROFILE_PAGE, None, practice_id, None)


def profile_button(practice_id: str, label: str, *, key: str) -> None:
    """A button opening ``practice_id``'s profile (the sidebar's practice set to it)."""
    st.button(
        literal(f"Profile of {label}"),
        key=key,
        icon=":material/person:",
        on_click=_jump_to_profile,
        args=(practice_id,),
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


def table_download(frame: pl.DataFrame, *, name: str, label: str = "Download (CSV)") -> None:
    """A download button for a table as shown, escaped for spreadsheets (``csv_text``).

    Streamlit's own table export is switched off (``client.disableDataExport``): it writes
    cells as they are, so a name starting with ``=`` would run as a formula.
    """
    st.download_button(
        literal(label),
        data=lambda: csv_text(frame),
        icon=":material/download:",
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{name}_table_csv",
        on_click="ignore",
        type="tertiary",
    )
