"""Funnel plots: FunnelPlotR 0.6.0 (PR) and PHEindicatormethods 2.1.0 (inverted Wilson)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netcompare.errors import UserError
from netcompare.stats.funnel import (
    FUNNELPLOTR_Z95,
    FUNNELPLOTR_Z998,
    assign_funnel_significance,
    build_limits_lookup,
    calculate_limits,
    estimate_overdispersion,
    funnel_limits,
    funnel_limits_grid,
    monotonic_fix,
    outliers_func,
    phi_func,
    r_quantile_type7,
    r_seq_length_out,
    sigma_adjustment,
    tau_func,
    transformed_zscore,
    wilson_funnel_limits,
    winsorisation,
)

REF = Path(__file__).resolve().parents[1] / "reference_data"


def raw_arcsine_limits(n, target, tau2, z):
    """METHODS.md 2a written out: sin(asin(sqrt(target)) -/+ z sqrt(1/(4n) + tau2))^2."""
    spread = z * np.sqrt(1 / (4 * np.asarray(n, dtype=float)) + tau2)
    yt = math.asin(math.sqrt(target))
    return np.sin(yt - spread) ** 2, np.sin(yt + spread) ** 2


@pytest.fixture(scope="module")
def phe_inputs() -> pl.DataFrame:
    return pl.read_csv(REF / "testdata_funnel_prop_inputs.csv")


# --- PHEindicatormethods ----------------------------------------------------------------------


def test_phe_significance_all_303_labels(phe_inputs):
    labels = assign_funnel_significance(
        phe_inputs["numerator"].to_numpy(), phe_inputs["denominator"].to_numpy()
    )
    expected = phe_inputs["significance"].to_numpy()
    assert labels.shape == (303,)
    mismatches = [
        (i, a, b) for i, (a, b) in enumerate(zip(labels, expected, strict=True)) if a != b
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("file", "max_denominator"),
    [
        ("testdata_funnel_prop_outputs.csv", None),
        ("testdata_funnel_prop_outputs_with_axis_variation.csv", 31000),
    ],
)
def test_phe_funnel_limit_table(phe_inputs, file, max_denominator):
    # PHEindicatormethods calculate_funnel_limits (multiplier 100): the limits at each of its
    # populations, around the pooled proportion
    data = phe_inputs
    if max_denominator is not None:
        data = data.filter(pl.col("denominator") < max_denominator)
    expected = pl.read_csv(REF / file)
    x, n = data["numerator"].to_numpy(), data["denominator"].to_numpy()
    pooled = x.sum() / n.sum()
    got = wilson_funnel_limits(expected["Population"].to_numpy(), pooled)
    for column, name in (
        ("Lower2s0025limit", "funnel95_lower"),
        ("Upper2s0025limit", "funnel95_upper"),
        ("Lower3s0001limit", "funnel998_lower"),
        ("Upper3s0001limit", "funnel998_upper"),
    ):
        # the reference is printed to 6 (8) decimals in percent
        np.testing.assert_allclose(got[name] * 100, expected[column].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(expected["Baseline"].to_numpy(), pooled * 100, atol=1e-6)


def test_sigma_adjustment_touches_wilson_interval():
    # the limit at n is the proportion whose Wilson interval just touches the average
    from netcompare.stats.intervals import wilson_interval

    n, average = 400.0, 0.3
    upper = float(sigma_adjustment(0.975, n, average, "high"))
    lower = float(sigma_adjustment(0.975, n, average, "low"))
    lo_of_upper, _ = wilson_interval(upper * n, n, 0.95)
    _, up_of_lower = wilson_interval(lower * n, n, 0.95)
    assert lo_of_upper[0] == pytest.approx(average, abs=1e-12)
    assert up_of_lower[0] == pytest.approx(average, abs=1e-12)


def test_wilson_method_outliers_follow_labels(phe_inputs):
    x = phe_inputs["numerator"].to_numpy()
    n = phe_inputs["denominator"].to_numpy()
    result = funnel_limits(x, n, method="wilson")
    labels = phe_inputs["significance"].to_numpy()
    high998 = labels == "High (0.001)"
    assert list(result.outlier998[high998]) == ["high"] * int(high998.sum())
    assert set(result.outlier998[labels == "High (0.025)"]) == {"none"}
    assert set(result.outlier95[labels == "High (0.025)"]) == {"high"}
    assert set(result.outlier95[labels == "Low (0.025)"]) == {"low"}
    assert set(result.outlier95[labels == "Not significant"]) == {"none"}
    assert result.summary.phi is None and result.summary.tau2 is None
    assert result.summary.overdispersion_adjusted is False


# --- FunnelPlotR ------------------------------------------------------------------------------


def test_outliers_func_public_vector():
    # FunnelPlotR tests/testthat/test-outliers_func.R
    rr = np.array([1, 0.95, 1.05, 0.8, 1.2, 0.6, 1.4, 0.4, 1.6, 0])
    cases = [
        ((0.9, 1.1), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]),
        ((0.79, 1.21), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
        ((0.59, 1.41), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]),
        ((0.38, 1.62), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ]
    for (lo, up), expected in cases:
        flags = outliers_func(rr, np.full(10, lo), np.full(10, up))
        assert [int(f != "none") for f in flags] == expected


def test_outliers_func_direction_and_inclusive_bounds():
    flags = outliers_func(np.array([0.2, 0.5, 0.8, 0.2, 0.8]), np.full(5, 0.2), np.full(5, 0.8))
    assert list(flags) == ["none", "none", "none", "none", "none"]
    flags = outliers_func(np.array([0.1, 0.9, np.nan]), np.full(3, 0.2), np.full(3, 0.8))
    assert list(flags) == ["low", "high", None]


def test_r_quantile_type7_matches_r():
    # quantile(1:10, c(0.1, 0.9)) = 1.9, 9.1 ; quantile(c(1, 2, 3, 4), 0.1) = 1.3
    np.testing.assert_allclose(r_quantile_type7(np.arange(1.0, 11), [0.1, 0.9]), [1.9, 9.1])
    np.testing.assert_allclose(r_quantile_type7(np.array([4.0, 1, 3, 2]), 0.1), [1.3])
    np.testing.assert_allclose(r_quantile_type7(np.array([5.0, 5, 5]), [0.1, 0.9]), [5, 5])


def test_r_seq_length_out():
    grid = r_seq_length_out(3.0, 1000.0, 1000)
    assert grid.size == 1000
    assert grid[0] == 3.0 and grid[-1] == 1000.0
    assert grid[1] == pytest.approx(3 + 997 / 999)


def test_winsorisation_clamps_at_10th_and_90th_percentiles():
    z = np.arange(1.0, 11)
    w = winsorisation(z)
    np.testing.assert_allclose(w, [1.9, 2, 3, 4, 5, 6, 7, 8, 9, 9.1])


def test_phi_and_tau_formulas():
    wz = np.array([1.0, -2.0, 3.0, 0.5])
    assert phi_func(wz) == pytest.approx((1 + 4 + 9 + 0.25) / 4)
    n = np.array([100.0, 200.0, 400.0, 800.0])
    s = 1 / (2 * np.sqrt(n))
    phi = 3.0
    w = 4 * n
    expected = (4 * phi - 3) / (w.sum() - (w**2).sum() / w.sum())
    assert tau_func(4, phi, s) == pytest.approx(expected)
    # n * phi < n - 1: no between-unit variance
    assert tau_func(4, 0.5, s) == 0.0


def test_transformed_zscore():
    y, s, z = transformed_zscore(np.array([25.0]), np.array([100.0]), 0.16)
    assert y[0] == pytest.approx(math.asin(0.5))
    assert s[0] == pytest.approx(0.05)
    assert z[0] == pytest.approx((math.asin(0.5) - math.asin(0.4)) / 0.05)


def test_adjusted_method_flags_two_of_303_at_998(phe_inputs):
    # METHODS.md: the over-dispersion-adjusted arcsine method flags 2 of PHE's 303 areas
    result = funnel_limits(phe_inputs["numerator"].to_numpy(), phe_inputs["denominator"].to_numpy())
    assert result.summary.overdispersion_adjusted is True
    assert result.summary.phi > 1 and result.summary.tau2 > 0
    assert int(np.sum(result.outlier998 != "none")) == 2


def test_unadjusted_arcsine_uses_zero_tau(phe_inputs):
    x = phe_inputs["numerator"].to_numpy()
    n = phe_inputs["denominator"].to_numpy()
    result = funnel_limits(x, n, method="arcsine")
    pooled = x.sum() / n.sum()
    lo, up = raw_arcsine_limits(n, pooled, 0.0, 3.090232)
    np.testing.assert_allclose(result.limits["funnel998_lower"], lo, rtol=0, atol=1e-15)
    np.testing.assert_allclose(result.limits["funnel998_upper"], up, rtol=0, atol=1e-15)
    assert result.summary.phi == 0.0 and result.summary.tau2 == 0.0
    # the unadjusted limits are far narrower: many more outliers than with the adjustment
    assert np.sum(result.outlier998 != "none") > 200


def test_no_overdispersion_falls_back_to_unadjusted():
    # identical proportions: phi = 0 <= 1, so the plain limits are used
    x = np.array([50.0, 100, 150, 200])
    n = np.array([100.0, 200, 300, 400])
    adjusted = funnel_limits(x, n, method="arcsine-od")
    plain = funnel_limits(x, n, method="arcsine")
    assert adjusted.summary.overdispersion_adjusted is False
    assert adjusted.summary.phi <= 1
    for name, column in plain.limits.items():
        np.testing.assert_array_equal(adjusted.limits[name], column)


def test_limits_use_funnelplotr_multipliers():
    limits = calculate_limits(np.array([400.0]), 0.5, 0.0)
    for level, z in (("95", 1.959964), ("998", 3.090232)):
        spread = z * math.sqrt(1 / 1600)
        lower, upper = limits[f"funnel{level}_lower"][0], limits[f"funnel{level}_upper"][0]
        assert lower == pytest.approx(math.sin(math.pi / 4 - spread) ** 2, abs=1e-15)
        assert upper == pytest.approx(math.sin(math.pi / 4 + spread) ** 2, abs=1e-15)
    assert FUNNELPLOTR_Z95 == 1.959964 and FUNNELPLOTR_Z998 == 3.090232


def test_monotonic_fix_zeroes_folded_lower_limits():
    n = np.arange(1.0, 40)
    lower, upper = raw_arcsine_limits(n, 0.05, 0.0, FUNNELPLOTR_Z998)
    # at small n the arcsine lower limit folds back above zero ...
    assert lower[0] > lower[5]
    fixed_lower, fixed_upper = monotonic_fix(lower, upper)
    # ... and the fix sets each lower limit above the next one to 0
    assert np.all(fixed_lower[:-1][lower[:-1] > lower[1:]] == 0)
    assert fixed_lower[0] == 0.0
    np.testing.assert_array_equal(fixed_lower[-1], lower[-1])
    assert np.all((fixed_lower >= 0) & (fixed_upper <= 1))


def test_lookup_table_includes_each_denominator_and_grid():
    n = np.array([500.0, 5, 50, 5])
    number_seq, table, rows = build_limits_lookup(n, 0.3, 0.0)
    # FunnelPlotR's grid seq(3, 500, length.out = 1000) plus the denominators, de-duplicated
    assert number_seq.size == 1000 + 2  # 500 is on the grid already; 5 and 50 are not
    assert number_seq[0] == 3.0 and number_seq[-1] == 500.0
    assert np.all(np.diff(number_seq) > 0)
    np.testing.assert_array_equal(number_seq[rows], n)
    assert table["funnel95_lower"].shape == number_seq.shape


def test_overdispersion_steps_in_order():
    rng = np.random.default_rng(5)
    n = rng.integers(100, 1000, 40).astype(float)
    x = np.round(n * rng.uniform(0.5, 0.9, 40))
    pooled = x.sum() / n.sum()
    od = estimate_overdispersion(x, n, pooled)
    _, s, z = transformed_zscore(x, n, pooled)
    np.testing.assert_array_equal(od.zscores, z)
    np.testing.assert_array_equal(od.winsorised, winsorisation(z))
    assert od.phi == phi_func(winsorisation(z))
    assert od.tau2 == tau_func(40, od.phi, s)


def test_target_centred_funnel():
    x = np.array([40.0, 55, 70, 90])
    n = np.array([100.0, 100, 100, 100])
    result = funnel_limits(x, n, method="arcsine", benchmark=0.9)
    assert result.summary.benchmark == 0.9
    assert result.limits["funnel95_lower"][0] < 0.9 < result.limits["funnel95_upper"][0]
    assert list(result.outlier998) == ["low", "low", "low", "none"]


def test_needs_two_units():
    with pytest.raises(UserError, match="at least 2 units"):
        funnel_limits(np.array([1.0]), np.array([10.0]))


@pytest.mark.parametrize("method", ["arcsine-od", "arcsine", "wilson"])
def test_funnel_limits_grid(phe_inputs, method):
    x = phe_inputs["numerator"].to_numpy()
    n = phe_inputs["denominator"].to_numpy()
    summary = funnel_limits(x, n, method=method).summary
    grid = funnel_limits_grid(summary, n_max=110000, n_min=10, points=150)
    assert grid.columns == [
        "denominator",
        "funnel95_lower",
        "funnel95_upper",
        "funnel998_lower",
        "funnel998_upper",
    ]
    assert grid.height == 150
    d = grid["denominator"].to_numpy()
    assert d[0] == pytest.approx(10) and d[-1] == pytest.approx(110000)
    lo95, up95 = grid["funnel95_lower"].to_numpy(), grid["funnel95_upper"].to_numpy()
    lo998, up998 = grid["funnel998_lower"].to_numpy(), grid["funnel998_upper"].to_numpy()
    assert np.all(lo998 <= lo95) and np.all(lo95 <= summary.benchmark)
    assert np.all(up998 >= up95) and np.all(up95 >= summary.benchmark)
    # funnels narrow as n grows
    assert np.all(np.diff(lo95) >= -1e-12) and np.all(np.diff(up95) <= 1e-12)


def test_funnel_limits_grid_rejects_bad_range():
    x = np.array([10.0, 20])
    n = np.array([100.0, 100])
    summary = funnel_limits(x, n, method="wilson").summary
    with pytest.raises(UserError):
        funnel_limits_grid(summary, n_max=5, n_min=10)
