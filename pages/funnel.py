"""Funnel plot: every practice's value against its denominator, with control limits."""

import streamlit as st

from netcompare.charts.funnel import POINT_SELECTION, funnel_chart, funnel_summary
from netcompare.errors import UserError
from netcompare.text import literal
from netcompare.ui.context import current_view
from netcompare.ui.definition import definition_button
from netcompare.ui.judgement import judgement_choice
from netcompare.ui.notes import note_count_map, notes_popover
from netcompare.ui.views import funnel_view
from netcompare.ui.widgets import need_indicator, profile_button, show_chart, table_download
from netcompare.views.format import period_label

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(literal(f"Funnel plot: {indicator.name}"))
definition_button(data, f.indicator_id, key="funnel_definition")

judgement = judgement_choice(draw=True)

try:
    funnel = funnel_view(
        data,
        f.indicator_id,
        f.period,
        f.view_options(),
        method=judgement.method,
        benchmark=judgement.benchmark,
    )
except UserError as exc:
    st.info(literal(f"No funnel plot for {period_label(f.period, indicator.period_type)}: {exc}"))
    st.stop()

for note in funnel.comparison.notes:
    st.info(literal(note))

chart_col, list_col = st.columns([5, 2])
with chart_col:
    event = show_chart(
        funnel_chart(
            funnel.points,
            funnel.grid,
            funnel.benchmark,
            funnel.title,
            funnel.caption,
            large=f.presentation,
            note_counts=note_count_map(funnel.practice_ids, indicator_id=f.indicator_id),
            y_title=funnel.y_title,
        ),
        key="funnel_chart",
        selectable=True,
        data=funnel.data_shown,
    )
    st.caption(literal(funnel_summary(funnel.points, funnel.benchmark)))
with list_col:
    st.header("Outliers")
    if funnel.outliers_shown.height == 0:
        st.write(literal(funnel.no_outliers))
    else:
        if funnel.outliers_key:
            st.caption(literal(funnel.outliers_key))
        st.dataframe(funnel.outliers_shown, hide_index=True)
        table_download(funnel.outliers_shown, name=f"funnel_outliers_{f.indicator_id}")

picked = (event or {}).get("selection", {}).get(POINT_SELECTION, []) if event else []
point = funnel.point(picked[0].get("practice_id")) if picked else None
if point is not None:
    st.header(literal(point.practice.label))
    st.write(literal(point.words))
    profile_button(point.practice.practice_id, point.practice.label, key="funnel_profile")
    notes_popover(
        point.practice.practice_id,
        f.indicator_id,
        network_id=point.practice.network_id,
        period=f.period,
        practice_label=point.practice.label,
        indicator_labels={f.indicator_id: indicator.name},
        key="funnel_pick",
    )
elif not picked:
    st.caption("Click a point to see that practice and its notes.")
