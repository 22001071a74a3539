"""The statistics core: pure, vectorised functions on numpy arrays and polars frames.

Every number netcompare shows comes from here, and each method matches a public reference
implementation (see each module's docstring for its source and any deliberate deviation).
The package itself exports nothing: import each name from its module, as below. The closed
sets of names (polarity, funnel method, improvement direction, ...) are typing ``Literal``
aliases in :mod:`netcompare.types`.

Intervals (``intervals``; PHEindicatormethods 2.1.0)
    ``wilson_interval(numerator, denominator, confidence) -> (lower, upper)``; ``z_for``.

Funnel plots (``funnel``; FunnelPlotR 0.6.0 PR method, PHEindicatormethods 2.1.0)
    Steps named as FunnelPlotR names them: ``transformed_zscore``, ``winsorisation``,
    ``phi_func``, ``tau_func``, ``calculate_limits``, ``build_limits_lookup``,
    ``outliers_func``; the inverted Wilson ``sigma_adjustment``, ``wilson_funnel_limits`` and
    ``assign_funnel_significance``.
    ``funnel_limits(x, n, method=, benchmark=) -> FunnelResult`` (limits at each unit's own
    denominator, outlier flags, ``FunnelSummary``);
    ``funnel_limits_grid(summary, n_max, n_min=1, points=200) -> pl.DataFrame`` (denominator,
    funnel95_lower, funnel95_upper, funnel998_lower, funnel998_upper) for drawing.

Benchmark and target (``benchmark``; Fingertips)
    ``compare_with_benchmark(value, benchmark, lower95, upper95, lower998=None,
    upper998=None, polarity=)`` (one or two CI levels); ``rag(value, target, amber,
    polarity=, lower95=, upper95=, use_ci=False)``; ``check_polarity``.

Ranks (``ranks``; Fingertips quintiles, seeded simulation)
    ``quintiles(values, polarity)``, ``league_rank(values, polarity)`` (1 = best, ties share
    the best rank), ``rank_intervals(x, n, polarity, seed=1, draws=1000)``.

One call for the league table and funnel (``compare``)
    ``compare_units(frame, *, unit=, numerator=, denominator=, method="arcsine-od",
    benchmark=None, polarity="high", target=None, amber=None, seed=1, draws=1000,
    ranks=True) -> (pl.DataFrame with COMPARE_COLUMNS, FunnelSummary)``; ``validate_counts``.

SPC (``spc``; NHSRplotthedots 0.2.2, Making Data Count)
    ``spc_chart(frame, *, date=, value=, improvement="increase", target=None, rebase=(),
    fix_after=None, screen_outliers=True, run_length=7, two_in_three="mdc2023")`` and
    ``p_chart(frame, *, date=, numerator=, denominator=, ...)`` ->
    ``(pl.DataFrame with SPC_COLUMNS, SpcSummary(variation_icon, assurance, warnings))``;
    the rules as separate functions (``seven_point_one_side_mean``, ``seven_point_trend``,
    ``two_in_three``, ...). Variation icons: improvement_high, improvement_low, concern_high,
    concern_low, neutral_high, neutral_low, common_cause (NHSRplotthedots' icon names).

Trend marker (``trend``; Fingertips; METHODS.md section 7, not yet shown by any page)
    ``trend_marker(numerators, denominators) -> TrendMarker(chi2, significant, direction)``;
    ``trend_marker_from_intervals(values, lower95, upper95)`` for values with CIs only.

Errors a user can act on are raised as :class:`netcompare.errors.UserError`.
"""
