"""Compare two indicators: one point per practice, the chosen network's practices in colour,
ringed and named, the others grey.

By more than colour alone (WCAG 1.4.1): a practice of the chosen network is a larger filled
diamond with a black ring and its name beside it; the others are small grey circles.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import (
    HIGHLIGHT_COLOUR,
    INK,
    RING_COLOUR,
    WITHIN_COLOUR,
    described,
    fonts,
    sized,
    titled,
    to_records,
)

POINT_SELECTION = "practice"
HEIGHT = {False: 420, True: 520}
DOT_SIZE = {False: 60, True: 160}
MINE_SIZE = {False: 160, True: 380}


def label_positions(frame: pl.DataFrame, large: bool) -> pl.DataFrame:
    """Where each network practice's name goes (label_y, in the y axis's units): beside its
    point, moved up or down just enough that no two names overlap (at most a handful of
    names: a network is a few practices), as if the plot were :data:`HEIGHT` px tall."""
    mine = frame.filter(pl.col("in_network")).sort("y_pct")
    ys = frame.get_column("y_pct")
    span = float(ys.max() - ys.min()) if ys.len() else 0.0
    if mine.height == 0 or span == 0:
        return mine.select("practice_id", pl.col("y_pct").alias("label_y"))
    per_px = span / HEIGHT[large]
    gap = (fonts(large)["text"] + 3) * per_px
    # Names closer than a line apart form a cluster, stacked a line apart around the
    # cluster's mean; a name on its own stays level with its point.
    clusters: list[list[float]] = []
    for y in mine.get_column("y_pct").to_list():
        if clusters:
            last = clusters[-1]
            top = sum(last) / len(last) + (len(last) - 1) / 2 * gap
            if y - top < gap:
                last.append(float(y))
                continue
        clusters.append([float(y)])
    placed = [
        sum(c) / len(c) + (i - (len(c) - 1) / 2) * gap for c in clusters for i in range(len(c))
    ]
    return mine.select("practice_id").with_columns(pl.Series("label_y", placed, dtype=pl.Float64))


def scatter_chart(
    points: pl.DataFrame,
    title: str,
    caption: str,
    *,
    x_title: str,
    y_title: str,
    summary: str,
    large: bool = False,
) -> alt.LayerChart:
    """The scatter of :func:`netcompare.views.scatter.scatter_view`'s points (values in
    percent), with a click selection on the practice."""
    size = fonts(large)
    frame = points.with_columns(
        (pl.col("x_value") * 100).alias("x_pct"),
        (pl.col("y_value") * 100).alias("y_pct"),
        pl.when(pl.col("in_network"))
        .then(pl.lit("network"))
        .otherwise(pl.lit("other"))
        .alias("group"),
        pl.format(
            "{}: {}% and {}%",
            pl.col("label"),
            (pl.col("x_value") * 100).round(1),
            (pl.col("y_value") * 100).round(1),
        ).alias("aria"),
    ).sort("in_network")  # the network's points drawn last, on top
    frame = frame.join(label_positions(frame, large), on="practice_id", how="left")
    select = alt.selection_point(name=POINT_SELECTION, fields=["practice_id"], on="click")
    x = alt.X("x_pct:Q", title=x_title, scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("y_pct:Q", title=y_title, scale=alt.Scale(zero=False, nice=True))
    tooltip = [
        alt.Tooltip("label:N", title="Practice"),
        alt.Tooltip("network_name:N", title="Network"),
        alt.Tooltip("x_pct:Q", title=x_title, format=".1f"),
        alt.Tooltip("y_pct:Q", title=y_title, format=".1f"),
    ]
    base = alt.Chart(to_records(frame)).encode(x=x, y=y)
    dots = (
        base.mark_point(filled=True, opacity=0.85)
        .encode(
            shape=alt.Shape(
                "group:N",
                scale=alt.Scale(domain=["network", "other"], range=["diamond", "circle"]),
                legend=None,
            ),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(
                    domain=["network", "other"], range=[HIGHLIGHT_COLOUR, WITHIN_COLOUR]
                ),
                legend=None,
            ),
            size=alt.Size(
                "group:N",
                scale=alt.Scale(
                    domain=["network", "other"], range=[MINE_SIZE[large], DOT_SIZE[large]]
                ),
                legend=None,
            ),
            stroke=alt.condition("datum.in_network", alt.value(RING_COLOUR), alt.value("#8C8C8C")),
            strokeWidth=alt.condition("datum.in_network", alt.value(1.5), alt.value(0.5)),
            opacity=alt.condition(select, alt.value(0.9), alt.value(0.3)),
            # What a screen reader says of a point (Vega's ARIA label): the practice.
            description="aria:N",
            tooltip=tooltip,
        )
        .add_params(select)
        .properties(name="points")
    )
    names = (
        base.transform_filter("datum.in_network")
        .mark_text(align="left", baseline="middle", dx=9, color=INK, fontSize=size["text"])
        .encode(
            y=alt.Y("label_y:Q", scale=alt.Scale(zero=False, nice=True)),
            text="label:N",
            tooltip=tooltip,
        )
        .properties(name="network_labels")
    )
    chart = alt.layer(dots, names).properties(width="container", height=HEIGHT[large])
    chart = titled(chart, title, caption, large=large)
    return described(sized(chart, large=large), summary)
