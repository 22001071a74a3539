"""Property tests (hypothesis): the invariants every chart and table relies on."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netcompare.stats.funnel import (
    FUNNELPLOTR_Z998,
    calculate_limits,
    funnel_limits,
    sigma_adjustment,
)
from netcompare.stats.intervals import wilson_interval
from netcompare.stats.ranks import league_rank, rank_intervals


@st.composite
def count_pairs(draw, min_size=2, max_size=30):
    size = draw(st.integers(min_size, max_size))
    n = draw(st.lists(st.integers(1, 5000), min_size=size, max_size=size))
    fractions = draw(st.lists(st.floats(0, 1), min_size=size, max_size=size))
    x = [round(f * k) for f, k in zip(fractions, n, strict=True)]
    return np.array(x, dtype=float), np.array(n, dtype=float)


@given(count_pairs(min_size=1), st.sampled_from([0.95, 0.998]))
def test_wilson_interval_contains_value(pairs, confidence):
    x, n = pairs
    lo, up = wilson_interval(x, n, confidence)
    p = x / n
    assert np.all((lo >= 0) & (lo <= p + 1e-15) & (p <= up + 1e-15) & (up <= 1))


@given(count_pairs(min_size=1))
def test_wider_confidence_gives_wider_interval(pairs):
    x, n = pairs
    lo95, up95 = wilson_interval(x, n, 0.95)
    lo998, up998 = wilson_interval(x, n, 0.998)
    assert np.all(lo998 <= lo95 + 1e-15) and np.all(up998 >= up95 - 1e-15)


@given(
    st.floats(0.02, 0.98),
    st.floats(0, 0.01),
    st.integers(5, 5000),
    st.integers(1, 5000),
)
def test_arcsine_limits_widen_as_n_shrinks(target, tau2, n_small, extra):
    # outside the small-n fold (centre - z*sd stays within [0, pi/2]) limits widen as n falls
    n = np.array([float(n_small), float(n_small + extra)])
    yt = np.arcsin(np.sqrt(target))
    sd = np.sqrt(1 / (4 * n[0]) + tau2)
    assume(yt - FUNNELPLOTR_Z998 * sd >= 0 and yt + FUNNELPLOTR_Z998 * sd <= np.pi / 2)
    # each denominator alone: FunnelPlotR's fix compares neighbouring rows and would hide a
    # limit that narrows as n falls
    small, large = (calculate_limits(n[i : i + 1], target, tau2) for i in (0, 1))
    for level in ("95", "998"):
        assert small[f"funnel{level}_lower"][0] <= large[f"funnel{level}_lower"][0] + 1e-15
        assert small[f"funnel{level}_upper"][0] >= large[f"funnel{level}_upper"][0] - 1e-15
    for limits in (small, large):
        assert limits["funnel998_lower"][0] <= limits["funnel95_lower"][0]
        assert limits["funnel998_upper"][0] >= limits["funnel95_upper"][0]


@given(st.floats(0.01, 0.99), st.integers(1, 5000), st.integers(1, 5000))
def test_wilson_funnel_widens_as_n_shrinks(average, n_small, extra):
    n = np.array([float(n_small), float(n_small + extra)])
    for p in (0.975, 0.999):
        lo = sigma_adjustment(p, n, average, "low")
        up = sigma_adjustment(p, n, average, "high")
        assert lo[0] <= lo[1] + 1e-12 and up[0] >= up[1] - 1e-12
        assert np.all(lo <= average + 1e-12) and np.all(up >= average - 1e-12)


@settings(deadline=None)
@given(count_pairs(min_size=2), st.sampled_from(["arcsine-od", "arcsine", "wilson"]))
def test_flags_consistent_with_limits(pairs, method):
    x, n = pairs
    if x.sum() == 0 and method != "wilson":
        x[0] = 1  # a pooled proportion of 0 has no arcsine spread to speak of
    result = funnel_limits(x, n, method=method)
    p = x / n
    for level, flags in (("95", result.outlier95), ("998", result.outlier998)):
        lo = result.limits[f"funnel{level}_lower"]
        up = result.limits[f"funnel{level}_upper"]
        defined = ~(np.isnan(lo) | np.isnan(up))
        assert np.all((lo[defined] >= 0) & (up[defined] <= 1))
        outside = (p > up) | (p < lo)
        assert np.all((flags[defined] != "none") == outside[defined])
        # folded arcsine limits can cross at tiny n with a huge tau2; elsewhere the
        # direction is the limit crossed
        ok = defined & (lo <= up)
        assert np.all((flags[ok] == "high") == (p[ok] > up[ok]))
        assert np.all((flags[ok] == "low") == (p[ok] < lo[ok]))
    # an outlier at 99.8% is an outlier at 95% in the same direction, wherever the arcsine
    # limits have not folded back past 0 or pi/2 (FunnelPlotR's limits are not nested there)
    strong = result.outlier998 != "none"
    if method != "wilson":
        tau2 = result.summary.tau2 if result.summary.overdispersion_adjusted else 0.0
        yt = np.arcsin(np.sqrt(result.summary.benchmark))
        spread = FUNNELPLOTR_Z998 * np.sqrt(1 / (4 * n) + tau2)
        strong &= (yt - spread >= 0) & (yt + spread <= np.pi / 2)
    assert np.all(result.outlier95[strong] == result.outlier998[strong])


@settings(deadline=None, max_examples=40)
@given(count_pairs(min_size=2, max_size=25), st.sampled_from(["high", "low"]), st.integers(0, 99))
def test_rank_intervals_are_the_simulation_widened_to_the_rank(pairs, polarity, seed):
    # The simulation's own ends, read back by supplying an observed rank that cannot lie
    # outside them (the last rank for the lower end, rank 1 for the upper end); the interval
    # is those ends, moved to the observed rank only where they leave it out.
    x, n = pairs
    k = x.size
    rank = league_rank(x / n, polarity)
    sim_lo, _ = rank_intervals(x, n, polarity, seed=seed, draws=200, ranks=np.full(k, k))
    _, sim_up = rank_intervals(x, n, polarity, seed=seed, draws=200, ranks=np.ones(k, int))
    assert np.all((sim_lo >= 1) & (sim_lo <= sim_up) & (sim_up <= k))
    lo, up = rank_intervals(x, n, polarity, seed=seed, draws=200)
    np.testing.assert_array_equal(lo, np.minimum(sim_lo, rank))
    np.testing.assert_array_equal(up, np.maximum(sim_up, rank))
