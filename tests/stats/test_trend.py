"""Fingertips trend marker: TrendMarkerCalculatorTest.cs vectors (METHODS.md section 7)."""

from __future__ import annotations

import pytest

from netcompare.errors import UserError
from netcompare.stats.trend import (
    CHI_SQUARE_998,
    chi_square_for_trend,
    trend_marker,
    trend_marker_from_intervals,
)

COUNTS = [994, 1023, 1199, 1332, 1367]  # 2014-2018
DENOMS = [40299, 41527, 42811, 44064, 44701]


def test_proportions_vector_chi_square_47_90():
    # TestIsSignificantForProportionsReturnsTrue: round(chi2, 2) == 47.9
    result = trend_marker(COUNTS, DENOMS)
    assert round(result.chi2, 2) == 47.90
    assert result.significant is True
    assert result.direction == "increasing"


def test_reversed_series_is_decreasing():
    result = trend_marker(COUNTS[::-1], DENOMS[::-1])
    assert result.direction == "decreasing"
    assert result.chi2 == pytest.approx(trend_marker(COUNTS, DENOMS).chi2)


def test_intervals_vector_chi_square_46_77():
    # TestIsSignificantReturnsTrue: published values and 95% CIs for the same years
    values = [24.67, 24.6, 28, 30.2, 30.6]
    lower = [23.16, 23.15, 26.44, 28.63, 28.98]
    upper = [26.25, 26.19, 29.64, 31.9, 32.25]
    result = trend_marker_from_intervals(values, lower, upper)
    assert round(result.chi2, 2) == 46.77
    assert result.significant and result.direction == "increasing"


def test_intervals_vector_not_significant():
    # TestIsSignificantReturnsFalse (2014-2018)
    values = [20.5506, 19.5952, 19.0349, 21.3966, 18.4372]
    lower = [18.1803, 17.3444, 16.8421, 19.0918, 16.2925]
    upper = [23.1427, 22.0602, 21.4394, 23.8975, 20.7941]
    result = trend_marker_from_intervals(values, lower, upper)
    assert result.significant is False and result.direction == "no_change"


def test_cannot_be_calculated():
    # TestIsSignificantForProportionsCannotBeCalculated: 5/5 leaves the logit undefined
    result = trend_marker([5, 3, 1, 1, 2], [5, 5, 5, 4, 4])
    assert result.direction == "cannot_be_calculated"
    assert result.significant is False and result.chi2 is None
    assert trend_marker([1, 2, 3], [10, 10, 10]).direction == "cannot_be_calculated"


def test_uses_last_five_points_only():
    with_old = trend_marker([5000, *COUNTS], [10000, *DENOMS])
    assert with_old.chi2 == pytest.approx(trend_marker(COUNTS, DENOMS).chi2)


def test_flat_series_no_change():
    result = trend_marker([100, 101, 99, 100, 100], [1000] * 5)
    assert result.significant is False and result.direction == "no_change"
    assert result.chi2 < CHI_SQUARE_998


def test_chi_square_is_shift_invariant_formula():
    # chi-square for trend does not depend on where t starts (Fingertips used calendar years)
    assert chi_square_for_trend(COUNTS, DENOMS) == pytest.approx(47.8967, abs=1e-4)


def test_invalid_counts():
    with pytest.raises(UserError):
        trend_marker([5, 6], [4, 10])
