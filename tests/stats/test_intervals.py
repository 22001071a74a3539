"""Wilson score intervals: PHEindicatormethods 2.1.0 public vectors (METHODS.md section 1)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from netcompare.errors import UserError
from netcompare.stats.intervals import wilson_interval, z_for

# PHEindicatormethods tests (multiplier 1): (x, n) -> 95% and 99.8% limits
VECTORS = [
    ((0, 50), (0.0, 0.07134759913), (0.0, 0.1603628910)),
    ((50, 50), (0.9286524009, 1.0), (0.8396371090, 1.0)),
    ((0, 1), (0.0, 0.79345068562), (0.0, 0.9052090985)),
    ((1, 1), (0.2065493144, 1.0), (0.0947909015, 1.0)),
]


def test_z_multipliers():
    assert z_for(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_for(0.998) == pytest.approx(3.090232306167813, abs=1e-12)
    assert z_for(95) == z_for(0.95)  # PHEindicatormethods accepts 95 for 0.95


@pytest.mark.parametrize(("counts", "ci95", "ci998"), VECTORS)
def test_public_vectors(counts, ci95, ci998):
    x, n = counts
    lo, up = wilson_interval(x, n, 0.95)
    assert lo[0] == pytest.approx(ci95[0], abs=1e-9)
    assert up[0] == pytest.approx(ci95[1], abs=1e-9)
    lo, up = wilson_interval(x, n, 0.998)
    assert lo[0] == pytest.approx(ci998[0], abs=1e-9)
    assert up[0] == pytest.approx(ci998[1], abs=1e-9)


def test_clamped_to_unit_interval():
    lo, up = wilson_interval(np.array([50.0, 0.0]), np.array([50.0, 50.0]))
    assert up[0] == 1.0  # raw formula gives 1.0000000000000002
    assert lo[1] == 0.0


def test_vectorised_and_polars_input_with_missing():
    x = pl.Series([10, None, 3])
    n = pl.Series([20, 40, None])
    lo, up = wilson_interval(x, n)
    assert lo[0] < 0.5 < up[0]
    assert np.isnan(lo[1]) and np.isnan(up[1])
    assert np.isnan(lo[2]) and np.isnan(up[2])


@pytest.mark.parametrize(("x", "n"), [(-1, 10), (5, 0), (11, 10)])
def test_invalid_counts_raise_user_error(x, n):
    with pytest.raises(UserError):
        wilson_interval(x, n)
