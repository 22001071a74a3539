"""Comparing practices on one indicator and period: the engine behind league table and funnel.

A comparison names its benchmark: the pooled value of all practices in the data set, of the
chosen network's area (e.g. the borough or sub-ICB), of the chosen network, or the
indicator's target. Pooled means Σ numerator / Σ denominator (METHODS.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.indicator import Indicator
from netcompare.stats.compare import compare_units
from netcompare.stats.funnel import FunnelSummary
from netcompare.types import Benchmark, FunnelMethod, Polarity
from netcompare.views.common import ALL, ViewOptions, effective_counts, practice_labels
from netcompare.views.format import METHOD_LABELS

BENCHMARK_ALL = "all"
BENCHMARK_AREA = "area"
BENCHMARK_NETWORK = "network"
BENCHMARK_TARGET = "target"
# The league table also offers the pooled average of the chosen network's area.
AreaBenchmark = Benchmark | Literal["area"]
BENCHMARKS: tuple[AreaBenchmark, ...] = (
    BENCHMARK_ALL,
    BENCHMARK_AREA,
    BENCHMARK_NETWORK,
    BENCHMARK_TARGET,
)
# The funnel plot's centre line: a benchmark of every practice shown.
FUNNEL_BENCHMARKS: tuple[Benchmark, ...] = (BENCHMARK_ALL, BENCHMARK_NETWORK, BENCHMARK_TARGET)


def verdict(polarity: Polarity) -> pl.Expr:
    """The one judgement of a practice every page shows (key of
    :data:`netcompare.views.format.VERDICT_WORDS`), from the funnel plot's own statistic: a
    practice outside the 99.8% limits is "best"/"worst", outside the 95% limits
    "better"/"worse", inside "similar" (FunnelPlotR's outlier flags, bounds inclusive; the
    limits of the chosen method around the chosen benchmark). Lower-is-better indicators swap
    the sides; neutral ones say "higher"/"lower". A practice without data has none.
    """
    if polarity == "neutral":
        words = {"high": ("much_higher", "higher"), "low": ("much_lower", "lower")}
    elif polarity == "low":
        words = {"high": ("worst", "worse"), "low": ("best", "better")}
    else:
        words = {"high": ("best", "better"), "low": ("worst", "worse")}
    out95, out998 = pl.col("outlier95"), pl.col("outlier998")
    return (
        pl.when(out95.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(out998 == "high")
        .then(pl.lit(words["high"][0]))
        .when(out998 == "low")
        .then(pl.lit(words["low"][0]))
        .when(out95 == "high")
        .then(pl.lit(words["high"][1]))
        .when(out95 == "low")
        .then(pl.lit(words["low"][1]))
        .otherwise(pl.lit("similar"))
        .alias("verdict")
    )


@dataclass(frozen=True)
class Comparison:
    """Every practice of the comparison group with its statistics, and what was done."""

    # compare_units columns + label, network_id, network_name, in_network and verdict
    table: pl.DataFrame
    summary: FunnelSummary
    benchmark_label: str
    method_label: str
    group_label: str
    notes: tuple[str, ...] = field(default=())  # what was left out or changed, and why


def indicator_counts(
    data: DataSet, indicator_id: str, period: dt.date, options: ViewOptions
) -> tuple[pl.DataFrame, list[str]]:
    """One indicator and period with counts as shown, plus notes on rows left out."""
    values = effective_counts(data.slice(indicator_id, period), options.net_of_exceptions)
    empty = values.filter(pl.col("denominator") <= 0)
    notes = []
    if empty.height:
        notes.append(
            f"{empty.height} practice(s) left out: no patients left in the denominator once "
            f"exceptions are removed ({', '.join(empty.get_column('practice_id').head(5))}"
            f"{'…' if empty.height > 5 else ''})"
        )
    return values.filter(pl.col("denominator") > 0), notes


def area_of(data: DataSet, network_id: str) -> str | None:
    """The parent area (borough, sub-ICB) of a network, if the data has one."""
    if network_id == ALL:
        return None
    row = data.networks.filter(pl.col("network_id") == network_id)
    return row.get_column("parent_area").item(0) if row.height else None


def comparison_group(data: DataSet, options: ViewOptions, scope: str) -> pl.DataFrame:
    """Practice labels of the group to compare: "all" practices, or the network's "area"."""
    labels = practice_labels(data, options)
    if scope == BENCHMARK_AREA:
        area = area_of(data, options.network_id)
        if area is not None:
            nets = data.networks.filter(pl.col("parent_area") == area).get_column("network_id")
            labels = labels.filter(pl.col("network_id").is_in(nets.implode()))
    return labels.with_columns((pl.col("network_id") == options.network_id).alias("in_network"))


def compare_practices(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    scope: str = BENCHMARK_ALL,
    benchmark: AreaBenchmark = BENCHMARK_ALL,
    method: FunnelMethod = "arcsine-od",
    ranks: bool = True,
    seed: int = 1,
) -> Comparison:
    """Compare the practices of ``scope`` (all, or the network's area) on one indicator.

    Raises :class:`netcompare.errors.UserError` (from the statistics core) when fewer than two
    practices have data.
    """
    indicator = data.indicator(indicator_id)
    counts, notes = indicator_counts(data, indicator_id, period, options)
    group = comparison_group(data, options, scope)
    rows = counts.join(group, on="practice_id", how="inner")

    centre, benchmark_label = _benchmark(data, counts, rows, indicator, options, benchmark, notes)
    if rows.height == counts.height and benchmark in (BENCHMARK_ALL, BENCHMARK_AREA):
        centre = None  # the compared practices are the pooled group: let the engine pool them
    stats, summary = compare_units(
        rows.select("practice_id", "numerator", "denominator"),
        unit="practice_id",
        method=method,
        benchmark=centre,
        polarity=indicator.polarity,
        target=indicator.target,
        amber=indicator.amber_threshold,
        seed=seed,
        ranks=ranks,
    )
    table = stats.join(group, on="practice_id", how="left").with_columns(
        verdict(indicator.polarity)
    )
    if not ranks:
        table = table.drop("rank_lower", "rank_upper")
    if scope == BENCHMARK_AREA and area_of(data, options.network_id):
        group_label = f"practices in {area_of(data, options.network_id)}"
    else:
        group_label = f"all practices in {data.name}"
    return Comparison(
        table=table.sort("rank", "practice_id"),
        summary=summary,
        benchmark_label=benchmark_label,
        method_label=METHOD_LABELS[method],
        group_label=group_label,
        notes=tuple(notes),
    )


def _benchmark(
    data: DataSet,
    counts: pl.DataFrame,
    rows: pl.DataFrame,
    indicator: Indicator,
    options: ViewOptions,
    kind: AreaBenchmark,
    notes: list[str],
) -> tuple[float | None, str]:
    """The centre value (None = pooled over the compared rows) and its words."""

    def pooled(frame: pl.DataFrame) -> float | None:
        den = frame.get_column("denominator").sum()
        return frame.get_column("numerator").sum() / den if den else None

    if kind == BENCHMARK_TARGET:
        if indicator.target is not None:
            return indicator.target, f"target {indicator.target:.0%}"
        notes.append("This indicator has no target: the benchmark is all practices instead.")
        kind = BENCHMARK_ALL
    if kind == BENCHMARK_NETWORK and options.network_id != ALL:
        mine = rows.filter(pl.col("network_id") == options.network_id)
        value = pooled(mine)
        if value is not None:
            return value, f"network average ({value:.1%}, pooled)"
        notes.append("The network has no data here: the benchmark is all practices instead.")
    if kind == BENCHMARK_AREA:
        value = pooled(rows)
        if value is not None:
            area = area_of(data, options.network_id) or "all practices"
            return value, f"{area} average ({value:.1%}, pooled)"
    value = pooled(counts)
    if value is None:
        return None, "pooled average"
    return value, f"all practices average ({value:.1%}, pooled)"
