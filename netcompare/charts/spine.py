"""The spine chart of a practice profile: one row per indicator, Fingertips style.

After Fingertips' area profiles as ``fingertipscharts::area_profiles`` draws them (the
rescaling in ``spine_rescaler``, ukhsa-collaboration/fingertipscharts R/spine_chart_utils.R):

- each row is rescaled on its own so that the benchmark sits at the centre and the practice
  farther from it (the lowest or the highest) touches the row's edge: half the row is
  ``max(benchmark - lowest, highest - benchmark)``;
- rows of a lower-is-better indicator are mirrored, so that better is always to the right
  ("Worst" on the left, "Best" on the right, as Fingertips labels them);
- a light band from the lowest to the highest practice, a dark band from the 25th to the
  75th percentile, a line at the benchmark; the practice's value as a marker coloured by its
  comparison with the benchmark, and (Fingertips' regional marker) the network's average.

Beyond Fingertips: the practice's marker also has a shape for its verdict (▲ better,
● similar, ▼ worse), so it never relies on colour alone; the numbers are in the tooltips and
the table beside the chart.
"""

from __future__ import annotations

import json
import textwrap

import altair as alt
import polars as pl

from netcompare.charts.common import (
    INK,
    NEUTRAL_STATUS_COLOUR,
    RAG_COLOURS,
    caption_lines,
    described,
    fonts,
    sized,
    titled,
    to_records,
)
from netcompare.views.format import verdict_text

RANGE_COLOUR = "#D9D9D9"  # Fingertips' light grey: lowest to highest
QUARTILE_COLOUR = "#8C8C8C"  # Fingertips' dark grey: 25th to 75th percentile
BENCHMARK_COLOUR = INK
NETWORK_FILL = "#FFFFFF"
ROW_HEIGHT = {False: 34, True: 52}
LARGE_CAPTION_CHARS = 110  # about 1,100 px at 18 px: the width of a 1366 px projector
LABEL_CHARS = {False: 38, True: 30}  # an indicator's name is wrapped at about this width

# The practice's marker: its verdict in three classes (five with neutral indicators).
MARKER_CLASSES = {
    "best": "better",
    "better": "better",
    "similar": "similar",
    "worse": "worse",
    "worst": "worse",
    "much_higher": "higher",
    "higher": "higher",
    "lower": "lower",
    "much_lower": "lower",
}
MARKER_WORDS = {
    "better": "▲ better",
    "similar": "● similar",
    "worse": "▼ worse",
    "higher": "▲ higher",
    "lower": "▼ lower",
}
MARKER_COLOURS = {
    "better": RAG_COLOURS["green"],
    "similar": RAG_COLOURS["amber"],
    "worse": RAG_COLOURS["red"],
    "higher": NEUTRAL_STATUS_COLOUR,
    "lower": NEUTRAL_STATUS_COLOUR,
}
MARKER_SHAPES = {
    "better": "triangle-up",
    "similar": "circle",
    "worse": "triangle-down",
    "higher": "triangle-up",
    "lower": "triangle-down",
}
KEY_WORDS = (
    "Light grey: lowest to highest practice · dark grey: 25th to 75th percentile · black "
    "line: benchmark · white diamond: the network's average · better is to the right"
)


def spine_positions(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with each value's place on its row, 0 (left) to 1 (right): ``x_value``,
    ``x_network``, ``x_benchmark`` (0.5), and the bands ``x_range_lo``/``x_range_hi``
    and ``x_q_lo``/``x_q_hi`` (left and right ends, after mirroring lower-is-better rows).

    A row whose practices all have the same value (no spread) puts everything at 0.5.
    """
    bench = pl.col("benchmark")
    half = pl.max_horizontal(bench - pl.col("minimum"), pl.col("maximum") - bench)
    low = pl.col("polarity") == "low"

    def place(column: str) -> pl.Expr:
        raw = pl.when(half > 0).then(0.5 + (pl.col(column) - bench) / (2 * half)).otherwise(0.5)
        raw = pl.when(pl.col(column).is_null()).then(None).otherwise(raw)
        return pl.when(low).then(1 - raw).otherwise(raw).clip(0.0, 1.0)

    placed = rows.with_columns(
        place("value").alias("x_value"),
        place("network_value").alias("x_network"),
        place("benchmark").alias("x_benchmark"),
        place("minimum").alias("_x_min"),
        place("maximum").alias("_x_max"),
        place("q25").alias("_x_q25"),
        place("q75").alias("_x_q75"),
    )
    return placed.with_columns(
        pl.min_horizontal("_x_min", "_x_max").alias("x_range_lo"),
        pl.max_horizontal("_x_min", "_x_max").alias("x_range_hi"),
        pl.min_horizontal("_x_q25", "_x_q75").alias("x_q_lo"),
        pl.max_horizontal("_x_q25", "_x_q75").alias("x_q_hi"),
    ).drop("_x_min", "_x_max", "_x_q25", "_x_q75")


def spine_summary(rows: pl.DataFrame, practice_label: str) -> str:
    """One sentence saying what the spine chart shows (its text alternative)."""
    shown = rows.filter(pl.col("value").is_not_null())
    classes = shown.get_column("verdict").replace_strict(MARKER_CLASSES, default=None).drop_nulls()
    counts = classes.value_counts()
    got = dict(counts.iter_rows()) if counts.height else {}
    parts = [f"{got.get(c, 0)} {c}" for c in ("better", "similar", "worse")]
    parts += [f"{got[c]} {c}" for c in ("higher", "lower") if c in got]
    return (
        f"Spine chart of {practice_label} on {rows.height} indicators ({shown.height} with "
        f"data): against the benchmark, {', '.join(parts)}."
    )


def spine_chart(
    rows: pl.DataFrame,
    title: str,
    caption: str,
    *,
    practice_label: str,
    network_name: str,
    large: bool = False,
) -> alt.LayerChart:
    """The spine chart of :func:`netcompare.views.profile.profile_view`'s rows."""
    # The period in each row's label only where the indicators' latest periods differ.
    one_period = rows.get_column("period_label").n_unique() <= 1
    frame = spine_positions(rows).with_columns(
        (
            pl.col("indicator_name")
            if one_period
            else pl.format("{} ({})", pl.col("indicator_name"), pl.col("period_label"))
        ).alias("row"),
        pl.col("verdict").replace_strict(MARKER_CLASSES, default=None).alias("marker"),
        verdict_text().alias("verdict_words"),
        *((pl.col(c) * 100).round(2).alias(f"{c}_pct") for c in _PERCENT_COLUMNS),
    )
    order = frame.get_column("row").to_list()
    size = fonts(large)
    wrap = LABEL_CHARS[large]
    lines = {r: textwrap.wrap(r, wrap, break_long_words=False) or [r] for r in order}
    row_h = ROW_HEIGHT[large]
    tooltip = [
        alt.Tooltip("indicator_name:N", title="Indicator"),
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("value_pct:Q", title=f"{practice_label} (%)"),
        alt.Tooltip("ci95_lower_pct:Q", title="95% CI lower (%)"),
        alt.Tooltip("ci95_upper_pct:Q", title="95% CI upper (%)"),
        alt.Tooltip("verdict_words:N", title="vs benchmark"),
        alt.Tooltip("trend_words:N", title="Recent trend"),
        alt.Tooltip("network_value_pct:Q", title=f"{network_name} average (%)"),
        alt.Tooltip("benchmark_pct:Q", title="Benchmark (%)"),
        alt.Tooltip("minimum_pct:Q", title="Lowest (%)"),
        alt.Tooltip("q25_pct:Q", title="25th percentile (%)"),
        alt.Tooltip("q75_pct:Q", title="75th percentile (%)"),
        alt.Tooltip("maximum_pct:Q", title="Highest (%)"),
        alt.Tooltip("practices:Q", title="Practices compared"),
    ]
    x_axis = alt.Axis(
        values=[0, 0.5, 1],
        labelExpr=(
            "datum.value == 0 ? 'Worst / lowest' : datum.value == 1 ? 'Best / highest' "
            ": 'Benchmark'"
        ),
        labelAlign=alt.expr("datum.value == 0 ? 'left' : datum.value == 1 ? 'right' : 'center'"),
        grid=False,
        ticks=False,
        domain=False,
        title=None,
    )
    # A little room beyond 0 and 1: a marker at the row's end is drawn whole, clear of the
    # indicator's name.
    x_scale = alt.Scale(domain=[-0.04, 1.04], nice=False, zero=False)
    y = alt.Y(
        "row:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelLimit=0,
            labelExpr=f"{json.dumps(lines, ensure_ascii=False)}[datum.label] || datum.label",
            labelLineHeight=size["label"] + 2,
            ticks=False,
            domain=False,
            labelPadding=8,
        ),
        scale=alt.Scale(paddingInner=0.25),
    )
    base = alt.Chart(to_records(frame)).encode(y=y, tooltip=tooltip)
    band = row_h * 0.62
    range_band = base.mark_bar(color=RANGE_COLOUR, height=band).encode(
        x=alt.X("x_range_lo:Q", scale=x_scale, axis=x_axis), x2="x_range_hi:Q"
    )
    quartile_band = base.mark_bar(color=QUARTILE_COLOUR, height=band).encode(
        x=alt.X("x_q_lo:Q", scale=x_scale), x2="x_q_hi:Q"
    )
    benchmark = base.mark_tick(
        color=BENCHMARK_COLOUR, thickness=3, size=row_h * 0.85, orient="vertical"
    ).encode(x=alt.X("x_benchmark:Q", scale=x_scale))
    network = (
        base.transform_filter("isValid(datum.x_network)")
        .mark_point(
            shape="diamond",
            filled=True,
            fill=NETWORK_FILL,
            stroke=INK,
            strokeWidth=2,
            size=220 if large else 130,
            opacity=1,
        )
        .encode(x=alt.X("x_network:Q", scale=x_scale))
    )
    classes = [c for c in MARKER_WORDS if c in set(frame.get_column("marker").drop_nulls())]
    practice = (
        base.transform_filter("isValid(datum.x_value)")
        .mark_point(filled=True, stroke=INK, strokeWidth=1.5, size=420 if large else 220, opacity=1)
        .encode(
            x=alt.X("x_value:Q", scale=x_scale),
            color=alt.Color(
                "marker:N",
                scale=alt.Scale(domain=classes, range=[MARKER_COLOURS[c] for c in classes]),
                legend=alt.Legend(
                    title=f"{practice_label} against the benchmark",
                    orient="bottom",
                    direction="horizontal",
                    labelExpr=f"{json.dumps(MARKER_WORDS, ensure_ascii=False)}[datum.label]"
                    " || datum.label",
                ),
            ),
            shape=alt.Shape(
                "marker:N",
                scale=alt.Scale(domain=classes, range=[MARKER_SHAPES[c] for c in classes]),
                legend=alt.Legend(
                    title=f"{practice_label} against the benchmark",
                    orient="bottom",
                    direction="horizontal",
                    labelExpr=f"{json.dumps(MARKER_WORDS, ensure_ascii=False)}[datum.label]"
                    " || datum.label",
                ),
            ),
        )
    )
    max_lines = max((len(v) for v in lines.values()), default=1)
    step = max(row_h, max_lines * (size["label"] + 2) + 8)
    chart = alt.layer(range_band, quartile_band, benchmark, network, practice).properties(
        width="container", height=max(120, step * len(order))
    )
    chart = titled(chart, title, f"{caption} · {KEY_WORDS}", large=large)
    if large:
        # The chart spans the projector's width (a half-screen chart is what titled() wraps
        # its caption for): lines twice as long, so the caption does not fill the first screen.
        chart.title.subtitle = caption_lines(f"{caption} · {KEY_WORDS}", LARGE_CAPTION_CHARS)
    return described(sized(chart, large=large), spine_summary(rows, practice_label))


_PERCENT_COLUMNS = (
    "value",
    "ci95_lower",
    "ci95_upper",
    "network_value",
    "benchmark",
    "minimum",
    "q25",
    "q75",
    "maximum",
)
