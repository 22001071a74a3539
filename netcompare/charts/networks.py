"""Networks: averages against the network target, and the spread of practices within each."""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import HIGHLIGHT_COLOUR, sized, titled, to_records


def network_bars(
    networks: pl.DataFrame,
    target: float | None,
    title: str,
    caption: str,
    *,
    large: bool = False,
) -> alt.LayerChart:
    """Bar per network (pooled average), the target as a rule, meeting it marked ✔ / ✖."""
    frame = networks.with_columns(
        pl.when(pl.col("meets").is_null())
        .then(pl.lit("no network target"))
        .when(pl.col("meets"))
        .then(pl.lit("✔ meets target"))
        .otherwise(pl.lit("✖ below target"))
        .alias("status"),
        (pl.col("value") * 100).round(1).alias("value_pct"),
        pl.format("{}%", (pl.col("value") * 100).round(1)).alias("value_text"),
    )
    order = frame.get_column("network_name").to_list()
    y = alt.Y("network_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart(to_records(frame))
        # Dots, not bars: averages of 88-94% are told apart on an axis that does not start
        # at zero, which a bar (whose length must mean something) cannot honestly do.
        .mark_point(filled=True, size=420 if large else 200, opacity=1)
        .encode(
            y=y,
            x=alt.X(
                "value:Q",
                title="Network average (pooled)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(zero=False, padding=30),
            ),
            shape=alt.Shape(
                "status:N",
                scale=alt.Scale(
                    domain=["✔ meets target", "✖ below target", "no network target"],
                    range=["circle", "diamond", "square"],
                ),
                legend=None,
            ),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["✔ meets target", "✖ below target", "no network target"],
                    range=["#009E73", "#D55E00", "#BBBBBB"],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            stroke=alt.condition(
                "datum.in_network", alt.value(HIGHLIGHT_COLOUR), alt.value("white")
            ),
            strokeWidth=alt.condition("datum.in_network", alt.value(4), alt.value(1)),
            tooltip=[
                alt.Tooltip("network_name:N", title="Network"),
                alt.Tooltip("value_pct:Q", title="Average (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
                alt.Tooltip("practices:Q", title="Practices"),
                alt.Tooltip("status:N", title="Target"),
            ],
        )
    )
    text = (
        alt.Chart(to_records(frame))
        .mark_text(align="left", dx=14, dy=-10, fontSize=16 if large else 11)
        .encode(y=y, x="value:Q", text="value_text:N")
    )
    layers = [bars, text]
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target}]))
            .mark_rule(color="black", strokeDash=[6, 3], strokeWidth=2)
            .encode(x="target:Q")
        )
    chart = alt.layer(*layers).properties(
        width="container", height=max(160, (34 if large else 24) * len(order))
    )
    return sized(titled(chart, title, caption, large=large), large=large)


def practice_spread(
    practices: pl.DataFrame,
    order: list[str],
    target: float | None,
    title: str,
    caption: str,
    *,
    large: bool = False,
) -> alt.LayerChart:
    """Each practice as a point on its network's row, with the network's box (spread)."""
    frame = practices.with_columns((pl.col("value") * 100).round(1).alias("value_pct"))
    y = alt.Y("network_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x = alt.X(
        "value:Q", title="Practice value", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)
    )
    box = (
        alt.Chart(to_records(frame))
        .mark_boxplot(extent="min-max", color="#CCCCCC", size=18 if large else 12, opacity=0.6)
        .encode(y=y, x=x)
    )
    dots = (
        alt.Chart(to_records(frame))
        .mark_point(filled=True, size=160 if large else 60)
        .encode(
            y=y,
            x=x,
            color=alt.condition(
                "datum.in_network", alt.value(HIGHLIGHT_COLOUR), alt.value("#0072B2")
            ),
            shape=alt.condition("datum.in_network", alt.value("diamond"), alt.value("circle")),
            tooltip=[
                alt.Tooltip("label:N", title="Practice"),
                alt.Tooltip("network_name:N", title="Network"),
                alt.Tooltip("value_pct:Q", title="Value (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
            ],
        )
    )
    layers = [box, dots]
    if target is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"target": target}]))
            .mark_rule(color="black", strokeDash=[6, 3])
            .encode(x="target:Q")
        )
    chart = alt.layer(*layers).properties(
        width="container", height=max(160, (34 if large else 24) * len(order))
    )
    return sized(titled(chart, title, caption, large=large), large=large)
