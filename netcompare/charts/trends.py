"""Trend lines (practice, network, all practices) and the SPC chart (Making Data Count).

Monthly series use a time axis ("Sep 2026"); yearly and financial-year series get one tick per
period with the period's own label ("2022-23"), from the frame's ``period_label`` column.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import HIGHLIGHT_COLOUR, MDC_COLOURS, sized, titled, to_records

AXIS_TITLES = {"month": "Month", "year": "Year", "financial_year": "Financial year"}


def period_axis(frame: pl.DataFrame, field: str, period_type: str) -> alt.X:
    """The x axis: time for months; one labelled tick per period otherwise."""
    title = AXIS_TITLES.get(period_type, "Period")
    if period_type == "month" or "period_label" not in frame.columns:
        return alt.X(f"{field}:T", title=title, axis=alt.Axis(format="%b %Y"))
    order = frame.sort(field).get_column("period_label").unique(maintain_order=True).to_list()
    return alt.X(
        "period_label:O", title=title, sort=order, axis=alt.Axis(labelAngle=0, labelOverlap=False)
    )


def period_tooltip(frame: pl.DataFrame, field: str) -> alt.Tooltip:
    if "period_label" in frame.columns:
        return alt.Tooltip("period_label:N", title="Period")
    return alt.Tooltip(f"{field}:T", title="Period", format="%b %Y")


def trend_chart(
    lines: pl.DataFrame,
    subject: str,
    target: float | None,
    title: str,
    caption: str,
    *,
    large: bool = False,
    period_type: str = "month",
) -> alt.LayerChart:
    """The subject's values per period against its network and all practices (and the
    target); ``period_type`` "year" or "financial_year" labels one tick per period."""
    series = lines.get_column("series").unique(maintain_order=True).to_list()
    # Subject first (highlighted), then its network (blue), then all practices (grey).
    others = [s for s in series if s != subject]
    order = [subject, *sorted(others, key=lambda s: s == "All practices")]
    palette = [HIGHLIGHT_COLOUR, "#0072B2", "#7F7F7F"][: len(order)]
    frame = lines.with_columns((pl.col("value") * 100).round(1).alias("value_pct"))
    base = alt.Chart(to_records(frame)).encode(
        x=period_axis(lines, "period", period_type),
        y=alt.Y("value:Q", title="Value", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
        color=alt.Color(
            "series:N",
            sort=order,
            scale=alt.Scale(domain=order, range=palette),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        strokeDash=alt.StrokeDash(
            "series:N",
            sort=order,
            scale=alt.Scale(domain=order, range=[[1, 0], [6, 3], [2, 2]][: len(order)]),
            legend=None,
        ),
    )
    layers = [
        base.mark_line(strokeWidth=4 if large else 2.5),
        base.mark_point(filled=True, size=70 if large else 30).encode(
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                period_tooltip(lines, "period"),
                alt.Tooltip("value_pct:Q", title="Value (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
            ]
        ),
    ]
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target, "label": f"target {target:.0%}"}]))
            .mark_rule(color="#D55E00", strokeDash=[8, 4], strokeWidth=2)
            .encode(y="target:Q")
        )
    chart = alt.layer(*layers).properties(width="container", height=420 if large else 320)
    return sized(titled(chart, title, caption, large=large), large=large)


def spc_chart_spec(
    spc: pl.DataFrame,
    target: float | None,
    title: str,
    caption: str,
    *,
    proportion: bool = True,
    large: bool = False,
    period_type: str = "month",
) -> alt.LayerChart:
    """XmR / p-chart: points coloured by Making Data Count point type, limits, mean, target;
    ``period_type`` "year" or "financial_year" labels one tick per period."""
    frame = spc.with_columns(
        pl.col("point_type").alias("type"),
        (pl.col("value") * 100).round(2).alias("value_pct"),
    )
    fmt = "%" if proportion else ",.2f"
    x = period_axis(frame, "date", period_type)
    y_scale = alt.Scale(zero=False)
    index = ["date", "period_label"] if "period_label" in frame.columns else ["date"]
    lines = frame.unpivot(
        index=index, on=["mean", "lpl", "upl"], variable_name="line", value_name="y"
    ).with_columns(
        pl.col("line")
        .replace_strict({"mean": "mean", "lpl": "process limits", "upl": "process limits"})
        .alias("kind"),
        pl.col("line").alias("detail"),
    )
    limit_layer = (
        alt.Chart(to_records(lines))
        .mark_line(interpolate="step-after" if not proportion else "linear")
        .encode(
            x=x,
            y=alt.Y("y:Q", title="Value", axis=alt.Axis(format=fmt), scale=y_scale),
            detail="detail:N",
            strokeDash=alt.StrokeDash(
                "kind:N",
                scale=alt.Scale(domain=["mean", "process limits"], range=[[1, 0], [6, 4]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            color=alt.value("#555555"),
        )
    )
    path = alt.Chart(to_records(frame)).mark_line(color="#AAAAAA").encode(x=x, y="value:Q")
    types = list(MDC_COLOURS)
    names = {
        "common_cause": "common cause",
        "improvement": "special cause: improvement",
        "concern": "special cause: concern",
        "neutral_high": "special cause: neutral (high)",
        "neutral_low": "special cause: neutral (low)",
    }
    points = (
        alt.Chart(to_records(frame))
        .mark_point(filled=True, size=140 if large else 60, stroke="black", strokeWidth=0.3)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "type:N",
                scale=alt.Scale(domain=types, range=[MDC_COLOURS[t] for t in types]),
                legend=alt.Legend(
                    title="Point",
                    orient="bottom",
                    labelExpr="{"
                    + ", ".join(f"'{k}': '{v}'" for k, v in names.items())
                    + "}[datum.label]",
                ),
            ),
            shape=alt.Shape(
                "type:N",
                scale=alt.Scale(
                    domain=types,
                    range=["circle", "triangle-up", "triangle-down", "square", "square"],
                ),
                legend=None,
            ),
            tooltip=[
                period_tooltip(frame, "date"),
                alt.Tooltip("value_pct:Q", title="Value (%)" if proportion else "Value × 100"),
                alt.Tooltip("special_cause:N", title="Rule"),
                alt.Tooltip("point_type:N", title="Point type"),
            ],
        )
    )
    layers = [limit_layer, path, points]
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target}]))
            .mark_rule(color="#D55E00", strokeDash=[2, 2], strokeWidth=2)
            .encode(y="target:Q")
        )
    chart = alt.layer(*layers).properties(width="container", height=380 if large else 300)
    return sized(titled(chart, title, caption, large=large), large=large)
