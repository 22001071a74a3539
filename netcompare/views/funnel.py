"""The funnel plot: every practice's value against its denominator, with control limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.funnel import FunnelSummary, funnel_limits_grid
from netcompare.types import Benchmark, FunnelMethod
from netcompare.views.common import (
    ALL,
    PracticeRef,
    ViewOptions,
    chart_caption,
    network_name,
    period_words,
)
from netcompare.views.compare import BENCHMARK_ALL, Comparison, compare_practices
from netcompare.views.format import (
    VERDICT_COLUMN,
    VERDICT_WORDS,
    YOURS,
    judgement_words,
    outliers_display,
    verdict_text,
)

GRID_POINTS = 300

WITHIN = "within limits"
OUTSIDE_95 = "outside 95%"
OUTSIDE_998 = "outside 99.8%"

POINTS_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "ci95_lower": pl.Float64(),
        "ci95_upper": pl.Float64(),
        "ci998_lower": pl.Float64(),
        "ci998_upper": pl.Float64(),
        "funnel95_lower": pl.Float64(),
        "funnel95_upper": pl.Float64(),
        "funnel998_lower": pl.Float64(),
        "funnel998_upper": pl.Float64(),
        "outlier95": pl.String(),
        "outlier998": pl.String(),
        "comparison": pl.String(),
        "rag": pl.String(),
        "quintile": pl.Int64(),
        "rank": pl.Int64(),
        "label": pl.String(),
        "network_id": pl.String(),
        "hidden": pl.Boolean(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "verdict": pl.String(),
        "status": pl.String(),
        "verdict_words": pl.String(),
    }
)
OUTLIERS_SCHEMA = pl.Schema(
    {
        "label": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "value": pl.Float64(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "status": pl.String(),
        "direction": pl.String(),
        "verdict": pl.String(),
        "practice_id": pl.String(),
    }
)
GRID_SCHEMA = pl.Schema(
    {
        "denominator": pl.Float64(),
        "funnel95_lower": pl.Float64(),
        "funnel95_upper": pl.Float64(),
        "funnel998_lower": pl.Float64(),
        "funnel998_upper": pl.Float64(),
    }
)


@dataclass(frozen=True)
class FunnelPoint:
    """One practice picked on the chart: who, and its numbers in words."""

    practice: PracticeRef
    words: str  # "94.1% (321 of 341), 95% CI 91.1%–96.2%: ● similar (within limits)."


@dataclass(frozen=True)
class FunnelView:
    """The funnel plot page: the chart's inputs and words, and the outliers table."""

    comparison: Comparison
    points: pl.DataFrame  # POINTS_SCHEMA: one row per practice, its limits and outlier flags
    grid: pl.DataFrame  # GRID_SCHEMA: the limit curves
    outliers: pl.DataFrame  # OUTLIERS_SCHEMA: outside the 99.8% (then 95%) limits, worst first
    title: str
    caption: str  # indicator, period, benchmark, method with φ and τ², denominator, source
    outliers_shown: pl.DataFrame  # the outliers as listed beside the chart
    outliers_key: str | None  # what ◆ means in that list (None: no network chosen, no ◆)
    no_outliers: str  # said instead of an empty list
    y_title: str  # the value axis: "MMR1 by 24 months (%)"
    judgement: str  # what better / similar / worse mean here (and on every page)

    @property
    def benchmark(self) -> float:
        """The centre line."""
        return self.comparison.summary.benchmark

    @property
    def practice_ids(self) -> list[str]:
        """The practices drawn, in the points' order (e.g. to count their notes)."""
        return self.points.get_column("practice_id").to_list()

    @property
    def data_shown(self) -> pl.DataFrame:
        """The points as the chart draws them, each with the funnel's limits at its own
        denominator, in percent: the chart's data to download."""
        pct = {
            "value": "Value (%)",
            "ci95_lower": "95% CI lower (%)",
            "ci95_upper": "95% CI upper (%)",
            "funnel95_lower": "95% limit lower (%)",
            "funnel95_upper": "95% limit upper (%)",
            "funnel998_lower": "99.8% limit lower (%)",
            "funnel998_upper": "99.8% limit upper (%)",
        }
        return self.points.sort("label").select(
            pl.col("label").alias("Practice"),
            pl.col("network_name").alias("Network"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            *((pl.col(c) * 100).round(2).alias(name) for c, name in pct.items()),
            pl.lit(round(self.benchmark * 100, 2)).alias("Benchmark (%)"),
            pl.col("verdict_words").alias(VERDICT_COLUMN),
        )

    def point(self, practice_id: str) -> FunnelPoint | None:
        """The practice clicked on the chart, if it is one of the points."""
        row = self.points.filter(pl.col("practice_id") == practice_id)
        if row.height == 0:
            return None
        r = row.row(0, named=True)
        words = (
            f"{r['value']:.1%} ({r['numerator']:,} of {r['denominator']:,}), "
            f"95% CI {r['ci95_lower']:.1%}–{r['ci95_upper']:.1%}: {r['verdict_words']}."
        )
        return FunnelPoint(PracticeRef(practice_id, r["label"], r["network_id"]), words)


def overdispersion_words(summary: FunnelSummary) -> str:
    """Whether the limits were widened for over-dispersion, with φ and τ² when they were."""
    if summary.method == "wilson":
        return "no over-dispersion adjustment"
    if summary.overdispersion_adjusted:
        return f"over-dispersion adjusted: φ = {summary.phi:.3f}, τ² = {summary.tau2:.6f}"
    if summary.method == "arcsine-od":
        return f"φ = {summary.phi:.3f} ≤ 1: no over-dispersion, unadjusted limits"
    return "unadjusted limits (no over-dispersion adjustment requested)"


def funnel_view(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    benchmark: Benchmark = BENCHMARK_ALL,
    method: FunnelMethod = "arcsine-od",
) -> FunnelView:
    """All practices compared with the benchmark on one indicator and period.

    Raises :class:`netcompare.errors.UserError` when fewer than two practices have data.
    """
    comparison = compare_practices(
        data,
        indicator_id,
        period,
        options,
        benchmark=benchmark,
        method=method,
        ranks=False,
    )
    summary = comparison.summary
    points = comparison.table.with_columns(
        pl.when(pl.col("outlier998") != "none")
        .then(pl.lit(OUTSIDE_998))
        .when(pl.col("outlier95") != "none")
        .then(pl.lit(OUTSIDE_95))
        .otherwise(pl.lit(WITHIN))
        .alias("status"),
        verdict_text().alias("verdict_words"),
    )
    dens = points.get_column("denominator")
    n_max = float(dens.max()) * 1.05
    n_min = max(1.0, float(dens.min()) * 0.5)
    grid = funnel_limits_grid(summary, n_max=n_max, n_min=n_min, points=GRID_POINTS)
    outliers = (
        points.filter(pl.col("status") != WITHIN)
        .with_columns(
            (pl.col("value") - summary.benchmark).abs().alias("distance"),
            (pl.col("status") == OUTSIDE_998).alias("_strong"),
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
            "verdict",
            "practice_id",
        )
    )
    indicator = data.indicator(indicator_id)
    name = indicator.name
    caption = chart_caption(
        name,
        period,
        benchmark=comparison.benchmark_label,
        method=f"{comparison.method_label}; {overdispersion_words(summary)}; "
        "limits 95% (dashed) and 99.8% (solid)",
        net_of_exceptions=options.net_of_exceptions,
        source=data.name,
        period_type=indicator.period_type,
    )
    key = None
    if options.network_id != ALL:
        key = f"{YOURS} = a practice in {network_name(data, options.network_id)}"
    return FunnelView(
        comparison=comparison,
        points=points,
        grid=grid,
        outliers=outliers,
        title=f"{name}, {period_words(period, indicator.period_type)}: {summary.n_units} practices",
        caption=caption,
        outliers_shown=outliers_display(outliers),
        outliers_key=key,
        no_outliers=f"No practice is outside the 95% limits: every one is "
        f"{VERDICT_WORDS['similar']}.",
        y_title=f"{name} (%)",
        judgement=judgement_words(comparison.method_label, comparison.benchmark_label),
    )
