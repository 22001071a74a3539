"""The funnel plot: value against denominator, 95% and 99.8% limits, practices labelled.

What each mark says, by more than colour alone (WCAG 1.4.1):
- shape: ● within the limits, ▲ significantly high, ▼ significantly low;
- fill: an outlier beyond 99.8% is filled, one beyond 95% only is hollow;
- colour (blue high, vermillion low, grey within) repeats shape and fill;
- a black ring and a bold label: a practice of the chosen network;
- "✎ n" after a label, and in the tooltip: the practice has n peer notes;
- a point beyond the value axis is drawn on its edge with an arrow (↑ / ↓) and its value.

Labels: every practice of the chosen network, every outlier and every practice with notes
(up to :data:`MAX_LABELS`, the most telling first), moved apart vertically so that none
overlaps another, with a leader line back to a point that had to be left.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from netcompare.charts.common import (
    HIGH_COLOUR,
    LOW_COLOUR,
    RING_COLOUR,
    WITHIN_COLOUR,
    described,
    fonts,
    sized,
    titled,
    to_records,
)

POINT_SELECTION = "practice"
MAX_LABELS = 40

FLAGS = [
    "within limits",
    "high: outside 95%",
    "high: outside 99.8%",
    "low: outside 95%",
    "low: outside 99.8%",
]
FLAG_SHAPES = ["circle", "triangle-up", "triangle-up", "triangle-down", "triangle-down"]
FLAG_FILLS = [WITHIN_COLOUR, "#FFFFFF", HIGH_COLOUR, "#FFFFFF", LOW_COLOUR]
FLAG_STROKES = ["#8C8C8C", HIGH_COLOUR, HIGH_COLOUR, LOW_COLOUR, LOW_COLOUR]

HEIGHT = {False: 430, True: 560}
# The plot's width is the container's, not known here; labels are kept apart as if the
# plot were this narrow (a wider plot only leaves more room between them).
ASSUMED_PLOT_WIDTH = {False: 420, True: 560}
CHAR_WIDTH = 0.6
DOT_SIZE = {False: 90, True: 260}  # area (px²) of a practice's point
RING_SCALE = 5.5  # the ring round a chosen-network practice, as a multiple of that area


def verdict_short() -> pl.Expr:
    """The verdict's word alone ("worse", from "▼ worse (outside 95% limits)"): the point's
    shape already shows the side and the fill the limit."""
    return (
        pl.col("verdict_words")
        .fill_null("")
        .str.replace(r"^[▲▼●\s]+", "")
        .str.replace(r"\s*\(.*\)$", "")
    )


OPPOSITE = {"better": "worse", "worse": "better", "higher": "lower", "lower": "higher"}


def flag_legend(pts: pl.DataFrame) -> dict[str, str]:
    """Each flag's legend words: its side and limit, then the verdict as every page says it
    ("high, outside 95%: worse" where lower is better). The verdict of a side is read off
    the points (the indicator's polarity decides it); with no outlier, the sides keep their
    own words."""
    side_words: dict[str, str] = {}
    for direction, verdict in (
        pts.filter((pl.col("status") != "within limits") & (pl.col("verdict_short") != ""))
        .select(pl.col("flag").str.split(":").list.first(), "verdict_short")
        .unique(maintain_order=True)
        .iter_rows()
    ):
        side_words.setdefault(direction, verdict)
    for side, other in (("high", "low"), ("low", "high")):
        if side not in side_words and side_words.get(other) in OPPOSITE:
            side_words[side] = OPPOSITE[side_words[other]]
    words = {}
    for flag in FLAGS:
        side, _, limit = flag.partition(": ")
        if flag == "within limits":
            words[flag] = "within limits: similar"
        elif side in side_words:
            words[flag] = f"{side}, {limit}: {side_words[side]}"
        else:
            words[flag] = f"{side}, {limit}"
    return words


def funnel_value_domain(points: pl.DataFrame, grid: pl.DataFrame, benchmark: float):
    """The value axis: zoomed on where the practices and their limits are, not 0-100%.

    The 0.5th-99.5th percentiles of the values and the 99.8% limits from the 5th percentile
    denominator up (a handful of tiny practices would otherwise flatten everyone else);
    points beyond it are drawn on its edge and marked off scale.
    """
    values = points.get_column("value").drop_nulls()
    dens = points.get_column("denominator")
    n_low = float(dens.quantile(0.05, "linear")) if points.height >= 40 else float(dens.min())
    near = grid.filter(pl.col("denominator") >= n_low)
    lows = [values.quantile(0.005, "linear"), near.get_column("funnel998_lower").min(), benchmark]
    highs = [values.quantile(0.995, "linear"), near.get_column("funnel998_upper").max(), benchmark]
    lo, hi = min(v for v in lows if v is not None), max(v for v in highs if v is not None)
    pad = max(0.01, (hi - lo) * 0.08)
    return max(0.0, lo - pad), min(1.0, hi + pad)


def funnel_points(
    points: pl.DataFrame, domain: tuple[float, float], note_counts: dict[str, int] | None
) -> pl.DataFrame:
    """The points as drawn: flag, group, clamped value, off-scale arrow, note count."""
    lo, hi = domain
    notes = pl.DataFrame(
        {
            "practice_id": list((note_counts or {}).keys()),
            "n_notes": list((note_counts or {}).values()),
        },
        schema={"practice_id": pl.String, "n_notes": pl.Int64},
    )
    return (
        points.join(notes, on="practice_id", how="left")
        .with_columns(
            pl.col("n_notes").fill_null(0),
            verdict_short().alias("verdict_short"),
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
            pl.col("value").clip(lo, hi).alias("value_shown"),
            pl.when(pl.col("value") > hi)
            .then(pl.lit("↑"))
            .when(pl.col("value") < lo)
            .then(pl.lit("↓"))
            .otherwise(pl.lit(""))
            .alias("off_scale"),
        )
        .with_columns(
            pl.format("{}", pl.col("label"))
            .add(
                pl.when(pl.col("off_scale") != "")
                .then(pl.format(" {}% {} off scale", pl.col("value_pct"), pl.col("off_scale")))
                .otherwise(pl.lit(""))
            )
            .add(
                # An outlier's label says what the verdict says on every page: "(worse)".
                pl.when(pl.col("status") != "within limits")
                .then(pl.format(" ({})", pl.col("verdict_short")))
                .otherwise(pl.lit(""))
            )
            .add(
                pl.when(pl.col("n_notes") > 0)
                .then(pl.format(" ✎{}", pl.col("n_notes")))
                .otherwise(pl.lit(""))
            )
            .alias("label_text"),
        )
        .select(
            "practice_id",
            "label",
            "label_text",
            "network_name",
            "in_network",
            "value",
            "value_shown",
            "value_pct",
            "numerator",
            "denominator",
            "ci_lo",
            "ci_hi",
            "status",
            "verdict_words",
            "verdict_short",
            "flag",
            "group",
            "off_scale",
            "n_notes",
        )
    )


def labels_to_draw(pts: pl.DataFrame, benchmark: float) -> pl.DataFrame:
    """The practices to name: the chosen network's, every outlier, every one with notes;
    at most :data:`MAX_LABELS`, the chosen network first, then the furthest outliers."""
    wanted = pts.filter(
        pl.col("in_network") | (pl.col("status") != "within limits") | (pl.col("n_notes") > 0)
    ).with_columns(
        pl.when(pl.col("in_network"))
        .then(0)
        .when(pl.col("status") == "outside 99.8%")
        .then(1)
        .when(pl.col("status") == "outside 95%")
        .then(2)
        .otherwise(3)
        .alias("_priority"),
        (pl.col("value") - benchmark).abs().alias("_distance"),
    )
    return (
        wanted.sort(["_priority", "_distance"], descending=[False, True])
        .head(MAX_LABELS)
        .drop("_priority", "_distance")
    )


def place_labels(
    labels: pl.DataFrame, x_max: float, domain: tuple[float, float], *, large: bool
) -> pl.DataFrame:
    """Positions for the labels that keep them from overlapping.

    Each label sits beside its point (on the left when it would run off the right edge);
    labels are taken from the top down and each is moved down, or up, just enough to clear
    the labels already placed whose boxes it would cross. Positions are worked out in pixels
    of a plot :data:`ASSUMED_PLOT_WIDTH` wide and returned in data units (``label_y``), with
    ``align`` and ``dx`` for the text mark.
    """
    if labels.height == 0:
        return labels.with_columns(
            pl.lit(None, pl.Float64).alias("label_y"),
            pl.lit("left").alias("align"),
            pl.lit(0.0).alias("dx"),
        )
    lo, hi = domain
    width, height = ASSUMED_PLOT_WIDTH[large], HEIGHT[large]
    font = fonts(large)["text"]
    line = font * 1.25
    dot_r = (DOT_SIZE[large] / 3.14) ** 0.5
    ring_r = (DOT_SIZE[large] * RING_SCALE / 3.14) ** 0.5
    rows = labels.sort("value_shown", descending=True).to_dicts()
    placed: list[tuple[float, float, float]] = []  # (left, right, centre y) in pixels
    for row in rows:
        px = row["denominator"] / x_max * width
        py = (hi - row["value_shown"]) / (hi - lo) * height
        text_px = len(row["label_text"]) * CHAR_WIDTH * font
        gap = (ring_r if row["in_network"] else dot_r) + 4
        # Beside the point on the right, unless only the left has room; where neither has,
        # on the roomier side (a label run past the y axis would cross its labels).
        fits_right, fits_left = px + gap + text_px <= width, px - gap - text_px >= 0
        right_side = fits_right or (not fits_left and width - px >= px)
        left, right = (px + gap, px + gap + text_px) if right_side else (px - gap - text_px, px)
        crossing = [y for a, b, y in placed if a < right and left < b]

        def free(y: float, crossing: list[float] = crossing) -> bool:
            return all(abs(y - other) >= line for other in crossing)

        y = py
        for step in range(0, 2 * height):
            candidates = (py + step, py - step)
            found = [c for c in candidates if line / 2 <= c <= height - line / 2 and free(c)]
            if found:
                y = found[0]
                break
        placed.append((left, right, y))
        row["label_y"] = hi - y / height * (hi - lo)
        row["align"] = "left" if right_side else "right"
        row["dx"] = float(gap if right_side else -gap)
    return pl.DataFrame(rows, schema_overrides={"label_y": pl.Float64, "dx": pl.Float64})


def funnel_summary(points: pl.DataFrame, benchmark: float) -> str:
    """One sentence saying what the funnel plot shows (its text alternative)."""
    n = points.height
    counts = {
        (d, s): points.filter((pl.col("outlier95") == d) & (pl.col("status") == s)).height
        for d in ("high", "low")
        for s in ("outside 95%", "outside 99.8%")
    }
    high = counts["high", "outside 95%"] + counts["high", "outside 99.8%"]
    low = counts["low", "outside 95%"] + counts["low", "outside 99.8%"]
    sentence = (
        f"Funnel plot of {n} practices around a benchmark of {benchmark:.1%}: "
        f"{high} significantly high ({counts['high', 'outside 99.8%']} beyond the 99.8% limit) "
        f"and {low} significantly low ({counts['low', 'outside 99.8%']} beyond 99.8%)"
    )
    mine = points.filter(pl.col("in_network"))
    if mine.height:
        network = mine.get_column("network_name")[0]
        outside = mine.filter(pl.col("status") != "within limits")
        named = ", ".join(
            f"{r['label']} ({'high' if r['outlier95'] == 'high' else 'low'}, {r['status']})"
            for r in outside.iter_rows(named=True)
        )
        sentence += f"; of {network}'s {mine.height} practices " + (
            f"{outside.height} are outliers: {named}" if outside.height else "none is an outlier"
        )
    return sentence + "."


def funnel_chart(
    points: pl.DataFrame,
    grid: pl.DataFrame,
    benchmark: float,
    title: str,
    caption: str,
    *,
    large: bool = False,
    note_counts: dict[str, int] | None = None,
    y_title: str = "Value",
) -> alt.LayerChart:
    """Layers: limit curves, benchmark line, practices, chosen-network rings, off-scale
    arrows, leader lines and labels (see the module docstring for what each mark means).

    ``note_counts``: ``{practice_id: number of peer notes}`` (from
    :func:`netcompare.ui.notes.note_count_map`); shown in the tooltip and as "✎ n".
    ``y_title``: the value axis, e.g. "MMR1 by 24 months (%)" (``FunnelView.y_title``).
    ``points`` carry each practice's ``verdict_words``, as every page words the verdict:
    the tooltip, the legend and the outliers' labels use them.
    """
    size = fonts(large)
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
    )
    domain = funnel_value_domain(points, grid, benchmark)
    pts = funnel_points(points, domain, note_counts)
    x_max = float(max(grid.get_column("denominator").max(), pts.get_column("denominator").max()))
    x = alt.X(
        "denominator:Q",
        title="Denominator (patients)",
        scale=alt.Scale(domain=[0, x_max], nice=False, zero=True),
    )
    y_scale = alt.Scale(domain=list(domain), zero=False, nice=False)
    y_axis = alt.Axis(format="%")
    curve = (
        alt.Chart(to_records(limits))
        .mark_line(color="#333333", clip=True)
        .encode(
            x=x,
            y=alt.Y("y:Q", title=y_title, axis=y_axis, scale=y_scale),
            detail="limit:N",
            strokeDash=alt.StrokeDash(
                "level:N",
                scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[6, 4], [1, 0]]),
                legend=alt.Legend(title="Control limits", orient="right", columns=1),
            ),
        )
        .properties(name="limits")
    )
    centre = (
        alt.Chart(alt.Data(values=[{"benchmark": benchmark}]))
        .mark_rule(color="#000000", strokeWidth=1.5)
        .encode(y=alt.Y("benchmark:Q", scale=y_scale))
        .properties(name="benchmark")
    )
    select = alt.selection_point(name=POINT_SELECTION, fields=["practice_id"], on="click")
    dot = DOT_SIZE[large]
    crowded = pts.height > 500
    if crowded:
        dot = dot // 3
    legend = alt.Legend(
        title="Against the benchmark",
        orient="right",
        symbolStrokeWidth=2,
        columns=1,
        labelExpr=f"{json.dumps(flag_legend(pts), ensure_ascii=False)}[datum.label] || datum.label",
    )
    y = alt.Y("value_shown:Q", scale=y_scale, axis=y_axis, title=y_title)
    # Not the label layers' own texts: 6,400 rows of this layer go to the browser.
    dots = (
        alt.Chart(to_records(pts.drop("label_text", "verdict_short")))
        .mark_point(filled=True, opacity=0.8 if crowded else 0.95, clip=False)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "flag:N", scale=alt.Scale(domain=FLAGS, range=FLAG_SHAPES), legend=legend
            ),
            fill=alt.Fill("flag:N", scale=alt.Scale(domain=FLAGS, range=FLAG_FILLS), legend=legend),
            stroke=alt.Stroke(
                "flag:N", scale=alt.Scale(domain=FLAGS, range=FLAG_STROKES), legend=legend
            ),
            strokeWidth=alt.condition(
                "datum.status == 'within limits'",
                alt.value(0 if crowded else 0.8),
                alt.value(2.5 if large else 1.8),
            ),
            size=alt.condition("datum.in_network", alt.value(dot * 2), alt.value(dot)),
            tooltip=[
                alt.Tooltip("label:N", title="Practice"),
                alt.Tooltip("network_name:N", title="Network"),
                alt.Tooltip("value_pct:Q", title="Value (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
                alt.Tooltip("ci_lo:Q", title="95% CI lower (%)"),
                alt.Tooltip("ci_hi:Q", title="95% CI upper (%)"),
                alt.Tooltip("verdict_words:N", title="vs benchmark"),
                alt.Tooltip("flag:N", title="Funnel"),
                alt.Tooltip("n_notes:Q", title="Peer notes"),
            ],
        )
        .add_params(select)
        .properties(name="practices")
    )
    mine = pts.filter(pl.col("in_network"))
    network = mine.get_column("network_name")[0] if mine.height else None
    ring = (
        alt.Chart(to_records(mine.with_columns(pl.lit(f"in {network}").alias("ring"))))
        .mark_point(shape="circle", filled=False, strokeWidth=3 if large else 2)
        .encode(
            x=x,
            y=y,
            size=alt.value(dot * RING_SCALE),
            color=alt.Color(
                "ring:N",
                scale=alt.Scale(range=[RING_COLOUR]),
                legend=alt.Legend(
                    title="Practices", orient="right", symbolStrokeWidth=2, columns=1
                ),
            ),
        )
        .properties(name="network_rings")
    )
    off = pts.filter(pl.col("off_scale") != "")
    arrows = [
        alt.Chart(to_records(off.filter(pl.col("off_scale") == arrow)))
        .mark_text(fontSize=size["text"] + 6, fontWeight="bold", baseline="middle", dy=dy)
        .encode(x=x, y=y, text="off_scale:N")
        .properties(name=name)
        for arrow, dy, name in (("↑", -16, "off_scale_up"), ("↓", 16, "off_scale_down"))
    ]
    placed = place_labels(labels_to_draw(pts, benchmark), x_max, domain, large=large)
    leaders = (
        alt.Chart(to_records(placed))
        .mark_rule(color="#666666", strokeWidth=1)
        .encode(x=x, y=y, y2="label_y:Q")
        .properties(name="leaders")
    )
    label_layers = []
    for align in ("left", "right"):
        for bold in (False, True):
            side = placed.filter((pl.col("align") == align) & (pl.col("in_network") == bold))
            if side.height == 0:
                continue
            label_layers.append(
                alt.Chart(to_records(side))
                .mark_text(
                    align=align,
                    baseline="middle",
                    dx=float(side.get_column("dx")[0]),
                    fontSize=size["text"],
                    fontWeight="bold" if bold else "normal",
                )
                .encode(x=x, y=alt.Y("label_y:Q", scale=y_scale), text="label_text:N")
                .properties(name=f"labels_{align}{'_bold' if bold else ''}")
            )
    notes_word = " · ✎ n: that many peer notes (click the point)" if pts["n_notes"].sum() else ""
    off_word = (
        f" · ↑ ↓: {off.height} practice(s) beyond the value axis, drawn on its edge"
        if off.height
        else ""
    )
    ring_word = f" · Ringed and in bold: the practices of {network}" if network else ""
    chart = alt.layer(curve, centre, dots, ring, *arrows, leaders, *label_layers).properties(
        width="container", height=HEIGHT[large]
    )
    chart = chart.resolve_scale(color="independent")
    chart = titled(chart, title, caption + ring_word + off_word + notes_word, large=large)
    return described(sized(chart, large=large), funnel_summary(points, benchmark))
