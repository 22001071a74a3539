"""What the Peer notes page shows: who is doing significantly better than their peers on an
indicator, who improved most over the last 12 months, and the labels notes are shown with.

"Significantly better" is the two-level Fingertips comparison of each practice's Wilson
95% / 99.8% confidence intervals with the pooled average of all practices (METHODS.md §3, via
:func:`netcompare.views.compare.compare_practices`). "Most improved" is the plain change in
value over the last 12 months, turned so that a positive number is an improvement for the
indicator's polarity; it is a descriptive ranking, not a significance test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.common import SMALL_N, ViewOptions, effective_counts, practice_labels
from netcompare.views.compare import BENCHMARK_ALL, Comparison, compare_practices

# The comparison labels that mean "significantly better than the benchmark" (95% or 99.8%).
# For low-is-good indicators compare_units has already swapped best/worst for polarity; a
# neutral indicator has no "better", so "higher" (significantly above) is used instead.
SIGNIFICANT_LABELS: dict[str, tuple[str, ...]] = {
    "high": ("best", "better"),
    "low": ("best", "better"),
    "neutral": ("higher",),
}

IMPROVEMENT_MONTHS = 12
TOP_IMPROVED = 5

STANDOUT_COLUMNS: tuple[str, ...] = (
    "practice_id",
    "label",
    "network_id",
    "network_name",
    "in_network",
    "numerator",
    "denominator",
    "value",
    "ci95_lower",
    "ci95_upper",
    "comparison",
    "outlier95",
    "outlier998",
    "rank",
)

IMPROVED_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "baseline_period": pl.Date(),
        "baseline_value": pl.Float64(),
        "value": pl.Float64(),
        "change": pl.Float64(),
        "improvement": pl.Float64(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "small_n": pl.Boolean(),
    }
)


@dataclass(frozen=True)
class Standouts:
    """Practices significantly better than the benchmark, best first, and how that was judged."""

    # STANDOUT_COLUMNS, sorted by rank (polarity-aware); outlier95/outlier998 say whether the
    # practice is also outside the funnel limits ("high", "low" or "none")
    table: pl.DataFrame
    comparison: Comparison  # every practice, with the method and benchmark used
    polarity: str

    @property
    def heading(self) -> str:
        if self.polarity == "neutral":
            return "Significantly higher than the benchmark (neither direction is better)"
        return "Doing significantly better than the benchmark"


def significantly_better(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    method: str = "arcsine-od",
) -> Standouts:
    """Practices whose 95% (or 99.8%) Wilson interval lies wholly on the good side of the
    pooled average of all practices (Fingertips two-CI-level comparison, METHODS.md §3).

    Raises :class:`netcompare.errors.UserError` when fewer than two practices have data.
    """
    comparison = compare_practices(
        data,
        indicator_id,
        period,
        options,
        benchmark=BENCHMARK_ALL,
        method=method,
        ranks=False,
    )
    polarity = str(data.indicator(indicator_id)["polarity"])
    wanted = SIGNIFICANT_LABELS.get(polarity, SIGNIFICANT_LABELS["high"])
    table = (
        comparison.table.filter(pl.col("comparison").is_in(list(wanted)))
        .sort("rank", "practice_id")
        .select(STANDOUT_COLUMNS)
    )
    return Standouts(table=table, comparison=comparison, polarity=polarity)


def months_before(period: dt.date, months: int) -> dt.date:
    """The date ``months`` calendar months before ``period`` (day clamped to the month end)."""
    total = period.year * 12 + period.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in (period.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def improvement_baseline(
    data: DataSet, indicator_id: str, period: dt.date, months: int = IMPROVEMENT_MONTHS
) -> list[dt.date]:
    """The periods a change over the last ``months`` months is measured from, oldest first:
    those on or after ``period`` minus ``months`` months and before ``period``."""
    start = months_before(period, months)
    return [p for p in data.periods(indicator_id) if start <= p < period]


def most_improved(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    months: int = IMPROVEMENT_MONTHS,
    top: int | None = TOP_IMPROVED,
) -> pl.DataFrame:
    """The practices that improved most over the last ``months`` months (polarity-aware).

    For each practice: its value at ``period`` minus its value at the start of the window — the
    period ``months`` months earlier or, if it has no data then, its earliest period within the
    window (for monthly data 12 months = 12 periods; for annual data, the previous year).
    ``improvement`` is that change for higher-is-better, minus it for lower-is-better, and its
    size for neutral indicators (biggest change first). Only practices that improved (a
    non-zero change for neutral) are kept; ``top`` None keeps them all. Columns:
    :data:`IMPROVED_SCHEMA`; ``small_n`` flags a denominator under 10 at either end.
    """
    window = improvement_baseline(data, indicator_id, period, months)
    if not window:
        return pl.DataFrame(schema=IMPROVED_SCHEMA)
    now = effective_counts(data.slice(indicator_id, period), options.net_of_exceptions).filter(
        pl.col("denominator") > 0
    )
    before = pl.concat([data.slice(indicator_id, p) for p in window], rechunk=False)
    baseline = (
        effective_counts(before, options.net_of_exceptions)
        .filter(pl.col("denominator") > 0)
        .sort("period")
        .group_by("practice_id", maintain_order=True)
        .first()
        .select(
            "practice_id",
            pl.col("period").alias("baseline_period"),
            pl.col("value").alias("baseline_value"),
            pl.col("denominator").alias("baseline_denominator"),
        )
    )
    polarity = str(data.indicator(indicator_id)["polarity"])
    change = pl.col("value") - pl.col("baseline_value")
    if polarity == "low":
        improvement = -change
    elif polarity == "neutral":
        improvement = change.abs()
    else:
        improvement = change
    labels = practice_labels(data, options).with_columns(
        (pl.col("network_id") == options.network_id).alias("in_network")
    )
    table = (
        now.join(baseline, on="practice_id", how="inner")
        .join(labels, on="practice_id", how="inner")
        .with_columns(change.alias("change"))
        .with_columns(improvement.alias("improvement"))
        .filter(pl.col("improvement") > 0)
        .with_columns(
            ((pl.col("denominator") < SMALL_N) | (pl.col("baseline_denominator") < SMALL_N)).alias(
                "small_n"
            )
        )
        .sort(["improvement", "practice_id"], descending=[True, False])
        .select([pl.col(name).cast(dtype) for name, dtype in IMPROVED_SCHEMA.items()])
    )
    return table if top is None else table.head(top)


def practice_label_map(data: DataSet, options: ViewOptions) -> dict[str, str]:
    """``{practice_id: label}`` as this viewer may see them (names, codes or letters)."""
    labels = practice_labels(data, options)
    return dict(labels.select("practice_id", "label").iter_rows())


def indicator_name_map(data: DataSet) -> dict[str, str]:
    """``{indicator_id: name}``."""
    return dict(data.indicators.select("indicator_id", "name").iter_rows())


def network_name_map(data: DataSet) -> dict[str, str]:
    """``{network_id: network_name}``."""
    return dict(data.networks.select("network_id", "network_name").iter_rows())
