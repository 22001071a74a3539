"""Networks: averages against the network target, and the spread of practices within each."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from netcompare.charts.common import (
    HIGHLIGHT_COLOUR,
    RAG_COLOURS,
    RING_COLOUR,
    described,
    fonts,
    sized,
    titled,
    to_records,
)

STATUSES = ["✔ meets target", "✖ below target", "no network target"]


def _chosen(frame: pl.DataFrame) -> list[str]:
    """The chosen network's name(s), for bold axis labels."""
    if "in_network" not in frame.columns:
        return []
    return frame.filter(pl.col("in_network")).get_column("network_name").unique().to_list()


def _network_axis(frame: pl.DataFrame) -> alt.Axis:
    """Network names in full, the chosen network's in bold."""
    chosen = json.dumps(_chosen(frame), ensure_ascii=False)
    return alt.Axis(
        labelLimit=0,
        labelFontWeight=alt.expr(f"indexof({chosen}, datum.label) >= 0 ? 'bold' : 'normal'"),
    )


def network_bars_summary(networks: pl.DataFrame, target: float | None) -> str:
    """One sentence saying what the network averages chart shows (its text alternative)."""
    ranked = networks.filter(pl.col("value").is_not_null()).sort("value", descending=True)
    if ranked.height == 0:
        return "No network has a value."
    top, bottom = ranked.row(0, named=True), ranked.row(-1, named=True)
    sentence = (
        f"Averages of {ranked.height} networks, from {top['network_name']} "
        f"({top['value']:.1%}) down to {bottom['network_name']} ({bottom['value']:.1%})"
    )
    if target is not None and "meets" in ranked.columns:
        meeting = ranked.filter(pl.col("meets").fill_null(False)).height
        sentence += f"; {meeting} of {ranked.height} meet the network target of {target:.0%}"
    chosen = ranked.filter(pl.col("in_network")) if "in_network" in ranked.columns else None
    if chosen is not None and chosen.height:
        c = chosen.row(0, named=True)
        place = ranked.get_column("network_name").to_list().index(c["network_name"]) + 1
        sentence += f"; {c['network_name']} is {place} of {ranked.height} at {c['value']:.1%}"
    return sentence + "."


def practice_spread_summary(practices: pl.DataFrame, target: float | None) -> str:
    """One sentence saying what the spread chart shows (its text alternative)."""
    spread = (
        practices.filter(pl.col("value").is_not_null())
        .group_by("network_name")
        .agg((pl.col("value").max() - pl.col("value").min()).alias("range"), pl.len())
        .sort("range", descending=True)
    )
    if spread.height == 0:
        return "No practice has a value."
    widest = spread.row(0, named=True)
    sentence = (
        f"Values of {practices.height} practices in {spread.height} networks; the widest "
        f"spread is in {widest['network_name']} ({widest['range'] * 100:.1f} percentage points)"
    )
    if target is not None:
        below = practices.filter(pl.col("value") < target).height
        sentence += f"; {below} practices are below the target of {target:.0%}"
    return sentence + "."


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
    y = alt.Y("network_name:N", sort=order, title=None, axis=_network_axis(frame))
    bars = (
        alt.Chart(to_records(frame))
        # Dots on an axis from 0%: where each average stands in the whole range, as a bar
        # would show it; the value beside each dot tells close averages apart.
        .mark_point(filled=True, size=420 if large else 200, opacity=1)
        .encode(
            y=y,
            x=alt.X(
                "value:Q",
                title="Network average (pooled)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domainMin=0, nice=True),
            ),
            shape=alt.Shape(
                "status:N",
                scale=alt.Scale(domain=STATUSES, range=["circle", "diamond", "square"]),
                legend=alt.Legend(title=None, orient="bottom", columns=len(STATUSES)),
            ),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=STATUSES,
                    range=[RAG_COLOURS["green"], RAG_COLOURS["red"], RAG_COLOURS["none"]],
                ),
                legend=alt.Legend(title=None, orient="bottom", columns=len(STATUSES)),
            ),
            stroke=alt.condition("datum.in_network", alt.value(RING_COLOUR), alt.value("white")),
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
        # Left of the dot, in the empty run from 0%: clear of the target line to its right.
        .mark_text(
            align="right",
            dx=-16 if large else -12,
            baseline="middle",
            fontSize=fonts(large)["text"],
        )
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
        width="container", height=max(160, (44 if large else 26) * len(order))
    )
    return described(
        sized(titled(chart, title, caption, large=large), large=large),
        network_bars_summary(networks, target),
    )


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
    y = alt.Y("network_name:N", sort=order, title=None, axis=_network_axis(frame))
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
        width="container", height=max(160, (44 if large else 26) * len(order))
    )
    return described(
        sized(titled(chart, title, caption, large=large), large=large),
        practice_spread_summary(practices, target),
    )
