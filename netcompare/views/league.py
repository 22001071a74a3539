"""The league table: every practice named and ranked, with its uncertainty and its trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.common import ViewOptions, effective_counts
from netcompare.views.compare import (
    BENCHMARK_ALL,
    BENCHMARK_AREA,
    Comparison,
    compare_practices,
)

SPARK_PERIODS = 12


@dataclass(frozen=True)
class LeagueTable:
    comparison: Comparison
    table: pl.DataFrame
    previous_period: dt.date | None


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
    return values.select("practice_id", "period", "value")


def league_table(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    benchmark: str = BENCHMARK_ALL,
    method: str = "arcsine-od",
    seed: int = 1,
) -> LeagueTable:
    """Practices of the chosen network's area (all practices if none) ranked on one indicator.

    Columns: rank, rank_lower, rank_upper, label, network_name, in_network, numerator,
    denominator, value, ci95_lower, ci95_upper, rag, comparison, change (value minus the
    previous period's), trend (the last 12 values), small_n, practice_id, network_id.
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
    trend = recent.sort("period").group_by("practice_id").agg(pl.col("value").alias("trend"))
    table = comparison.table.join(trend, on="practice_id", how="left")
    if prev is not None:
        before = recent.filter(pl.col("period") == prev).select(
            "practice_id", pl.col("value").alias("previous_value")
        )
        table = table.join(before, on="practice_id", how="left")
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("previous_value"))
    table = table.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        (pl.col("denominator") < 10).alias("small_n"),
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
        "comparison",
        "change",
        "trend",
        "small_n",
        "practice_id",
        "network_id",
    )
    return LeagueTable(comparison=comparison, table=table, previous_period=prev)
