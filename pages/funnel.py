"""Funnel plot: every practice's value against its denominator, with control limits."""

import streamlit as st

from netcompare.charts.funnel import POINT_SELECTION, funnel_chart
from netcompare.errors import UserError
from netcompare.stats.funnel import FUNNEL_METHODS
from netcompare.ui.context import current_view
from netcompare.ui.notes import notes_popover
from netcompare.ui.views import funnel_view
from netcompare.ui.widgets import need_indicator, show_chart
from netcompare.views.common import period_words
from netcompare.views.compare import FUNNEL_BENCHMARKS
from netcompare.views.format import BENCHMARK_WORDS, METHOD_LABELS

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(f"Funnel plot: {indicator.name}")

left, right = st.columns(2)
benchmark = left.selectbox(
    "Centre line (benchmark)",
    FUNNEL_BENCHMARKS,
    format_func=BENCHMARK_WORDS.get,
    key="funnel_benchmark",
    bind="query-params",
)
method = right.selectbox(
    "Method",
    FUNNEL_METHODS,
    format_func=METHOD_LABELS.get,
    key="funnel_method",
    bind="query-params",
)

try:
    funnel = funnel_view(
        data, f.indicator_id, f.period, f.view_options(), benchmark=benchmark, method=method
    )
except UserError as exc:
    st.info(f"No funnel plot for {period_words(f.period)}: {exc}")
    st.stop()

for note in funnel.comparison.notes:
    st.info(note)

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
        ),
        key="funnel_chart",
        selectable=True,
    )
with list_col:
    st.subheader("Outliers")
    if funnel.outliers_shown.height == 0:
        st.write(funnel.no_outliers)
    else:
        st.caption(funnel.outliers_key)
        st.dataframe(funnel.outliers_shown, hide_index=True)

picked = (event or {}).get("selection", {}).get(POINT_SELECTION, []) if event else []
point = funnel.point(picked[0].get("practice_id")) if picked else None
if point is not None:
    st.subheader(point.practice.label)
    st.write(point.words)
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
