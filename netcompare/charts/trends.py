"""Trend lines (practice, network, all practices) and the SPC chart (Making Data Count).

Monthly series use a time axis ("Sep 2026"); yearly and financial-year series get one tick per
period with the period's own label ("2022-23"), from the frame's ``period_label`` column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from netcompare.charts.common import (
    HIGHLIGHT_COLOUR,
    MDC_COLOURS,
    described,
    fonts,
    sized,
    titled,
    to_records,
)
from netcompare.charts.icons import variation_words

if TYPE_CHECKING:
    from netcompare.views.interventions import Intervention

AXIS_TITLES = {"month": "Month", "year": "Year", "financial_year": "Financial year"}
PERIOD_PLURALS = {"month": "months", "year": "years", "financial_year": "financial years"}

# Interventions (dated actions and practice notes) are drawn in dark brown: apart from every
# line, point and target colour of these charts under protanopia, deuteranopia and tritanopia
# (ΔE ≥ 25, tests/charts/test_intervention_charts.py), and ≥ 4.5:1 against white for the label.
INTERVENTION_COLOUR = "#663300"
INTERVENTION_DASH = [5, 3]
# A label past this fraction of the x axis is drawn to the left of its rule, so it stays on
# the chart.
RIGHT_ALIGN_FROM = 0.6
# Labels are stacked in up to this many rows at the top of the plot, each in the first row
# where it does not overlap another: its width estimated from its length (LABEL_CHAR_WIDTH
# font sizes a character, bold sans-serif) on a plot about PLOT_WIDTH pixels wide.
LABEL_ROWS = 4
LABEL_CHAR_WIDTH = 0.6
PLOT_WIDTH = 600


def _periods(n: int, period_type: str) -> str:
    words = PERIOD_PLURALS.get(period_type, "periods")
    return f"{n} {words if n != 1 else words[:-1]}"


def _label(frame: pl.DataFrame, field: str, i: int) -> str:
    """The period label of row ``i`` (as the axis shows it)."""
    if "period_label" in frame.columns:
        return str(frame.get_column("period_label")[i])
    return str(frame.get_column(field)[i])


def trend_summary(
    lines: pl.DataFrame,
    subject: str,
    target: float | None,
    *,
    period_type: str = "month",
    interventions: Sequence[Intervention] = (),
) -> str:
    """One sentence saying what the trend chart shows (its text alternative): the subject's
    first and latest values, its comparators' latest, and the target; and a sentence naming
    the interventions drawn, if any."""
    mine = lines.filter(pl.col("series") == subject).sort("period")
    if mine.height == 0:
        return f"Trend chart of {subject}: no values."
    first, last = mine.row(0, named=True), mine.row(-1, named=True)
    sentence = (
        f"Trend of {subject} over {_periods(mine.height, period_type)}: from "
        f"{first['value']:.1%} ({_label(mine, 'period', 0)}) to {last['value']:.1%} "
        f"({_label(mine, 'period', -1)})"
    )
    latest = lines.filter((pl.col("series") != subject) & (pl.col("period") == last["period"]))
    latest = latest.sort(pl.col("series") == "All practices")  # its network, then everyone
    others = [f"{series} {value:.1%}" for series, value in latest.select("series", "value").rows()]
    if others:
        sentence += f"; in {_label(mine, 'period', -1)}, " + " and ".join(others)
    if target is not None:
        sentence += f"; target {target:.0%}"
    records = intervention_records(interventions, lines, "period", period_type)
    return sentence + "." + intervention_sentence(records)


def spc_summary(
    spc: pl.DataFrame,
    subject: str,
    measure: str,
    *,
    variation_icon: str = "common_cause",
    proportion: bool = True,
    period_type: str = "month",
    interventions: Sequence[Intervention] = (),
) -> str:
    """One sentence saying what the SPC chart shows (its text alternative): the latest
    mean and process limits, and what the latest points signal; and a sentence naming the
    interventions drawn, if any."""
    frame = spc.sort("date")
    whose = f"{measure} for {subject}" if subject.endswith(")") else f"{subject}'s {measure}"
    sentence = f"SPC chart of {whose} over {_periods(frame.height, period_type)}"
    if frame.height == 0:
        return sentence + "."
    last = frame.row(-1, named=True)

    def shown(v: float | None) -> str | None:
        if v is None or v != v:  # missing, or NaN (a limit undefined for one point)
            return None
        return f"{v:.1%}" if proportion else f"{v:,.2f}"

    mean, lower, upper = (shown(last[c]) for c in ("mean", "lpl", "upl"))
    if mean is not None:
        sentence += f": mean {mean}"
        if lower is not None and upper is not None:
            sentence += f", limits {lower}–{upper}".replace("%–", "–")
    words = variation_words(variation_icon)
    records = intervention_records(interventions, frame, "date", period_type)
    return sentence + f"; {words[0].lower()}{words[1:]}." + intervention_sentence(records)


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


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def intervention_records(
    interventions: Sequence[Intervention],
    frame: pl.DataFrame,
    field: str,
    period_type: str = "month",
    *,
    large: bool = False,
) -> list[dict[str, object]]:
    """One row per intervention a chart of ``frame`` can draw (those within its periods, by
    date): the chart's x field (``field``, ISO date) and ``period_label``, the short label,
    what the hover shows (kind, start date, author, the full text) and where the label goes
    (``label_y`` in pixels from the top: the first of :data:`LABEL_ROWS` rows where it does
    not overlap an earlier label; ``align`` "right", to the left of its rule, near the right
    edge). Text is as the notes have it: Vega draws it as text, never HTML."""
    if not interventions or frame.height == 0:
        return []
    periods = sorted(frame.get_column(field).unique().to_list())
    labels: dict[dt.date, str] = {}
    if "period_label" in frame.columns:
        labels = dict(frame.select(field, "period_label").unique().iter_rows())
    first, last = periods[0], periods[-1]
    span = max((last - first).days, 1)
    ordinal = period_type != "month" and bool(labels)
    size = fonts(large)["text"]
    rows: list[list[tuple[float, float]]] = [[] for _ in range(LABEL_ROWS)]
    records: list[dict[str, object]] = []
    for item in sorted(interventions, key=lambda i: i.date):
        if not first <= item.date <= last or (ordinal and item.date not in labels):
            continue
        at = (item.date - first).days / span
        align = "right" if at > RIGHT_ALIGN_FROM else "left"
        # The label's extent as a share of the axis, on a plot of PLOT_WIDTH pixels
        # (a guess: the chart fills its container), then the first row where it fits.
        width = (len(item.label) * LABEL_CHAR_WIDTH * size + 8) / PLOT_WIDTH
        extent = (at, at + width) if align == "left" else (at - width, at)
        lo, hi = extent
        free = [k for k, taken in enumerate(rows) if all(hi < a or b < lo for a, b in taken)]
        row = free[0] if free else len(records) % LABEL_ROWS
        rows[row].append(extent)
        records.append(
            {
                field: item.date.isoformat(),
                "period_label": labels.get(item.date, f"{item.date:%b %Y}"),
                "label": item.label,
                "kind": item.kind_label,
                "started": _day(item.started or item.date),
                "author": item.author,
                "text": item.text,
                "label_y": 2 + (size + 4) * row,
                "align": align,
            }
        )
    return records


def intervention_layers(
    records: list[dict[str, object]], x: alt.X, *, large: bool = False
) -> list[alt.Chart]:
    """A dashed vertical rule at each intervention, its short label at the top of the plot
    (on a white halo, so it reads over lines and rules) and its full text on hover."""
    if not records:
        return []
    tooltip = [
        alt.Tooltip("kind:N", title="Intervention"),
        alt.Tooltip("started:N", title="Started"),
        alt.Tooltip("period_label:N", title="From"),
        alt.Tooltip("author:N", title="By"),
        alt.Tooltip("text:N", title="Note"),
    ]
    layers = [
        alt.Chart(alt.Data(values=records))
        .mark_rule(
            color=INTERVENTION_COLOUR, strokeDash=INTERVENTION_DASH, strokeWidth=3 if large else 2
        )
        .encode(x=x, tooltip=tooltip)
    ]
    for align, dx in (("left", 4), ("right", -4)):
        rows = [r for r in records if r["align"] == align]
        if not rows:
            continue
        data = alt.Data(values=rows)
        where = {"x": x, "y": alt.Y("label_y:Q", scale=None), "text": alt.Text("label:N")}
        text = {"align": align, "baseline": "top", "dx": dx, "fontWeight": "bold"}
        layers.append(
            alt.Chart(data)
            .mark_text(**text, color="white", stroke="white", strokeWidth=4, strokeJoin="round")
            .encode(**where)
        )
        layers.append(
            alt.Chart(data)
            .mark_text(**text, color=INTERVENTION_COLOUR)
            .encode(**where, tooltip=tooltip)
        )
    return layers


def intervention_sentence(records: list[dict[str, object]]) -> str:
    """The interventions drawn, for a chart's summary: " 1 intervention marked: “Recall
    change” (Mar 2025)." ("" when none is)."""
    if not records:
        return ""
    named = [f"“{r['label']}” ({r['period_label']})" for r in records]
    joined = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    count = f"{len(named)} intervention{'s' if len(named) != 1 else ''}"
    return f" {count} marked: {joined}."


def trend_chart(
    lines: pl.DataFrame,
    subject: str,
    target: float | None,
    title: str,
    caption: str,
    *,
    large: bool = False,
    period_type: str = "month",
    y_title: str = "Value",
    interventions: Sequence[Intervention] = (),
) -> alt.LayerChart:
    """The subject's values per period against its network and all practices (and the
    target); ``period_type`` "year" or "financial_year" labels one tick per period.
    ``interventions`` are drawn as dashed vertical rules with their labels
    (:func:`intervention_layers`); with none the chart is exactly as without them."""
    series = lines.get_column("series").unique(maintain_order=True).to_list()
    # Subject first (highlighted), then its network (blue), then all practices (grey).
    others = [s for s in series if s != subject]
    order = [subject, *sorted(others, key=lambda s: s == "All practices")]
    palette = [HIGHLIGHT_COLOUR, "#0072B2", "#7F7F7F"][: len(order)]
    frame = lines.with_columns((pl.col("value") * 100).round(1).alias("value_pct"))
    x = period_axis(lines, "period", period_type)
    base = alt.Chart(to_records(frame)).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
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
    layers += intervention_layers(
        intervention_records(interventions, lines, "period", period_type, large=large),
        x,
        large=large,
    )
    chart = alt.layer(*layers).properties(width="container", height=420 if large else 320)
    return described(
        sized(titled(chart, title, caption, large=large), large=large),
        trend_summary(lines, subject, target, period_type=period_type, interventions=interventions),
    )


def spc_chart_spec(
    spc: pl.DataFrame,
    target: float | None,
    title: str,
    caption: str,
    *,
    proportion: bool = True,
    large: bool = False,
    period_type: str = "month",
    subject: str = "the series",
    measure: str = "values",
    variation_icon: str = "common_cause",
    y_title: str = "Value",
    interventions: Sequence[Intervention] = (),
) -> alt.LayerChart:
    """XmR / p-chart: points coloured by Making Data Count point type, limits, mean, target;
    ``period_type`` "year" or "financial_year" labels one tick per period. ``subject``,
    ``measure`` and ``variation_icon`` word its summary (:func:`spc_summary`).
    ``interventions`` are drawn as dashed vertical rules with their labels
    (:func:`intervention_layers`); with none the chart is exactly as without them."""
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
            y=alt.Y("y:Q", title=y_title, axis=alt.Axis(format=fmt), scale=y_scale),
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
    layers += intervention_layers(
        intervention_records(interventions, frame, "date", period_type, large=large),
        x,
        large=large,
    )
    chart = alt.layer(*layers).properties(width="container", height=380 if large else 300)
    summary = spc_summary(
        spc,
        subject,
        measure,
        variation_icon=variation_icon,
        proportion=proportion,
        period_type=period_type,
        interventions=interventions,
    )
    return described(sized(titled(chart, title, caption, large=large), large=large), summary)
