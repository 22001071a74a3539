"""The funnel plot: every practice's value against its denominator, with control limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.funnel import funnel_limits_grid
from netcompare.views.common import ViewOptions
from netcompare.views.compare import BENCHMARK_ALL, Comparison, compare_practices

GRID_POINTS = 300


@dataclass(frozen=True)
class FunnelView:
    comparison: Comparison
    points: pl.DataFrame  # one row per practice: label, network, value, limits, outlier flags
    grid: pl.DataFrame  # denominator, funnel95_lower, funnel95_upper, funnel998_lower, …
    outliers: pl.DataFrame  # practices outside the 99.8% (then 95%) limits, worst first


def funnel_view(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    benchmark: str = BENCHMARK_ALL,
    method: str = "arcsine-od",
) -> FunnelView:
    """All practices compared with the benchmark on one indicator and period."""
    comparison = compare_practices(
        data,
        indicator_id,
        period,
        options,
        benchmark=benchmark,
        method=method,
        ranks=False,
    )
    points = comparison.table.with_columns(
        pl.when(pl.col("outlier998") != "none")
        .then(pl.lit("outside 99.8%"))
        .when(pl.col("outlier95") != "none")
        .then(pl.lit("outside 95%"))
        .otherwise(pl.lit("within limits"))
        .alias("status"),
    )
    dens = points.get_column("denominator")
    n_max = float(dens.max()) * 1.05
    n_min = max(1.0, float(dens.min()) * 0.5)
    grid = funnel_limits_grid(comparison.summary, n_max=n_max, n_min=n_min, points=GRID_POINTS)
    outliers = (
        points.filter(pl.col("status") != "within limits")
        .with_columns(
            (pl.col("value") - comparison.summary.benchmark).abs().alias("distance"),
            (pl.col("status") == "outside 99.8%").alias("_strong"),
        )
        .sort(["in_network", "_strong", "distance"], descending=True)
        .select(
            "label",
            "network_name",
            "in_network",
            "value",
            "numerator",
            "denominator",
            "status",
            pl.when(pl.col("outlier95") == "high")
            .then(pl.lit("high"))
            .otherwise(pl.lit("low"))
            .alias("direction"),
            "practice_id",
        )
    )
    return FunnelView(comparison=comparison, points=points, grid=grid, outliers=outliers)
