"""The statistics core: pure, vectorised functions on numpy arrays and polars frames.

Every number netcompare shows comes from here, and each method matches a public reference
implementation (see each module's docstring for its source and any deliberate deviation):

Intervals (``intervals``; PHEindicatormethods 2.1.0)
    ``wilson_interval(numerator, denominator, confidence) -> (lower, upper)``; ``Z95``, ``Z998``.

Funnel plots (``funnel``; FunnelPlotR 0.6.0 PR method, PHEindicatormethods 2.1.0)
    Steps named as FunnelPlotR names them: ``transformed_zscore``, ``winsorisation``,
    ``phi_func``, ``tau_func``, ``calculate_limits``, ``build_limits_lookup``,
    ``outliers_func``; the inverted Wilson ``sigma_adjustment`` and
    ``assign_funnel_significance``; PHE's drawing table ``calculate_funnel_limits``.
    ``funnel_limits(x, n, method=, benchmark=) -> FunnelResult`` (limits at each unit's own
    denominator, outlier flags, ``FunnelSummary``);
    ``funnel_limits_grid(summary, n_max, n_min=1, points=200) -> pl.DataFrame`` (denominator,
    funnel95_lower, funnel95_upper, funnel998_lower, funnel998_upper) for drawing.

Benchmark and target (``benchmark``; Fingertips)
    ``compare_with_benchmark(value, benchmark, lower95, upper95, lower998=None,
    upper998=None, polarity=)`` (one or two CI levels); ``rag(value, target, amber,
    polarity=, lower95=, upper95=, use_ci=False)``.

Ranks (``ranks``; Fingertips quintiles, seeded simulation)
    ``quintiles(values, polarity)``, ``league_rank(values, polarity)`` (1 = best, ties share
    the best rank), ``rank_intervals(x, n, polarity, seed=1, draws=1000)``.

One call for the league table and funnel (``compare``)
    ``compare_units(frame, *, unit=, numerator=, denominator=, method="arcsine-od",
    benchmark=None, polarity="high", target=None, amber=None, seed=1, draws=1000,
    ranks=True) -> (pl.DataFrame with OUTPUT_COLUMNS, FunnelSummary)``.

SPC (``spc``; NHSRplotthedots 0.2.2, Making Data Count)
    ``spc_chart(frame, *, date=, value=, improvement="increase", target=None, rebase=(),
    fix_after=None, screen_outliers=True, run_length=7, two_in_three="mdc2023")`` and
    ``p_chart(frame, *, date=, numerator=, denominator=, ...)`` ->
    ``(pl.DataFrame, SpcSummary(variation_icon, assurance, warnings))``; the rules as separate
    functions (``seven_point_one_side_mean``, ``seven_point_trend``, ``two_in_three``, ...).
    Variation icons: improvement_high, improvement_low, concern_high, concern_low,
    neutral_high, neutral_low, common_cause (NHSRplotthedots' icon names).

Trend marker (``trend``; Fingertips)
    ``trend_marker(numerators, denominators) -> TrendMarker(chi2, significant, direction)``;
    ``trend_marker_from_intervals(values, lower95, upper95)`` for values with CIs only.

Errors a user can act on are raised as :class:`netcompare.errors.UserError`.
"""

from __future__ import annotations

from netcompare.stats.benchmark import compare_with_benchmark, rag
from netcompare.stats.compare import OUTPUT_COLUMNS, compare_units, validate_counts
from netcompare.stats.funnel import (
    FunnelResult,
    FunnelSummary,
    assign_funnel_significance,
    calculate_funnel_limits,
    funnel_limits,
    funnel_limits_grid,
)
from netcompare.stats.intervals import Z95, Z998, wilson_interval
from netcompare.stats.ranks import league_rank, quintiles, rank_intervals
from netcompare.stats.spc import SpcSummary, p_chart, spc_chart
from netcompare.stats.trend import TrendMarker, trend_marker, trend_marker_from_intervals

__all__ = [
    "OUTPUT_COLUMNS",
    "Z95",
    "Z998",
    "FunnelResult",
    "FunnelSummary",
    "SpcSummary",
    "TrendMarker",
    "assign_funnel_significance",
    "calculate_funnel_limits",
    "compare_units",
    "compare_with_benchmark",
    "funnel_limits",
    "funnel_limits_grid",
    "league_rank",
    "p_chart",
    "quintiles",
    "rag",
    "rank_intervals",
    "spc_chart",
    "trend_marker",
    "trend_marker_from_intervals",
    "validate_counts",
    "wilson_interval",
]
