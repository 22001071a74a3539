"""Overview: the network RAG chart — practices × indicators against each indicator's target."""

import polars as pl
import streamlit as st

from netcompare.charts.rag import CELL_SELECTION, rag_chart
from netcompare.ui.context import current_view
from netcompare.ui.notes import note_counts, notes_popover
from netcompare.ui.widgets import jump_button, show_chart
from netcompare.views.common import chart_caption, network_name, period_words
from netcompare.views.rag import ROW_PRACTICE, rag_grid

MAX_CHART_ROWS = 60

view = current_view()
data, f = view.data, view.filters
st.title("Overview: who meets the targets")
if f.period is None:
    st.info("No period with data for this choice: pick another indicator or data set.")
    st.stop()

grid = rag_grid(data, f.period, f.view_options(), f.care_package)
rows = grid.select("row_id", "row_kind").unique()
scope = network_name(data, f.network_id)
package = "all care packages" if f.care_package == "all" else f.care_package
title = f"{scope}: {package}, {period_words(f.period)}"
caption = chart_caption(
    "Each indicator against its own target",
    f.period,
    benchmark="the indicator's target (green ✔ meets it, amber ▲ within the amber band, "
    "red ✖ below, grey · no target)",
    method="value against target; network and all-practice rows are pooled averages",
    net_of_exceptions=f.net_of_exceptions,
    source=data.name,
)
if grid.filter(pl.col("value").is_not_null()).height == 0:
    st.info(f"No data for {period_words(f.period)} in {scope}: choose another period.")
    st.stop()

if rows.height <= MAX_CHART_ROWS:
    event = show_chart(
        rag_chart(grid, title, caption, large=f.presentation),
        key="rag_chart",
        selectable=True,
        stretch=False,
    )
else:
    st.caption(caption)
    st.info(
        f"{rows.height} rows are too many for a readable chart: showing a table. "
        "Choose one network in the sidebar for its RAG chart."
    )
    table = grid.pivot(on="indicator_name", index="row_label", values="value")
    st.dataframe(table, hide_index=True)
    event = None

selected = []
if event is not None:
    selected = event.get("selection", {}).get(CELL_SELECTION, []) or []
if selected:
    pick = selected[0]
    cell = grid.filter(
        (pl.col("row_id") == pick.get("row_id"))
        & (pl.col("indicator_id") == pick.get("indicator_id"))
    )
    if cell.height:
        c = cell.row(0, named=True)
        st.subheader(f"{c['row_label']} · {c['indicator_name']}")
        value = "no data" if c["value"] is None else f"{c['value']:.1%}"
        st.write(
            f"{value} ({c['numerator'] or 0:,} of {c['denominator'] or 0:,}); "
            f"target {'none' if c['target'] is None else format(c['target'], '.0%')}; "
            f"RAG: {c['rag']}."
        )
        cols = st.columns(4)
        with cols[0]:
            jump_button(
                "League table for this indicator",
                "pages/league.py",
                indicator_id=c["indicator_id"],
                key="jump_league",
            )
        with cols[1]:
            jump_button(
                "Funnel plot",
                "pages/funnel.py",
                indicator_id=c["indicator_id"],
                key="jump_funnel",
            )
        if c["row_kind"] == ROW_PRACTICE:
            with cols[2]:
                jump_button(
                    "Trend and SPC for this practice",
                    "pages/trends.py",
                    indicator_id=c["indicator_id"],
                    practice_id=c["row_id"],
                    key="jump_trends",
                )
            with cols[3]:
                notes_popover(
                    c["row_id"],
                    c["indicator_id"],
                    network_id=data.practices.filter(pl.col("practice_id") == c["row_id"])
                    .get_column("network_id")
                    .item(0),
                    period=f.period,
                    practice_label=c["row_label"],
                    indicator_labels={c["indicator_id"]: c["indicator_name"]},
                    key="overview_cell",
                )
else:
    st.caption("Click a cell to drill down to that practice and indicator.")

practices = grid.filter(pl.col("row_kind") == ROW_PRACTICE)
if practices.height:
    counts = note_counts(practices.get_column("row_id").unique().to_list())
    summary = (
        practices.group_by("row_id", "row_label", maintain_order=True)
        .agg(
            (pl.col("rag") == "green").sum().alias("✔ green"),
            (pl.col("rag") == "amber").sum().alias("▲ amber"),
            (pl.col("rag") == "red").sum().alias("✖ red"),
        )
        .join(counts, left_on="row_id", right_on="practice_id", how="left")
        .select(
            pl.col("row_label").alias("Practice"),
            "✔ green",
            "▲ amber",
            "✖ red",
            pl.col("n_notes").fill_null(0).alias("💬 notes"),
        )
    )
    st.subheader("Targets met per practice")
    st.dataframe(summary, hide_index=True)
