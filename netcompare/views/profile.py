"""The practice profile: one practice across every indicator, as a spine chart and a table.

Each indicator is shown in its own latest period (indicators can come monthly, quarterly or
yearly). Per indicator the practice's value, 95% CI, RAG and verdict are those of the league
table for that indicator and period (the same comparison: :func:`compare_practices` with the
league table's scope, benchmark and method; the league table's rank simulation is left out,
as the profile shows no ranks). Around them:

- the spread of the practices compared (the league table's group): lowest, 25th and 75th
  percentile, highest. Percentiles are R's ``quantile(type = 7)`` of the practices' values,
  as Fingertips' spine charts (``fingertipscharts::spine_rescaler`` calls R's default
  ``quantile``) and METHODS.md section 5 use; numpy's and polars' "linear" method give the same;
- the benchmark (the centre the verdict uses);
- the practice's network average, pooled (Σ numerator / Σ denominator of the network's
  practices with patients), as the Networks page computes it;
- the Fingertips recent trend marker over the last 5 periods (:mod:`netcompare.stats.trend`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.stats.funnel import r_quantile_type7
from netcompare.stats.trend import POINTS_TO_USE, TrendMarker, trend_marker
from netcompare.types import Benchmark, FunnelMethod, Polarity
from netcompare.views.common import (
    ALL,
    SMALL_N,
    ViewOptions,
    effective_counts,
    exceptions_words,
    network_totals,
    package_words,
    practice_labels,
)
from netcompare.views.compare import BENCHMARK_AREA, compare_practices
from netcompare.views.format import (
    METHOD_LABELS,
    csv_text,
    judgement_words,
    period_label,
    rag_text,
    small_n_flag,
    verdict_text,
)

PROFILE_SCHEMA = pl.Schema(
    {
        "indicator_id": pl.String(),
        "indicator_name": pl.String(),
        "care_package": pl.String(),
        "polarity": pl.String(),
        "period": pl.Date(),
        "period_label": pl.String(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "ci95_lower": pl.Float64(),
        "ci95_upper": pl.Float64(),
        "rag": pl.String(),
        "verdict": pl.String(),
        "trend": pl.String(),  # increasing / decreasing / no_change / cannot_be_calculated
        "trend_words": pl.String(),
        "network_value": pl.Float64(),
        "benchmark": pl.Float64(),
        "practices": pl.Int64(),  # practices compared (with a value)
        "minimum": pl.Float64(),
        "q25": pl.Float64(),
        "q75": pl.Float64(),
        "maximum": pl.Float64(),
        "small_n": pl.Boolean(),
    }
)

TREND_SYMBOLS = {"increasing": "↑", "decreasing": "↓", "no_change": "→"}


def trend_words(direction: str, polarity: Polarity, periods: int = POINTS_TO_USE) -> str:
    """Fingertips' words for a recent trend marker: "↑ Increasing and getting better", …;
    ``periods`` is how many periods the indicator has up to the one shown."""
    if direction in ("increasing", "decreasing"):
        words = f"{TREND_SYMBOLS[direction]} {direction.capitalize()}"
        if polarity == "neutral":
            return words
        better = (direction == "increasing") == (polarity != "low")
        return f"{words} and getting {'better' if better else 'worse'}"
    if direction == "no_change":
        return "→ No significant change"
    if periods < POINTS_TO_USE:
        return f"Cannot be calculated (needs {POINTS_TO_USE} periods, the data has {periods})"
    return "Cannot be calculated"


def recent_trend(
    data: DataSet,
    practice_id: str,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
) -> TrendMarker:
    """The Fingertips trend marker of one practice over the indicator's last 5 periods up to
    ``period`` (counts as shown: all patients, or net of exceptions). A period the practice
    has no data for (or no patients left in) leaves fewer than 5 points: not calculated."""
    periods = [p for p in data.periods(indicator_id) if p <= period][-POINTS_TO_USE:]
    rows = data.rows_of_practices([practice_id], [(indicator_id, p) for p in periods])
    rows = effective_counts(rows, options.net_of_exceptions).filter(pl.col("denominator") > 0)
    series = pl.DataFrame({"period": periods}, schema={"period": pl.Date}).join(
        rows.select("period", "numerator", "denominator"), on="period", how="left"
    )
    try:
        return trend_marker(
            series.get_column("numerator").cast(pl.Float64).fill_null(np.nan).to_numpy(),
            series.get_column("denominator").cast(pl.Float64).fill_null(np.nan).to_numpy(),
        )
    except UserError:
        return TrendMarker(None, False, "cannot_be_calculated")


def spread(values: pl.Series) -> tuple[float, float, float, float] | None:
    """Lowest, 25th percentile, 75th percentile and highest of the values (R type 7)."""
    present = values.drop_nulls().cast(pl.Float64).to_numpy()
    if present.size == 0:
        return None
    q = r_quantile_type7(present, np.array([0.0, 0.25, 0.75, 1.0]))
    return float(q[0]), float(q[1]), float(q[2]), float(q[3])


def network_average(
    data: DataSet, network_id: str | None, indicator_id: str, period: dt.date, options: ViewOptions
) -> float | None:
    """The network's pooled average (Σ numerator / Σ denominator of its practices with
    patients), as on the Networks page; None without a network or data."""
    if network_id is None:
        return None
    totals = network_totals(
        data, [indicator_id], period, options.net_of_exceptions, only_with_patients=True
    ).filter(pl.col("network_id") == network_id)
    if totals.height == 0 or not totals.item(0, "denominator"):
        return None
    return totals.item(0, "numerator") / totals.item(0, "denominator")


BENCHMARK_PHRASES = {
    "all": "the pooled average of all practices",
    "area": "the pooled average of the practices in the network's area",
    "network": "the chosen network's pooled average",
    "target": "the indicator's target",
}


@dataclass(frozen=True)
class PracticeProfile:
    """The profile page of one practice: its rows (:data:`PROFILE_SCHEMA`) and its words."""

    practice_id: str
    label: str  # as this viewer may see it (a letter where the name is not shared)
    hidden: bool  # the practice is shown as a letter to this viewer
    network_id: str | None
    network_name: str
    rows: pl.DataFrame  # PROFILE_SCHEMA, one row per indicator with data, in data order
    title: str
    subtitle: str  # network, list size
    caption: str  # periods, benchmark, method, spread, network average, denominator, source
    judgement: str  # what better / similar / worse mean here
    left_out: tuple[str, ...]  # indicators not shown, and why

    @property
    def shown(self) -> pl.DataFrame:
        """The table under the spine chart, as shown (no ids, no practice)."""
        return profile_display(self.rows)

    @property
    def spine_shown(self) -> pl.DataFrame:
        """The spine chart's data as numbers (percent), to download."""
        return spine_data(self.rows)

    def csv(self) -> str:
        return csv_text(self.spine_shown)


def profile_view(
    data: DataSet,
    practice_id: str,
    options: ViewOptions,
    *,
    care_package: str = ALL,
    benchmark: Benchmark = "all",
    method: FunnelMethod = "arcsine-od",
) -> PracticeProfile:
    """One practice on every indicator (of ``care_package``, or all), each in its latest
    period, compared as the league table compares it (``benchmark``, ``method``; practices of
    the chosen network's area, or all). Raises ``KeyError`` for an unknown practice."""
    labels = practice_labels(data, options).filter(pl.col("practice_id") == practice_id)
    if labels.height == 0:
        raise KeyError(practice_id)
    me = labels.row(0, named=True)
    network_id = me["network_id"]
    network_name = me["network_name"] or (network_id or "no network")
    indicators = data.indicators
    if care_package != ALL:
        indicators = indicators.filter(pl.col("care_package") == care_package)

    rows: list[dict[str, object]] = []
    left_out: list[str] = []
    groups: set[str] = set()
    for indicator_id in indicators.get_column("indicator_id"):
        indicator = data.indicator(indicator_id)
        periods = data.periods(indicator_id)
        if not periods:
            left_out.append(f"{indicator.name}: no data in any period")
            continue
        period = periods[-1]
        when = period_label(period, indicator.period_type)
        try:
            comparison = compare_practices(
                data,
                indicator_id,
                period,
                options,
                scope=BENCHMARK_AREA,
                benchmark=benchmark,
                method=method,
                ranks=False,
            )
        except UserError as exc:
            left_out.append(f"{indicator.name} ({when}): {exc}")
            continue
        groups.add(comparison.group_label)
        table = comparison.table
        bounds = spread(table.get_column("value"))
        mine = table.filter(pl.col("practice_id") == practice_id)
        own = mine.row(0, named=True) if mine.height else {}
        marker = recent_trend(data, practice_id, indicator_id, period, options)
        denominator = own.get("denominator")
        rows.append(
            {
                "indicator_id": indicator_id,
                "indicator_name": indicator.name,
                "care_package": indicator.care_package,
                "polarity": indicator.polarity,
                "period": period,
                "period_label": when,
                "numerator": own.get("numerator"),
                "denominator": denominator,
                "value": own.get("value"),
                "ci95_lower": own.get("ci95_lower"),
                "ci95_upper": own.get("ci95_upper"),
                "rag": own.get("rag"),
                "verdict": own.get("verdict"),
                "trend": marker.direction,
                "trend_words": trend_words(marker.direction, indicator.polarity, len(periods)),
                "network_value": network_average(data, network_id, indicator_id, period, options),
                "benchmark": comparison.summary.benchmark,
                "practices": int(table.get_column("value").drop_nulls().len()),
                "minimum": bounds[0] if bounds else None,
                "q25": bounds[1] if bounds else None,
                "q75": bounds[2] if bounds else None,
                "maximum": bounds[3] if bounds else None,
                "small_n": None if denominator is None else denominator < SMALL_N,
            }
        )
    frame = pl.DataFrame(rows, schema=PROFILE_SCHEMA)
    no_data = frame.filter(pl.col("value").is_null()).get_column("indicator_name")
    if no_data.len():
        left_out.append(
            f"{me['label']} has no data for {', '.join(no_data.to_list())}: the row shows the "
            "other practices only."
        )

    size = data.practices.filter(pl.col("practice_id") == practice_id).get_column("list_size")
    list_size = size.item(0) if size.len() and size.item(0) is not None else None
    subtitle = f"{network_name}" + (f" · list size {list_size:,}" if list_size else "")
    method_label = METHOD_LABELS[method]
    benchmark_phrase = BENCHMARK_PHRASES.get(benchmark, benchmark)
    group = " / ".join(sorted(groups)) or "the practices compared"
    periods_words = ", ".join(sorted(set(frame.get_column("period_label").to_list()), key=str))
    caption = (
        f"{frame.height} indicators of {package_words(care_package)}, latest period of each "
        f"({periods_words or 'none'}) · Benchmark: {benchmark_phrase}"
        f" · Method: {method_label}"
        f" · Spread: {group} (percentiles: R type 7)"
        f" · Network average: {network_name}, pooled (Σ numerator / Σ denominator)"
        f" · Denominator: {exceptions_words(options.net_of_exceptions)} · Source: {data.name}"
    )
    return PracticeProfile(
        practice_id=practice_id,
        label=me["label"],
        hidden=bool(me["hidden"]),
        network_id=network_id,
        network_name=network_name,
        rows=frame,
        title=f"Practice profile: {me['label']}",
        subtitle=subtitle,
        caption=caption,
        judgement=judgement_words(method_label, benchmark_phrase),
        left_out=tuple(left_out),
    )


def _pct(column: str, digits: int = 1) -> pl.Expr:
    return (pl.col(column) * 100).round(digits)


def profile_display(rows: pl.DataFrame) -> pl.DataFrame:
    """The profile table as shown: one row per indicator, no ids."""
    return rows.select(
        pl.col("indicator_name").alias("Indicator"),
        pl.col("period_label").alias("Period"),
        pl.col("numerator").alias("Numerator"),
        pl.col("denominator").alias("Denominator"),
        _pct("value").alias("Value %"),
        pl.when(pl.col("ci95_lower").is_null())
        .then(pl.lit(""))
        .otherwise(
            pl.format("{}–{}", _pct("ci95_lower"), _pct("ci95_upper")),
        )
        .alias("95% CI %"),
        pl.when(pl.col("rag").is_null()).then(pl.lit("")).otherwise(rag_text()).alias("RAG"),
        verdict_text().alias("vs benchmark"),
        pl.col("trend_words").alias("Recent trend (5 periods)"),
        _pct("network_value").alias("Network average %"),
        _pct("benchmark").alias("Benchmark %"),
        small_n_flag().fill_null("").alias("Flag"),
    )


def spine_data(rows: pl.DataFrame) -> pl.DataFrame:
    """The numbers the spine chart draws, in percent, as its CSV download."""
    return rows.select(
        pl.col("indicator_name").alias("Indicator"),
        pl.col("period_label").alias("Period"),
        pl.col("polarity").alias("Polarity"),
        pl.col("numerator").alias("Numerator"),
        pl.col("denominator").alias("Denominator"),
        _pct("value", 2).alias("Value %"),
        _pct("ci95_lower", 2).alias("95% CI lower %"),
        _pct("ci95_upper", 2).alias("95% CI upper %"),
        pl.col("rag").alias("RAG"),
        verdict_text().alias("vs benchmark"),
        pl.col("trend_words").alias("Recent trend (5 periods)"),
        _pct("network_value", 2).alias("Network average %"),
        _pct("benchmark", 2).alias("Benchmark %"),
        pl.col("practices").alias("Practices compared"),
        _pct("minimum", 2).alias("Lowest %"),
        _pct("q25", 2).alias("25th percentile %"),
        _pct("q75", 2).alias("75th percentile %"),
        _pct("maximum", 2).alias("Highest %"),
    )
