"""Trends and SPC: a practice (or its network) over time, with Making Data Count rules."""

import datetime as dt

import polars as pl
import streamlit as st

from netcompare.charts.icons import (
    assurance_icon_svg,
    assurance_words,
    variation_icon_svg,
    variation_words,
)
from netcompare.charts.trends import spc_chart_spec, trend_chart
from netcompare.errors import UserError
from netcompare.ui.context import current_view
from netcompare.ui.notes import notes_popover
from netcompare.ui.widgets import need_indicator, show_chart
from netcompare.views.common import chart_caption, network_name
from netcompare.views.trends import SPC_P, SPC_XMR, trend_view

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(f"Trends: {indicator['name']}")

c1, c2, c3 = st.columns(3)
subject = c1.radio(
    "Show",
    ["practice", "network"],
    format_func=lambda v: "The chosen practice" if v == "practice" else "The chosen network",
    key="trend_subject",
    bind="query-params",
    horizontal=True,
)
chart_kind = c2.radio(
    "SPC chart",
    [SPC_XMR, SPC_P],
    format_func=lambda v: "XmR (Making Data Count)" if v == SPC_XMR else "p-chart (proportions)",
    key="spc_kind",
    bind="query-params",
    horizontal=True,
)
periods = [p.isoformat() for p in data.periods(f.indicator_id) if p <= f.period]
rebase = c3.multiselect(
    "Rebase at",
    periods[1:],
    key="rebase",
    bind="query-params",
    help="Start new limits from this period (e.g. after a change in the way the practice works).",
)

practice_id = f.practice_id if subject == "practice" else None
if subject == "practice" and practice_id is None:
    st.info("Choose a practice in the sidebar (this network has none with data).")
    st.stop()
if subject == "network" and f.all_networks:
    st.info("Choose a network in the sidebar to see its trend.")
    st.stop()

try:
    trend = trend_view(
        data,
        f.indicator_id,
        f.view_options(),
        practice_id=practice_id,
        until=f.period,
        chart=chart_kind,
        rebase=[dt.date.fromisoformat(r) for r in rebase],
    )
except UserError as exc:
    st.info(f"No trend to show: {exc}")
    st.stop()

caption = chart_caption(
    indicator["name"],
    f.period,
    benchmark=f"{network_name(data, f.network_id)} and all practices (pooled averages)",
    method="monthly values",
    net_of_exceptions=f.net_of_exceptions,
    source=data.name,
)
show_chart(
    trend_chart(
        trend.lines,
        trend.subject_label,
        trend.target,
        f"{trend.subject_label}: {indicator['name']}",
        caption,
        large=f.presentation,
    ),
    key="trend_chart",
)

spc_method = (
    "XmR chart, limits mean ± 2.66 × average moving range (NHSRplotthedots / Making Data Count)"
    if chart_kind == SPC_XMR
    else "p-chart, limits p̄ ± 3√(p̄(1−p̄)/n)"
)
spc_caption = chart_caption(
    indicator["name"],
    f.period,
    benchmark="the series' own mean" + (f"; target {trend.target:.0%}" if trend.target else ""),
    method=f"{spc_method}; improvement = {trend.improvement}; rules: outside limits, trend of 7, "
    "two of three beyond 2σ, shift of 7",
    net_of_exceptions=f.net_of_exceptions,
    source=data.name,
)
chart_col, icon_col = st.columns([4, 1])
with chart_col:
    show_chart(
        spc_chart_spec(
            trend.spc,
            trend.target,
            f"SPC: {trend.subject_label}",
            spc_caption,
            large=f.presentation,
        ),
        key="spc_chart",
    )
with icon_col:
    st.markdown("**Variation**")
    st.image(variation_icon_svg(trend.summary.variation_icon), width=96)
    st.caption(variation_words(trend.summary.variation_icon))
    st.markdown("**Assurance**")
    st.image(assurance_icon_svg(trend.summary.assurance), width=96)
    st.caption(assurance_words(trend.summary.assurance))
for warning in trend.summary.warnings:
    st.warning(warning)

if practice_id is not None:
    practice = data.practices.filter(pl.col("practice_id") == practice_id)
    notes_popover(
        practice_id,
        f.indicator_id,
        network_id=practice.get_column("network_id").item(0) if practice.height else None,
        period=f.period,
        practice_label=trend.subject_label,
        indicator_labels={f.indicator_id: indicator["name"]},
        key="trends",
    )
