"""The Fingertips 5-point trend marker: chi-square test for trend in proportions.

Source: Fingertips ``TrendMarkerCalculator`` (ukhsa-collaboration/fingertips-open,
PholioVisualisationWS/Analysis/TrendMarkers), method "SPC for proportions":

- the most recent 5 points, oldest first, t = 1..5;
- chi2 = N (N sum(r t) - R sum(n t))^2 / (R (N - R) (N sum(n t^2) - (sum(n t))^2)), with r the
  numerators, n the denominators, R = sum(r), N = sum(n) (Altman's chi-square for trend);
- significant when chi2 > 9.54953570608324 (chi-square, 1 df, 99.8%) *and* the trend is not
  driven by one point: the least-squares slope of logit(r / (n - r)) on t has the same sign
  with all 5 points and with each point left out in turn;
- direction from the sign of that slope (Fingertips: "Increasing" if slope > 0, else
  "Decreasing"); "no_change" when not significant, "cannot_be_calculated" (chi2 None) with
  fewer than 5 points, and when a proportion of 0 or 1 leaves the logit undefined.

Fingertips' test vector: 994/40299, 1023/41527, 1199/42811, 1332/44064, 1367/44701 gives
chi2 = 47.90 (``TestIsSignificantForProportionsReturnsTrue``). Fingertips' other method, for
values with 95% CIs but no counts (``IsSignificant``: inverse-variance weighted regression of
the value on t, chi2 = (slope / se)^2), is :func:`trend_marker_from_intervals`; on the same
years' published values and CIs it gives 46.77 (``TestIsSignificantReturnsTrue``).

No page shows a trend marker yet; the module stays because METHODS.md section 7 specifies
it, and :func:`trend_marker_from_intervals` stays because it is the method that reproduces
the 46.77 METHODS.md quotes (the counts method gives 47.90, Fingertips' own figure for it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from netcompare.errors import UserError

POINTS_TO_USE = 5
CHI_SQUARE_998 = 9.54953570608324


@dataclass(frozen=True)
class TrendMarker:
    """Result of the trend test over the last 5 points."""

    chi2: float | None
    significant: bool
    direction: str  # increasing / decreasing / no_change / cannot_be_calculated


def chi_square_for_trend(numerators: np.ndarray, denominators: np.ndarray) -> float:
    """Chi-square for trend in proportions over consecutive periods t = 1..k."""
    r = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    t = np.arange(1, r.size + 1, dtype=np.float64)
    big_r, big_n = r.sum(), n.sum()
    num = big_n * (big_n * np.sum(r * t) - big_r * np.sum(n * t)) ** 2
    den = big_r * (big_n - big_r) * (big_n * np.sum(n * t * t) - np.sum(n * t) ** 2)
    return float(num / den) if den != 0 else float("nan")


def _slope(t: np.ndarray, y: np.ndarray) -> float:
    k = t.size
    return float((k * np.sum(t * y) - np.sum(y) * np.sum(t)) / (k * np.sum(t * t) - np.sum(t) ** 2))


def logit_slopes(numerators: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    """Slope of logit(p) on t with all points, then with each point left out in turn."""
    r = np.asarray(numerators, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    with np.errstate(divide="ignore"):
        y = np.log(r / (n - r))
    t = np.arange(1, r.size + 1, dtype=np.float64)
    slopes = [_slope(t, y)]
    for leave in range(r.size):
        keep = np.arange(r.size) != leave
        slopes.append(_slope(t[keep], y[keep]))
    return np.array(slopes)


def trend_marker(numerators: object, denominators: object) -> TrendMarker:
    """Fingertips trend marker over the most recent 5 of the given periods (oldest first)."""
    r = np.atleast_1d(np.asarray(numerators, dtype=np.float64))
    n = np.atleast_1d(np.asarray(denominators, dtype=np.float64))
    if r.shape != n.shape:
        raise UserError("trend marker needs one numerator per denominator")
    valid = ~(np.isnan(r) | np.isnan(n))
    r, n = r[valid], n[valid]
    if np.any(r < 0) or np.any(n <= 0) or np.any(r > n):
        raise UserError("trend marker needs 0 <= numerator <= denominator and denominator > 0")
    if r.size < POINTS_TO_USE:
        return TrendMarker(None, False, "cannot_be_calculated")
    r, n = r[-POINTS_TO_USE:], n[-POINTS_TO_USE:]
    chi2 = chi_square_for_trend(r, n)
    if math.isnan(chi2) or np.any(r == 0) or np.any(r == n):
        return TrendMarker(None, False, "cannot_be_calculated")
    slopes = logit_slopes(r, n)
    consistent = bool(np.all(slopes >= 0) or np.all(slopes < 0))
    significant = consistent and chi2 > CHI_SQUARE_998
    if not significant:
        return TrendMarker(chi2, False, "no_change")
    return TrendMarker(chi2, True, "increasing" if slopes[0] > 0 else "decreasing")


def _weighted_fit(t: np.ndarray, value: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Fingertips' sums: slope of value on t with weights 1/se^2, and the chi-square."""
    s1, s2, s3 = np.sum(weight), np.sum(value * t * weight), np.sum(t * weight)
    s4, s5 = np.sum(value * weight), np.sum(t * t * weight)
    det = s1 * s5 - s3**2
    slope = float((s1 * s2 - s3 * s4) / det)
    beta = math.sqrt(s1 / det)
    return slope, (slope / beta) ** 2


def trend_marker_from_intervals(values: object, lower95: object, upper95: object) -> TrendMarker:
    """Fingertips trend marker for values with 95% CIs (``TrendMarkerCalculator.IsSignificant``).

    se = (upper - lower) / 3.92; weighted least squares of value on t = 1..5; chi2 =
    (slope / se(slope))^2; significant when chi2 > 9.5495 and the slope keeps its sign with
    each point left out in turn.
    """
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    lo = np.atleast_1d(np.asarray(lower95, dtype=np.float64))
    up = np.atleast_1d(np.asarray(upper95, dtype=np.float64))
    valid = ~(np.isnan(v) | np.isnan(lo) | np.isnan(up))
    v, lo, up = v[valid], lo[valid], up[valid]
    if v.size < POINTS_TO_USE:
        return TrendMarker(None, False, "cannot_be_calculated")
    v, lo, up = v[-POINTS_TO_USE:], lo[-POINTS_TO_USE:], up[-POINTS_TO_USE:]
    weight = 1 / ((up - lo) / 3.92) ** 2
    if not np.all(np.isfinite(weight)):
        return TrendMarker(None, False, "cannot_be_calculated")
    t = np.arange(1, POINTS_TO_USE + 1, dtype=np.float64)
    slope, chi2 = _weighted_fit(t, v, weight)
    slopes = [slope]
    for leave in range(POINTS_TO_USE):
        keep = np.arange(POINTS_TO_USE) != leave
        slopes.append(_weighted_fit(t[keep], v[keep], weight[keep])[0])
    consistent = all(s >= 0 for s in slopes) or all(s < 0 for s in slopes)
    if not (consistent and chi2 > CHI_SQUARE_998):
        return TrendMarker(chi2, False, "no_change")
    return TrendMarker(chi2, True, "increasing" if slope > 0 else "decreasing")
