"""The league table: every practice named and ranked, with its uncertainty and its trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.trend import POINTS_TO_USE, trend_marker
from netcompare.types import Benchmark, FunnelMethod, Polarity
from netcompare.views.common import (
    ALL,
    SMALL_N,
    PracticeRef,
    ViewOptions,
    chart_caption,
    effective_counts,
    network_name,
    period_words,
)
from netcompare.views.compare import (
    BENCHMARK_ALL,
    BENCHMARK_AREA,
    Comparison,
    compare_practices,
)
from netcompare.views.format import YOURS, csv_text, judgement_words, league_display

SPARK_PERIODS = 12

LEAGUE_SCHEMA = pl.Schema(
    {
        "rank": pl.Int64(),
        "rank_lower": pl.Int64(),
        "rank_upper": pl.Int64(),
        "label": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "ci95_lower": pl.Float64(),
        "ci95_upper": pl.Float64(),
        "rag": pl.String(),
        "verdict": pl.String(),
        "comparison": pl.String(),
        "change": pl.Float64(),
        "recent_trend": pl.String(),
        "trend": pl.List(pl.Float64()),
        "small_n": pl.Boolean(),
        "practice_id": pl.String(),
        "network_id": pl.String(),
    }
)


@dataclass(frozen=True)
class LeagueTable:
    """The league table page: the ranked table, as computed and as shown, and its words."""

    comparison: Comparison
    table: pl.DataFrame  # LEAGUE_SCHEMA, in rank order (only the network's rows if asked)
    previous_period: dt.date | None
    caption: str  # indicator, period, benchmark, method, denominator, source, group, change
    target_note: str | None  # said when the indicator has no target
    shown: pl.DataFrame  # the table as shown (netcompare.views.format.league_display)
    practices: tuple[PracticeRef, ...]  # the practice of each row of ``shown``
    yours_help: str  # what the ◆ in the "Yours" column means
    judgement: str  # what better / similar / worse mean here (and on every page)

    @property
    def practice_ids(self) -> list[str]:
        return [p.practice_id for p in self.practices]

    def csv(self) -> str:
        """The table to download (the sparkline values left out), safe to open in a
        spreadsheet."""
        return csv_text(self.table.drop("trend"))


def previous_period(data: DataSet, indicator_id: str, period: dt.date) -> dt.date | None:
    earlier = [p for p in data.periods(indicator_id) if p < period]
    return earlier[-1] if earlier else None


def recent_values(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    n: int,
    practice_ids: pl.Series | None = None,
) -> pl.DataFrame:
    """Each practice's values over the last ``n`` periods up to ``period`` (oldest first).

    ``practice_ids`` limits the result to those practices (filtered before any arithmetic).
    """
    periods = [p for p in data.periods(indicator_id) if p <= period][-n:]
    parts = [data.slice(indicator_id, p) for p in periods]
    if not parts:
        return pl.DataFrame(
            schema={"practice_id": pl.String, "period": pl.Date, "value": pl.Float64}
        )
    if practice_ids is None:
        values = pl.concat(parts, rechunk=False)
    else:
        values = data.rows_of_practices(practice_ids, [(indicator_id, p) for p in periods])
    values = effective_counts(values, options.net_of_exceptions)
    return values.select("practice_id", "period", "numerator", "denominator", "value")


def recent_trends(recent: pl.DataFrame, periods: list[dt.date], polarity: Polarity) -> pl.DataFrame:
    """Each practice's Fingertips recent trend (:func:`netcompare.stats.trend.trend_marker`,
    chi-square test for trend over the last 5 periods) as a key of
    :data:`netcompare.views.format.RECENT_TREND_WORDS`: the direction, and for an indicator
    with a polarity whether that is getting better or worse.

    Fingertips computes the marker over 5 consecutive points: a practice missing any of the
    last 5 periods (or with fewer than 5 periods in the data) gets "cannot_be_calculated".
    """
    last5 = periods[-POINTS_TO_USE:]
    schema = {"practice_id": pl.String, "recent_trend": pl.String}
    practices = recent.get_column("practice_id").unique().sort()
    if len(last5) < POINTS_TO_USE:
        return pl.DataFrame(
            {"practice_id": practices, "recent_trend": "cannot_be_calculated"}, schema=schema
        )
    rows = (
        recent.filter(pl.col("period").is_in(last5) & (pl.col("denominator") > 0))
        .sort("period")
        .group_by("practice_id")
        .agg("numerator", "denominator")
    )
    keys = {}
    for pid, num, den in rows.iter_rows():
        if len(num) < POINTS_TO_USE:
            keys[pid] = "cannot_be_calculated"
            continue
        marker = trend_marker(num, den)
        keys[pid] = trend_key(marker.direction, polarity)
    return pl.DataFrame(
        {
            "practice_id": practices,
            "recent_trend": [keys.get(p, "cannot_be_calculated") for p in practices],
        },
        schema=schema,
    )


def trend_key(direction: str, polarity: Polarity) -> str:
    """ "increasing" on a high-is-good indicator is "increasing_better", and so on; a neutral
    indicator keeps the direction alone."""
    if direction not in ("increasing", "decreasing") or polarity == "neutral":
        return direction
    better = (direction == "increasing") == (polarity == "high")
    return f"{direction}_{'better' if better else 'worse'}"


def league_table(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    benchmark: Benchmark = BENCHMARK_ALL,
    method: FunnelMethod = "arcsine-od",
    seed: int = 1,
    only_network: bool = False,
) -> LeagueTable:
    """Practices of the chosen network's area (all practices if none) ranked on one indicator.

    Columns: :data:`LEAGUE_SCHEMA`: verdict is the judgement every page gives (the funnel
    limits of ``method`` around ``benchmark``), comparison the Wilson CI comparison shown as
    the second method; change is the value minus the previous period's, trend the
    last 12 values. ``only_network`` keeps the chosen network's rows (ranked among all).
    Raises :class:`netcompare.errors.UserError` when fewer than two practices have data.
    """
    comparison = compare_practices(
        data,
        indicator_id,
        period,
        options,
        scope=BENCHMARK_AREA,
        benchmark=benchmark,
        method=method,
        ranks=True,
        seed=seed,
    )
    prev = previous_period(data, indicator_id, period)
    recent = recent_values(
        data,
        indicator_id,
        period,
        options,
        SPARK_PERIODS,
        practice_ids=comparison.table.get_column("practice_id"),
    )
    indicator = data.indicator(indicator_id)
    trend = recent.sort("period").group_by("practice_id").agg(pl.col("value").alias("trend"))
    periods = sorted(recent.get_column("period").unique().to_list())
    table = comparison.table.join(trend, on="practice_id", how="left").join(
        recent_trends(recent, periods, indicator.polarity), on="practice_id", how="left"
    )
    if prev is not None:
        before = recent.filter(pl.col("period") == prev).select(
            "practice_id", pl.col("value").alias("previous_value")
        )
        table = table.join(before, on="practice_id", how="left")
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("previous_value"))
    table = table.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        (pl.col("denominator") < SMALL_N).alias("small_n"),
        pl.col("recent_trend").fill_null("cannot_be_calculated"),
    ).select(
        "rank",
        "rank_lower",
        "rank_upper",
        "label",
        "network_name",
        "in_network",
        "numerator",
        "denominator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "rag",
        "verdict",
        "comparison",
        "change",
        "recent_trend",
        "trend",
        "small_n",
        "practice_id",
        "network_id",
    )
    if only_network and options.network_id != ALL:
        table = table.filter(pl.col("network_id") == options.network_id)
    caption = (
        chart_caption(
            indicator.name,
            period,
            benchmark=comparison.benchmark_label,
            method=f"vs benchmark: funnel limits, {comparison.method_label}; second method: "
            "Wilson 95% and 99.8% CI against the benchmark; rank interval from 1,000 "
            f"Beta-posterior draws (seed {seed})",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=indicator.period_type,
        )
        + f" · Ranked among {comparison.group_label}"
        + (
            f" · Change since {period_words(prev, indicator.period_type)}"
            if prev
            else " · No earlier period: no change to show"
        )
    )
    practices = tuple(
        PracticeRef(pid, label, network)
        for pid, label, network in table.select("practice_id", "label", "network_id").iter_rows()
    )
    return LeagueTable(
        comparison=comparison,
        table=table,
        previous_period=prev,
        caption=caption,
        target_note=(
            "This indicator has no target: RAG shows 'none'." if indicator.target is None else None
        ),
        shown=league_display(table),
        practices=practices,
        yours_help=(
            f"{YOURS} = a practice in {network_name(data, options.network_id)}"
            if options.network_id != ALL
            else "Choose a network in the sidebar to mark its practices with ◆"
        ),
        judgement=judgement_words(comparison.method_label, comparison.benchmark_label),
    )
