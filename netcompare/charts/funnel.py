"""The funnel plot: value against denominator, 95% and 99.8% limits, outliers labelled."""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import (
    HIGH_COLOUR,
    HIGHLIGHT_COLOUR,
    LOW_COLOUR,
    sized,
    titled,
    to_records,
)

POINT_SELECTION = "practice"


def funnel_chart(
    points: pl.DataFrame,
    grid: pl.DataFrame,
    benchmark: float,
    title: str,
    caption: str,
    *,
    large: bool = False,
    label_outliers: str = "network",
) -> alt.LayerChart:
    """Layers: limit curves, benchmark line, practices (chosen network as diamonds), labels.

    ``label_outliers``: "network" labels the chosen network's outliers and every practice
    outside 99.8%; "all" labels every outlier.
    """
    limits = grid.unpivot(
        index="denominator",
        on=["funnel95_lower", "funnel95_upper", "funnel998_lower", "funnel998_upper"],
        variable_name="limit",
        value_name="y",
    ).with_columns(
        pl.when(pl.col("limit").str.contains("95_"))
        .then(pl.lit("95% limits"))
        .otherwise(pl.lit("99.8% limits"))
        .alias("level"),
        pl.col("limit").str.replace("funnel(95|998)_", "").alias("side"),
    )
    pts = points.with_columns(
        pl.when(pl.col("status") == "within limits")
        .then(pl.lit("within limits"))
        .when(pl.col("outlier95") == "high")
        .then(pl.concat_str(pl.lit("high: "), pl.col("status")))
        .otherwise(pl.concat_str(pl.lit("low: "), pl.col("status")))
        .alias("flag"),
        pl.when(pl.col("in_network"))
        .then(pl.lit("chosen network"))
        .otherwise(pl.lit("other practices"))
        .alias("group"),
        (pl.col("value") * 100).round(1).alias("value_pct"),
        (pl.col("ci95_lower") * 100).round(1).alias("ci_lo"),
        (pl.col("ci95_upper") * 100).round(1).alias("ci_hi"),
    ).select(
        "practice_id",
        "label",
        "network_name",
        "in_network",
        "value",
        "value_pct",
        "numerator",
        "denominator",
        "ci_lo",
        "ci_hi",
        "status",
        "flag",
        "group",
    )
    flags = [
        "within limits",
        "high: outside 95%",
        "high: outside 99.8%",
        "low: outside 95%",
        "low: outside 99.8%",
    ]
    colours = ["#C8C8C8", "#56B4E9", HIGH_COLOUR, "#F5B48C", LOW_COLOUR]
    x = alt.X("denominator:Q", title="Denominator (patients)", scale=alt.Scale(zero=True))
    # Zoom the value axis on where the practices and their limits are, not on 0-100%: the
    # 0.5th-99.5th percentiles of the values and the 99.8% limits from the 5th percentile
    # denominator up (a handful of tiny practices would otherwise flatten everyone else).
    values = points.get_column("value").drop_nulls()
    dens = points.get_column("denominator")
    n_low = float(dens.quantile(0.05, "linear")) if points.height >= 40 else float(dens.min())
    near = grid.filter(pl.col("denominator") >= n_low)
    lows = [values.quantile(0.005, "linear"), near.get_column("funnel998_lower").min(), benchmark]
    highs = [values.quantile(0.995, "linear"), near.get_column("funnel998_upper").max(), benchmark]
    lo, hi = min(v for v in lows if v is not None), max(v for v in highs if v is not None)
    pad = max(0.01, (hi - lo) * 0.08)
    y_scale = alt.Scale(domain=[max(0.0, lo - pad), min(1.0, hi + pad)], zero=False)
    curve = (
        alt.Chart(to_records(limits))
        .mark_line(color="#333333", clip=True)
        .encode(
            x=x,
            y=alt.Y("y:Q", title="Value", axis=alt.Axis(format="%"), scale=y_scale),
            detail="limit:N",
            strokeDash=alt.StrokeDash(
                "level:N",
                scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[6, 4], [1, 0]]),
                legend=alt.Legend(title="Control limits", orient="right"),
            ),
        )
    )
    centre = (
        alt.Chart(alt.Data(values=[{"benchmark": benchmark}]))
        .mark_rule(color="#000000", strokeWidth=1.5)
        .encode(y="benchmark:Q")
    )
    select = alt.selection_point(name=POINT_SELECTION, fields=["practice_id"], on="click")
    size = 260 if large else 90
    crowded = pts.height > 500
    if crowded:
        size = size // 3
    dots = (
        alt.Chart(to_records(pts))
        .mark_point(
            filled=True,
            opacity=0.75 if crowded else 0.9,
            stroke="black",
            strokeWidth=0 if crowded else 0.5,
            clip=True,
        )
        .encode(
            x=x,
            y=alt.Y("value:Q", axis=alt.Axis(format="%"), scale=y_scale),
            color=alt.Color(
                "flag:N",
                scale=alt.Scale(domain=flags, range=colours),
                legend=alt.Legend(title="Against the benchmark", orient="right"),
            ),
            shape=alt.Shape(
                "group:N",
                scale=alt.Scale(
                    domain=["chosen network", "other practices"], range=["diamond", "circle"]
                ),
                legend=alt.Legend(title="Practices", orient="right"),
            ),
            size=alt.condition("datum.in_network", alt.value(size * 2.2), alt.value(size)),
            tooltip=[
                alt.Tooltip("label:N", title="Practice"),
                alt.Tooltip("network_name:N", title="Network"),
                alt.Tooltip("value_pct:Q", title="Value (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
                alt.Tooltip("ci_lo:Q", title="95% CI lower (%)"),
                alt.Tooltip("ci_hi:Q", title="95% CI upper (%)"),
                alt.Tooltip("flag:N", title="Funnel"),
            ],
        )
        .add_params(select)
    )
    ring = (
        alt.Chart(to_records(pts.filter(pl.col("in_network"))))
        .mark_point(
            shape="diamond",
            filled=True,
            color=HIGHLIGHT_COLOUR,
            stroke="black",
            strokeWidth=1.5,
            clip=True,
        )
        .encode(x=x, y="value:Q", size=alt.value(max(size, 90) * 2.4))
    )
    if label_outliers == "all":
        to_label = pts.filter(pl.col("status") != "within limits")
    else:
        to_label = pts.filter(
            (pl.col("in_network") & (pl.col("status") != "within limits"))
            | (pl.col("status") == "outside 99.8%")
        )
    if to_label.height > 40:
        to_label = to_label.filter(pl.col("in_network")).head(40)
    labels = (
        alt.Chart(to_records(to_label))
        .mark_text(
            align="left", dx=9, dy=-7, fontSize=16 if large else 11, fontWeight="bold", clip=True
        )
        .encode(x=x, y="value:Q", text="label:N")
    )
    # The chosen network's practices are drawn last, so they stay visible in a crowd.
    chart = alt.layer(curve, centre, dots, ring, labels).properties(
        width="container", height=560 if large else 430
    )
    return sized(titled(chart, title, caption, large=large), large=large)
