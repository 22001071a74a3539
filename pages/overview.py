"""Overview: the network RAG chart — practices × indicators against each indicator's target
(or, where no indicator shown has a target, against the benchmark)."""

import streamlit as st

from netcompare.charts.rag import CELL_SELECTION, rag_chart, rag_summary
from netcompare.text import literal
from netcompare.ui.compare import compare_indicators_section
from netcompare.ui.context import current_view
from netcompare.ui.definition import definitions_button
from netcompare.ui.judgement import current_judgement, judgement_choice
from netcompare.ui.notes import note_counts, notes_popover
from netcompare.ui.views import overview_view
from netcompare.ui.widgets import jump_button, profile_button, show_chart, table_download
from netcompare.views.format import with_note_counts

view = current_view()
data, f = view.data, view.filters
if f.period is None:
    st.title("Overview")
    st.info("No period with data for this choice: pick another indicator or data set.")
    st.stop()

judgement = current_judgement()
overview = overview_view(
    data,
    f.period,
    f.view_options(),
    care_package=f.care_package,
    method=judgement.method,
    benchmark=judgement.benchmark,
)
st.title(literal(overview.heading))
definitions_button(data, f.care_package, chosen=f.indicator_id, key="overview_definitions")
judgement_choice()
if overview.no_data:
    st.info(literal(overview.no_data))
    st.stop()
if overview.judged_note:
    st.info(literal(overview.judged_note))

if overview.too_many is None:
    event = show_chart(
        rag_chart(
            overview.grid,
            overview.title,
            overview.caption,
            large=f.presentation,
            legend_title=overview.legend_title,
            legend=overview.legend,
        ),
        key="rag_chart",
        selectable=True,
        stretch=False,
        data=overview.data_shown,
    )
    st.caption(literal(rag_summary(overview.grid)))
else:
    st.caption(literal(overview.caption))
    st.info(literal(overview.too_many))
    st.dataframe(overview.wide, hide_index=True)
    table_download(overview.wide, name="overview")
    event = None

selected = []
if event is not None:
    selected = event.get("selection", {}).get(CELL_SELECTION, []) or []
cell = None
if selected:
    cell = overview.cell(selected[0].get("row_id"), selected[0].get("indicator_id"))
if cell is not None:
    st.header(literal(f"{cell.row_label} · {cell.indicator_name}"))
    st.write(literal(cell.words))
    cols = st.columns(4)
    with cols[0]:
        jump_button(
            "League table for this indicator",
            "pages/league.py",
            indicator_id=cell.indicator_id,
            key="jump_league",
        )
    with cols[1]:
        jump_button(
            "Funnel plot",
            "pages/funnel.py",
            indicator_id=cell.indicator_id,
            key="jump_funnel",
        )
    if cell.practice is not None:
        with cols[2]:
            jump_button(
                "Trend and SPC for this practice",
                "pages/trends.py",
                indicator_id=cell.indicator_id,
                practice_id=cell.practice.practice_id,
                key="jump_trends",
            )
        with cols[3]:
            notes_popover(
                cell.practice.practice_id,
                cell.indicator_id,
                network_id=cell.practice.network_id,
                period=f.period,
                practice_label=cell.practice.label,
                indicator_labels={cell.indicator_id: cell.indicator_name},
                key="overview_cell",
            )
        profile_button(cell.practice.practice_id, cell.practice.label, key="overview_profile")
elif not selected and event is not None:
    st.caption("Click a cell to drill down to that practice and indicator.")

if overview.practice_ids and overview.per_practice_shown is not None:
    counts = note_counts(overview.practice_ids)
    st.header(literal(overview.per_practice_heading))
    per_practice = with_note_counts(overview.per_practice_shown, overview.practice_ids, counts)
    st.dataframe(per_practice, hide_index=True)
    table_download(per_practice, name="overview_practice")

compare_indicators_section(data, f)
