"""The Beta draws behind rank intervals: Cheng's algorithm BB, vectorised (stats/ranks.py).

The sampler is exact (a rejection method), so its draws must pass goodness-of-fit tests
against scipy's Beta distribution. That rank intervals built on it agree with the plain method
(numpy's Beta draws, every draw ranked) is tested in test_ranks.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from netcompare.stats.ranks import beta_variates, rank_intervals

# (a, b) as rank_intervals uses them: x + 0.5, n - x + 0.5; both orders (Cheng swaps them),
# shapes near 1, huge shapes (list-size denominators), and shapes <= 1 (x = 0 or x = n).
SHAPES = [
    (1.5, 2.5),
    (30.5, 3.5),
    (3.5, 30.5),
    (500.5, 20.5),
    (7000.5, 300.5),
    (50000.5, 40000.5),
    (100000.5, 3.5),
    (1.01, 1.02),
    (0.5, 10.5),
    (12.5, 0.5),
    (0.5, 0.5),
]


@pytest.fixture(scope="module")
def draws() -> np.ndarray:
    a = np.array([s[0] for s in SHAPES])
    b = np.array([s[1] for s in SHAPES])
    return beta_variates(np.random.default_rng(2024), a, b, 100_000)


@pytest.mark.parametrize("column", range(len(SHAPES)), ids=[f"{a}-{b}" for a, b in SHAPES])
def test_draws_follow_the_beta_distribution(draws: np.ndarray, column: int):
    a, b = SHAPES[column]
    sample = draws[:, column]
    assert np.all((sample > 0) & (sample < 1))
    # Kolmogorov-Smirnov on 100,000 draws detects a distortion of the distribution far
    # smaller than any that would matter for a rank interval.
    assert stats.kstest(sample, stats.beta(a, b).cdf).pvalue > 0.001
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert abs(sample.mean() - mean) < 5 * sd / np.sqrt(sample.size)
    assert abs(sample.std() / sd - 1) < 0.02


def test_draws_are_reproducible_and_differ_between_streams():
    a, b = np.array([40.5, 3.5]), np.array([10.5, 900.5])
    one = beta_variates(np.random.default_rng(1), a, b, 50)
    again = beta_variates(np.random.default_rng(1), a, b, 50)
    other = beta_variates(np.random.default_rng(2), a, b, 50)
    np.testing.assert_array_equal(one, again)
    assert not np.array_equal(one, other)


def test_many_units_use_threads_without_changing_the_result():
    rng = np.random.default_rng(3)
    n = rng.integers(50, 3000, 1200).astype(float)
    x = np.round(n * rng.uniform(0.5, 0.95, n.size))
    one = rank_intervals(x, n, seed=9, draws=500, threads=1)
    two = rank_intervals(x, n, seed=9, draws=500, threads=2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
