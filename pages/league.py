"""League table: every practice named and ranked on one indicator, with uncertainty."""

import streamlit as st

from netcompare.errors import UserError
from netcompare.text import literal
from netcompare.ui.compare import compare_practices_section
from netcompare.ui.context import current_view
from netcompare.ui.definition import definition_button
from netcompare.ui.judgement import judgement_caption, judgement_choice
from netcompare.ui.notes import note_counts, notes_panel
from netcompare.ui.views import league_table
from netcompare.ui.widgets import need_indicator, profile_button
from netcompare.views.format import (
    RECENT_TREND_COLUMN,
    SECOND_METHOD_COLUMN,
    VERDICT_COLUMN,
    period_label,
    with_note_counts,
)

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(literal(f"League table: {indicator.name}"))
definition_button(data, f.indicator_id, key="league_definition")

judgement = judgement_choice(caption=False)
only_mine = st.toggle("Only my network's practices", key="league_only_mine", bind="query-params")

try:
    league = league_table(
        data,
        f.indicator_id,
        f.period,
        f.view_options(),
        method=judgement.method,
        benchmark=judgement.benchmark,
        only_network=bool(only_mine),
    )
except UserError as exc:
    st.info(literal(f"No league table for {period_label(f.period, indicator.period_type)}: {exc}"))
    st.stop()

st.caption(literal(league.caption))
judgement_caption(judgement)
for note in league.comparison.notes:
    st.info(literal(note))
if league.target_note:
    st.caption(literal(league.target_note))

compare_practices_section(data, f, method=judgement.method, benchmark=judgement.benchmark)
st.header("League table")

counts = note_counts(league.practice_ids, indicator_id=f.indicator_id)
shown = with_note_counts(league.shown, league.practice_ids, counts)
event = st.dataframe(
    shown,
    hide_index=True,
    height=min(36 * (shown.height + 1) + 3, 740),
    key="league_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Rank": st.column_config.NumberColumn(help="Sort by this column to rank the table"),
        "Value %": st.column_config.NumberColumn(format="%.1f"),
        VERDICT_COLUMN: st.column_config.TextColumn(
            help="The judgement every page gives: the funnel plot's limits (method and "
            "benchmark in the caption above)"
        ),
        SECOND_METHOD_COLUMN: st.column_config.TextColumn(
            help="Wilson 95% and 99.8% confidence intervals against the same benchmark "
            "(Fingertips): a second method, shown for comparison"
        ),
        "Change (pts)": st.column_config.TextColumn(
            help="Change in percentage points since the previous period (– none earlier)"
        ),
        RECENT_TREND_COLUMN: st.column_config.TextColumn(
            help="Fingertips recent trend: chi-square test for trend in proportions over the "
            "last 5 periods, significant at 99.8%"
        ),
        "Last 12 periods": st.column_config.LineChartColumn(width="small"),
        "Yours": st.column_config.TextColumn(help=league.yours_help),
    },
)
st.download_button(
    "Download this table (CSV)",
    league.csv(),
    file_name=f"league_{f.indicator_id}_{f.period}.csv",
    mime="text/csv",
    on_click="ignore",  # a download does not rerun the page
)

rows = event.get("selection", {}).get("rows", []) if event else []
if rows:
    picked = league.practices[rows[0]]
    st.header(literal(f"Notes: {picked.label}"))
    profile_button(picked.practice_id, picked.label, key="league_profile")
    notes_panel(
        picked.practice_id,
        f.indicator_id,
        network_id=picked.network_id,
        period=f.period,
        practice_label=picked.label,
        indicator_labels={f.indicator_id: indicator.name},
        key="league",
    )
else:
    st.caption("Select a row to see that practice's notes, or to add one.")
