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


def simulated_interval(x, n, polarity="high", *, seed, draws):
    """rank_intervals' own percentiles, before the widening to the observed rank.

    Supplying an observed rank that can never lie outside one end leaves that end as the
    simulation gave it: the last rank for the lower end, rank 1 for the upper end.
    """
    k = x.size
    lower, _ = rank_intervals(x, n, polarity, seed=seed, draws=draws, ranks=np.full(k, k))
    _, upper = rank_intervals(x, n, polarity, seed=seed, draws=draws, ranks=np.ones(k, int))
    return lower, upper


def independent_interval(x, n, polarity="high", *, seed, draws):
    """METHODS.md section 5 written out with numpy alone: each unit's rate from Beta(x + 0.5,
    n - x + 0.5), every draw ranked (1 = best), 2.5th / 97.5th percentiles rounded outwards."""
    theta = np.random.default_rng(seed).beta(x + 0.5, n - x + 0.5, size=(draws, x.size))
    key = theta if polarity == "low" else -theta
    ranks = key.argsort(axis=1).argsort(axis=1) + 1
    lower = np.floor(np.quantile(ranks, 0.025, axis=0)).astype(int)
    upper = np.ceil(np.quantile(ranks, 0.975, axis=0)).astype(int)
    return lower, upper


@pytest.fixture(scope="module")
def small_counts():
    # denominators 1..24 and rates from 0 to 1 (x = 0 and x = n included): the prior matters
    rng = np.random.default_rng(12)
    n = rng.integers(1, 25, 40).astype(float)
    x = np.round(n * rng.uniform(0.0, 1.0, 40))
    return x, n


@pytest.mark.parametrize("data", ["counts", "small_counts"])
@pytest.mark.parametrize("polarity", ["high", "low"])
def test_rank_intervals_agree_with_an_independent_simulation(data, polarity, request):
    x, n = request.getfixturevalue(data)
    lower, upper = simulated_interval(x, n, polarity, seed=1, draws=4000)
    ref_lower, ref_upper = independent_interval(x, n, polarity, seed=99, draws=20_000)
    diff = np.abs(np.concatenate((lower - ref_lower, upper - ref_upper)))
    # different random numbers: equal up to Monte Carlo noise. A 90% interval instead of 95%
    # differs by 0.8-1.4 ranks on average here, a Beta(x + 1, n - x + 1) posterior by 0.6 on
    # the small denominators, the other polarity by ~29.
    assert diff.max() <= 2
    assert diff.mean() < 0.3
    # the full intervals are the independent ones widened to the observed rank
    rank = league_rank(x / n, polarity)
    lo, up = rank_intervals(x, n, polarity, seed=1, draws=4000)
    widened = np.concatenate((lo - np.minimum(ref_lower, rank), up - np.maximum(ref_upper, rank)))
    assert np.abs(widened).max() <= 2


def test_rank_intervals_widen_only_where_the_simulation_excludes_the_rank(counts, small_counts):
    for x, n in (counts, small_counts):
        rank = league_rank(x / n)
        sim_lo, sim_up = simulated_interval(x, n, seed=5, draws=500)
        lo, up = rank_intervals(x, n, seed=5, draws=500)
        np.testing.assert_array_equal(lo, np.minimum(sim_lo, rank))
        np.testing.assert_array_equal(up, np.maximum(sim_up, rank))
        # most units need no widening: the interval is the simulation's own
        inside = (sim_lo <= rank) & (rank <= sim_up)
        assert inside.mean() > 0.8
        np.testing.assert_array_equal(lo[inside], sim_lo[inside])
        np.testing.assert_array_equal(up[inside], sim_up[inside])


def test_rank_intervals_widened_when_the_simulation_excludes_the_rank():
    # 1/1 ranks first, but its posterior Beta(1.5, 0.5) beats 0.9999 in only ~1.3% of draws;
    # the four near-certain units rank 2..5 but come first to fourth in ~98.7% of draws
    n = np.array([1.0, 1e8, 1e8, 1e8, 1e8])
    x = np.array([1.0, 0.99994e8, 0.99993e8, 0.99992e8, 0.99991e8])
    assert list(league_rank(x / n)) == [1, 2, 3, 4, 5]
    ref = independent_interval(x, n, seed=3, draws=20_000)
    assert list(ref[0]) == [5, 1, 2, 3, 4] and list(ref[1]) == [5, 1, 2, 3, 4]
    assert list(simulated_interval(x, n, seed=1, draws=4000)[0]) == [5, 1, 2, 3, 4]
    lo, up = rank_intervals(x, n, seed=1, draws=4000)
    assert list(lo) == [1, 1, 2, 3, 4]
    assert list(up) == [5, 2, 3, 4, 5]


def test_rank_intervals_narrower_for_larger_denominators(counts):
    x, n = counts
    lo, up = rank_intervals(x, n, seed=1, draws=1000)
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
    # the missing unit gets no interval and takes no rank: the other two share ranks 1-2
    # (Beta(5.5, 5.5) beats Beta(7.5, 3.5) in about 18% of draws, far from the 2.5% tails)
    assert list(lo) == [1, 0, 1]
    assert list(up) == [2, 0, 2]
