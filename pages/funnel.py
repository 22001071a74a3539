"""Funnel plot: every practice's value against its denominator, with control limits."""

import polars as pl
import streamlit as st

from netcompare.charts.funnel import POINT_SELECTION, funnel_chart
from netcompare.errors import UserError
from netcompare.stats.funnel import FUNNEL_METHODS
from netcompare.ui.context import current_view
from netcompare.ui.notes import notes_popover
from netcompare.ui.widgets import need_indicator, show_chart
from netcompare.views.common import chart_caption, network_name, period_words
from netcompare.views.compare import METHOD_LABELS
from netcompare.views.funnel import funnel_view

BENCHMARK_WORDS = {"all": "All practices", "network": "This network", "target": "The target"}

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(f"Funnel plot: {indicator['name']}")

left, right = st.columns(2)
benchmark = left.selectbox(
    "Centre line (benchmark)",
    list(BENCHMARK_WORDS),
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

s = funnel.comparison.summary
if s.method == "wilson":
    od = "no over-dispersion adjustment"
elif s.overdispersion_adjusted:
    od = f"over-dispersion adjusted: φ = {s.phi:.3f}, τ² = {s.tau2:.6f}"
elif s.method == "arcsine-od":
    od = f"φ = {s.phi:.3f} ≤ 1: no over-dispersion, unadjusted limits"
else:
    od = "unadjusted limits (no over-dispersion adjustment requested)"
caption = chart_caption(
    indicator["name"],
    f.period,
    benchmark=funnel.comparison.benchmark_label,
    method=f"{funnel.comparison.method_label}; {od}; limits 95% (dashed) and 99.8% (solid)",
    net_of_exceptions=f.net_of_exceptions,
    source=data.name,
)
for note in funnel.comparison.notes:
    st.info(note)

chart_col, list_col = st.columns([5, 2])
with chart_col:
    title = f"{indicator['name']}, {period_words(f.period)}: {s.n_units} practices"
    event = show_chart(
        funnel_chart(
            funnel.points,
            funnel.grid,
            s.benchmark,
            title,
            caption,
            large=f.presentation,
        ),
        key="funnel_chart",
        selectable=True,
    )
with list_col:
    mine = network_name(data, f.network_id)
    st.subheader("Outliers")
    outliers = funnel.outliers
    if outliers.height == 0:
        st.write("No practice is outside the 95% limits.")
    else:
        st.caption(f"◆ = in {mine}; ▲ high, ▼ low")
        st.dataframe(
            outliers.select(
                pl.concat_str(
                    pl.when(pl.col("in_network")).then(pl.lit("◆ ")).otherwise(pl.lit("")),
                    pl.col("label"),
                ).alias("Practice"),
                (pl.col("value") * 100).round(1).alias("%"),
                pl.concat_str(
                    pl.when(pl.col("direction") == "high")
                    .then(pl.lit("▲ "))
                    .otherwise(pl.lit("▼ ")),
                    pl.col("status"),
                ).alias("Limits"),
            ),
            hide_index=True,
        )

picked = (event or {}).get("selection", {}).get(POINT_SELECTION, []) if event else []
if picked:
    pid = picked[0].get("practice_id")
    row = funnel.points.filter(pl.col("practice_id") == pid)
    if row.height:
        r = row.row(0, named=True)
        st.subheader(r["label"])
        st.write(
            f"{r['value']:.1%} ({r['numerator']:,} of {r['denominator']:,}), "
            f"95% CI {r['ci95_lower']:.1%}–{r['ci95_upper']:.1%}: {r['status']}."
        )
        notes_popover(
            pid,
            f.indicator_id,
            network_id=r["network_id"],
            period=f.period,
            practice_label=r["label"],
            indicator_labels={f.indicator_id: indicator["name"]},
            key="funnel_pick",
        )
else:
    st.caption("Click a point to see that practice and its notes.")
