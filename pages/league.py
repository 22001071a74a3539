"""League table: every practice named and ranked on one indicator, with uncertainty."""

import polars as pl
import streamlit as st

from netcompare.errors import UserError
from netcompare.ui.context import current_view
from netcompare.ui.notes import note_counts, notes_panel
from netcompare.ui.widgets import need_indicator
from netcompare.views.common import chart_caption, network_name, period_words
from netcompare.views.compare import BENCHMARKS
from netcompare.views.format import league_display
from netcompare.views.league import league_table

BENCHMARK_WORDS = {
    "all": "All practices",
    "area": "Practices in this area",
    "network": "This network",
    "target": "The target",
}

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(f"League table: {indicator['name']}")

left, right = st.columns(2)
benchmark = left.selectbox(
    "Benchmark",
    BENCHMARKS,
    format_func=BENCHMARK_WORDS.get,
    key="league_benchmark",
    bind="query-params",
)
only_mine = right.toggle("Only my network's practices", key="league_only_mine", bind="query-params")

try:
    league = league_table(data, f.indicator_id, f.period, f.view_options(), benchmark=benchmark)
except UserError as exc:
    st.info(f"No league table for {period_words(f.period)}: {exc}")
    st.stop()

comparison = league.comparison
st.caption(
    chart_caption(
        indicator["name"],
        f.period,
        benchmark=comparison.benchmark_label,
        method="Wilson 95% CI; comparison with two CI levels (95%, 99.8%); rank interval from "
        "1,000 Beta-posterior draws (seed 1)",
        net_of_exceptions=f.net_of_exceptions,
        source=data.name,
    )
    + f" · Ranked among {comparison.group_label}"
    + (f" · Change since {period_words(league.previous_period)}" if league.previous_period else "")
)
for note in comparison.notes:
    st.info(note)
if indicator["target"] is None:
    st.caption("This indicator has no target: RAG shows 'none'.")

table = league.table
if only_mine and not f.all_networks:
    table = table.filter(pl.col("network_id") == f.network_id)
counts = note_counts(table.get_column("practice_id").to_list(), indicator_id=f.indicator_id)
shown = (
    league_display(table)
    .join(counts, on="practice_id", how="left")
    .with_columns(pl.col("n_notes").fill_null(0).alias("💬 Notes"))
)
# The notes count next to the name, where it is seen without scrolling sideways.
order = [c for c in shown.columns if c not in ("💬 Notes", "n_notes", "n_open_questions")]
order.insert(order.index("Practice") + 1, "💬 Notes")
shown = shown.select(order)
event = st.dataframe(
    shown.drop("practice_id"),
    hide_index=True,
    height=min(36 * (shown.height + 1) + 3, 740),
    key="league_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Rank": st.column_config.NumberColumn(help="Sort by this column to rank the table"),
        "Value %": st.column_config.NumberColumn(format="%.1f"),
        "Change (pts)": st.column_config.NumberColumn(format="%+.1f"),
        "Last 12 periods": st.column_config.LineChartColumn(width="small"),
        "Yours": st.column_config.TextColumn(
            help=f"◆ = a practice in {network_name(data, f.network_id)}"
        ),
    },
)
st.download_button(
    "Download this table (CSV)",
    table.drop("trend").write_csv(),
    file_name=f"league_{f.indicator_id}_{f.period}.csv",
    mime="text/csv",
)

rows = event.get("selection", {}).get("rows", []) if event else []
if rows:
    picked = shown.row(rows[0], named=True)
    st.subheader(f"Notes: {picked['Practice']}")
    practice_network = table.filter(pl.col("practice_id") == picked["practice_id"])
    notes_panel(
        picked["practice_id"],
        f.indicator_id,
        network_id=practice_network.get_column("network_id").item(0),
        period=f.period,
        practice_label=picked["Practice"],
        indicator_labels={f.indicator_id: indicator["name"]},
        key="league",
    )
else:
    st.caption("Select a row to see that practice's notes, or to add one.")
