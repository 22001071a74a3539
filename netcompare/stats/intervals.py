"""Confidence intervals for a proportion: the Wilson score interval.

Source: PHEindicatormethods 2.1.0 ``wilson_lower`` / ``wilson_upper`` (R/Wilson.R), the
method of the PHE/OHID Fingertips technical guidance (Wilson 1927; Newcombe 1998):

    lower = (2x + z^2 - z * sqrt(z^2 + 4x(1 - x/n))) / (2 (n + z^2))
    upper = (2x + z^2 + z * sqrt(z^2 + 4x(1 - x/n))) / (2 (n + z^2))

with ``z = qnorm(confidence + (1 - confidence) / 2)``. Results are clamped to [0, 1] (float
rounding gives 1.0000000000000002 for 50/50). Missing inputs give missing outputs.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import ndtri

from netcompare.errors import UserError

ArrayLike = np.ndarray | pl.Series | list[float] | float | int


def z_for(confidence: float) -> float:
    """The two-sided normal multiplier, ``qnorm(confidence + (1 - confidence) / 2)``.

    ``confidence`` may be given as 0.95 or 95 (PHEindicatormethods accepts both).
    """
    if confidence >= 90:
        confidence = confidence / 100
    if not 0 < confidence < 1:
        raise UserError(f"confidence must be between 0 and 1 (or 0 and 100), got {confidence}")
    return float(ndtri(confidence + (1 - confidence) / 2))


def as_float_array(values: ArrayLike) -> np.ndarray:
    """A float64 numpy array with missing values as NaN (polars nulls included)."""
    if isinstance(values, pl.Series):
        return values.cast(pl.Float64).to_numpy()  # nulls become NaN
    return np.asarray(values, dtype=np.float64)


def wilson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``numerator / denominator`` at ``confidence``.

    Vectorised over numpy arrays or polars Series; returns ``(lower, upper)`` as float arrays
    on the 0-1 scale. Missing inputs give NaN. Raises :class:`UserError` for a negative
    numerator, a denominator <= 0 or a numerator above its denominator.

    Source: PHEindicatormethods 2.1.0 ``wilson_lower``/``wilson_upper``.
    """
    x = np.atleast_1d(as_float_array(numerator))
    n = np.atleast_1d(as_float_array(denominator))
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise UserError("numerators must be greater than or equal to zero")
        if np.any(n <= 0):
            raise UserError("denominators must be greater than zero")
        if np.any(x > n):
            raise UserError("numerators must be less than or equal to their denominators")
    z = z_for(confidence)
    z2 = z * z
    with np.errstate(invalid="ignore"):
        root = z * np.sqrt(z2 + 4 * x * (1 - x / n))
        lower = (2 * x + z2 - root) / 2 / (n + z2)
        upper = (2 * x + z2 + root) / 2 / (n + z2)
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)
