"""Quintiles (Fingertips), league ranks and simulated rank intervals (METHODS.md section 5)."""

from __future__ import annotations

import numpy as np
import pytest

from netcompare.stats.ranks import (
    fingertips_percentile,
    league_rank,
    quintile_bounds,
    quintiles,
    rank_intervals,
)


def test_quintile_bounds_public_vector():
    # values 1..50 give bounds [1, 10.8, 20.6, 30.4, 40.2, 50]
    bounds = quintile_bounds(np.arange(1.0, 51))
    np.testing.assert_allclose(bounds, [1, 10.8, 20.6, 30.4, 40.2, 50], rtol=0, atol=1e-12)


def test_percentile_rounded_to_ten_decimals():
    v = np.arange(1.0, 51)
    assert fingertips_percentile(v, 0.2 * 3) == 30.4  # 30.400000000000002 without rounding


def test_fewer_than_five_values_have_no_quintile():
    assert quintile_bounds([1.0, 2, 3, 4]) is None
    assert list(quintiles([1.0, 2, 3, 4])) == [0, 0, 0, 0]
    assert list(quintiles([1.0, 2, 3, 4, np.nan])) == [0, 0, 0, 0, 0]


def test_quintile_orientation_and_boundaries():
    v = np.arange(1.0, 51)
    low = quintiles(v, "low")  # Fingertips' own category: 1 holds the lowest values
    assert low[0] == 1 and low[-1] == 5
    # a value equal to a bound belongs to the lower category (value <= bound)
    assert low[9] == 1 and low[10] == 2  # 10 <= 10.8 ; 11 > 10.8
    high = quintiles(v, "high")  # quintile 1 = best = highest values
    np.testing.assert_array_equal(high, 6 - low)
    assert list(np.bincount(high)[1:]) == [10, 10, 10, 10, 10]
    np.testing.assert_array_equal(quintiles(v, "neutral"), high)


def test_league_rank_ties_share_best_rank():
    assert list(league_rank([0.5, 0.9, 0.5, 0.1])) == [2, 1, 2, 4]
    assert list(league_rank([0.5, 0.9, 0.5, 0.1], "low")) == [2, 4, 2, 1]
    assert list(league_rank([0.5, np.nan, 0.7])) == [2, 0, 1]


@pytest.fixture(scope="module")
def counts():
    rng = np.random.default_rng(11)
    n = rng.integers(30, 800, 60).astype(float)
    x = np.round(n * rng.uniform(0.4, 0.95, 60))
    return x, n


def test_rank_intervals_reproducible_and_seeded(counts):
    x, n = counts
    a = rank_intervals(x, n, seed=3, draws=400)
    b = rank_intervals(x, n, seed=3, draws=400, threads=1)
    c = rank_intervals(x, n, seed=4, draws=400)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not (np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1]))


def test_rank_intervals_contain_rank_and_are_plausible(counts):
    x, n = counts
    rank = league_rank(x / n)
    lo, up = rank_intervals(x, n, seed=1, draws=1000)
    assert np.all((lo >= 1) & (lo <= rank) & (rank <= up) & (up <= x.size))
    # the best-estimated units have narrower intervals than the worst-estimated
    width = up - lo
    assert np.median(width[n > 500]) < np.median(width[n < 100])


def test_rank_intervals_polarity_low_mirrors_high(counts):
    x, n = counts
    lo_h, up_h = rank_intervals(x, n, "high", seed=2, draws=500)
    lo_l, up_l = rank_intervals(x, n, "low", seed=2, draws=500)
    k = x.size
    # ranking in the other direction reverses ranks: r -> k + 1 - r
    np.testing.assert_array_equal(lo_l, k + 1 - up_h)
    np.testing.assert_array_equal(up_l, k + 1 - lo_h)


def test_rank_intervals_certain_ordering():
    # huge denominators: the ranks are certain
    n = np.full(5, 1e7)
    x = n * np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    lo, up = rank_intervals(x, n, draws=200)
    assert list(lo) == [5, 4, 3, 2, 1] and list(up) == [5, 4, 3, 2, 1]


def test_rank_intervals_skip_missing():
    lo, up = rank_intervals([5, np.nan, 7], [10, 10, 10], draws=100)
    assert lo[1] == 0 and up[1] == 0
    assert 1 <= lo[0] <= up[0] <= 2
