"""Funnel plots for proportions: two methods, each split into small named steps.

1. **Spiegelhalter arcsine with additive over-dispersion** ("arcsine-od", the default), and
   the same without the adjustment ("arcsine"). Source: FunnelPlotR 0.6.0
   (nhs-r-community/FunnelPlotR, ``data_type = "PR"``), after Spiegelhalter (2005)
   doi:10.1002/sim.1970 and Spiegelhalter et al. (2012) doi:10.1111/j.1467-985X.2011.01010.x.
   The steps are named as FunnelPlotR names them: :func:`transformed_zscore`,
   :func:`winsorisation`, :func:`phi_func`, :func:`tau_func`, :func:`calculate_limits` /
   :func:`build_limits_lookup` and :func:`outliers_func`. Deliberate fidelity to the package:

   - the centre is the pooled proportion ``sum(x) / sum(n)`` (FunnelPlotR's ``target``);
   - z-scores are winsorised at the 10th/90th percentiles with R's ``quantile`` type 7;
   - ``phi = mean(Wz^2)``; ``tau2 = 0`` if ``n phi < n - 1``, else
     ``max(0, (n phi - (n - 1)) / (sum(w) - sum(w^2) / sum(w)))`` with ``w = 1 / s^2``;
   - when ``phi <= 1`` the adjusted method falls back to the unadjusted limits (FunnelPlotR:
     "No overdispersion detected ... plotting using unadjusted limits"), but still reports
     the phi and tau2 it computed;
   - limits use FunnelPlotR's rounded multipliers 1.959964 and 3.090232;
   - limits are evaluated on FunnelPlotR's lookup table: ``seq(3, ceiling(max(n)),
     length.out = 1000)`` plus every unit's denominator, sorted and de-duplicated; they are
     truncated to [0, 1] and, because the arcsine transform folds back at small n, a lower
     limit above the next row's is set to 0 and an upper limit below the next row's to 1
     (faithful quirk: the last row, normally the largest denominator, is never fixed, so
     where the limits fold at every n - a very large tau2 with a pooled value near 0 or 1 -
     that unit keeps a folded limit);
   - a unit is an outlier only when strictly outside its limits (bounds inclusive).

2. **Inverted Wilson, no over-dispersion** ("wilson"). Source: PHEindicatormethods 2.1.0
   (``sigma_adjustment``, ``assign_funnel_significance``), the Fingertips "SPC for
   proportions" method; :func:`wilson_funnel_limits` gives the limits that the package's
   ``calculate_funnel_limits`` tabulates for drawing (its own table of 100 populations is not
   reproduced: the funnel is drawn from :func:`funnel_limits_grid`).
   The limit at population n is the proportion whose Wilson interval just touches the
   average; labels are tested in the order "Low (0.001)", "Low (0.025)", "High (0.001)",
   "High (0.025)", else "Not significant", with strict inequalities.

netcompare may also centre either funnel on a target instead of the pooled value
(FunnelPlotR cannot): phi and tau2 are then still estimated around the pooled value (the
dispersion of the units does not depend on where the user draws the centre line).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy.special import ndtri

from netcompare.errors import UserError
from netcompare.types import FUNNEL_METHODS, FunnelMethod

# FunnelPlotR hard-codes these rounded multipliers in calculate_limits().
FUNNELPLOTR_Z95 = 1.959964
FUNNELPLOTR_Z998 = 3.090232
# FunnelPlotR's default trim_by and its lookup grid for proportions.
TRIM_BY = 0.1
LOOKUP_START = 3.0
LOOKUP_POINTS = 1000

LIMIT_COLUMNS: tuple[str, ...] = (
    "funnel95_lower",
    "funnel95_upper",
    "funnel998_lower",
    "funnel998_upper",
)


@dataclass(frozen=True)
class FunnelSummary:
    """What a funnel chart must state: its centre, method and over-dispersion.

    ``benchmark`` is the centre line used (the pooled value, or the user's target);
    ``phi``/``tau2`` are None for the Wilson method (undefined there). For ``arcsine`` (no
    adjustment requested) they are 0, as FunnelPlotR reports with ``draw_adjusted = FALSE``.
    ``overdispersion_adjusted`` says whether the limits include tau2.
    """

    benchmark: float
    method: FunnelMethod
    phi: float | None
    tau2: float | None
    overdispersion_adjusted: bool
    n_units: int

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON (numbers as numbers, None as null)."""
        return asdict(self)


# --- shared helpers -------------------------------------------------------------------------


def r_quantile_type7(values: np.ndarray, probs: float | np.ndarray) -> np.ndarray:
    """R's ``quantile(x, probs, type = 7, na.rm = TRUE)``, term for term.

    Same as numpy's "linear" method up to float rounding; written out so ties at a percentile
    behave exactly as in R: ``(1 - h) * x[lo] + h * x[hi]``.
    """
    x = np.sort(values[~np.isnan(values)])
    p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
    n = x.size
    if n == 0:
        return np.full(p.shape, np.nan)
    index = 1 + max(n - 1, 0) * p
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    qs = x[lo - 1].astype(np.float64)
    xhi = x[hi - 1]
    interp = (index > lo) & (xhi != qs)
    h = index - lo
    qs = np.where(interp, (1 - h) * qs + h * xhi, qs)
    return qs


def r_sum(values: np.ndarray) -> float:
    """R's ``sum()`` of doubles accumulates in long double; do the same, then round."""
    return float(np.sum(np.asarray(values, dtype=np.longdouble)))


def pooled_proportion(numerator: np.ndarray, denominator: np.ndarray) -> float:
    """The benchmark p-bar: ``sum(x) / sum(n)`` over the comparison group (not a mean of rates)."""
    return r_sum(numerator) / r_sum(denominator)


def r_seq_length_out(start: float, end: float, length_out: int) -> np.ndarray:
    """R's ``seq(from, to, length.out = )`` (R >= 4): ends exact, ``from + i * by`` between."""
    if length_out == 1:
        return np.array([start])
    if start == end:
        return np.full(length_out, float(start))
    n1 = length_out - 1
    by = (end - start) / n1
    middle = start + np.arange(1, n1, dtype=np.float64) * by
    return np.concatenate(([start], middle, [end]))


# --- arcsine method (FunnelPlotR PR) --------------------------------------------------------


def transformed_zscore(
    numerator: np.ndarray, denominator: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FunnelPlotR ``transformed_zscore`` for PR: ``Y = asin(sqrt(p))``, ``s = 1/(2 sqrt(n))``.

    Returns ``(Y, s, z)`` with ``z = (Y - asin(sqrt(target))) / s`` (unadjusted z-scores).
    """
    y = np.arcsin(np.sqrt(numerator / denominator))
    s = 1 / (2 * np.sqrt(denominator))
    z = (y - math.asin(math.sqrt(target))) / s
    return y, s, z


def winsorisation(zscores: np.ndarray, trim_by: float = TRIM_BY) -> np.ndarray:
    """FunnelPlotR ``winsorisation``: clamp z-scores to their 10th/90th percentiles (type 7)."""
    lz, uz = r_quantile_type7(zscores, np.array([trim_by, 1 - trim_by]))
    return np.where(zscores < lz, lz, np.where(zscores > uz, uz, zscores))


def phi_func(winsorised_z: np.ndarray) -> float:
    """FunnelPlotR ``phi_func``: the dispersion ratio ``(1/n) * sum(Wz^2)``."""
    z = winsorised_z[~np.isnan(winsorised_z)]
    return (1 / z.size) * r_sum(z**2)


def tau_func(n: int, phi: float, s: np.ndarray) -> float:
    """FunnelPlotR ``tau_func``: DerSimonian-Laird between-unit variance tau2 (>= 0)."""
    if s.size == 0 or n * phi < n - 1:
        return 0.0
    w = 1 / s**2
    sum_w = r_sum(w)
    return float(max(0.0, (n * phi - (n - 1)) / (sum_w - r_sum(w**2) / sum_w)))


def _arcsine_root(denominator: np.ndarray, tau2: float) -> np.ndarray:
    """``sqrt(s^2 + tau2)`` with ``s = 1 / (2 sqrt(n))``: shared by both confidence levels."""
    return np.sqrt((1 / (2 * np.sqrt(denominator))) ** 2 + tau2)


def _arcsine_limits_at(root: np.ndarray, target: float, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Raw arcsine limits ``sin(asin(sqrt(target)) -/+ z root)^2``, before FunnelPlotR's fixes."""
    yt = math.asin(math.sqrt(target))
    spread = z * root
    lower = np.sin(yt - spread)
    upper = np.sin(yt + spread)
    return np.square(lower, out=lower), np.square(upper, out=upper)


def monotonic_fix(lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FunnelPlotR's truncation to [0, 1] and small-n fix, on limits sorted by denominator.

    Each row is compared with the next row (the original values, in one vectorised pass as
    R's ``ifelse`` does): a lower limit above the next one becomes 0, an upper limit below the
    next one becomes 1. The last row is left as it is.
    """
    lower = np.where(lower < 0, 0.0, lower)
    upper = np.where(upper > 1, 1.0, upper)
    fixed_lower = lower.copy()
    fixed_upper = upper.copy()
    if lower.size > 1:
        fixed_lower[:-1] = np.where(lower[:-1] > lower[1:], 0.0, lower[:-1])
        fixed_upper[:-1] = np.where(upper[:-1] < upper[1:], 1.0, upper[:-1])
    return fixed_lower, fixed_upper


def calculate_limits(number_seq: np.ndarray, target: float, tau2: float) -> dict[str, np.ndarray]:
    """FunnelPlotR ``calculate_limits`` (PR) at sorted denominators ``number_seq``.

    Returns the 95% and 99.8% limits with truncation and the monotonic fix applied.
    """
    out: dict[str, np.ndarray] = {}
    root = _arcsine_root(number_seq, tau2)
    for level, z in (("95", FUNNELPLOTR_Z95), ("998", FUNNELPLOTR_Z998)):
        lower, upper = _arcsine_limits_at(root, target, z)
        lower, upper = monotonic_fix(lower, upper)
        out[f"funnel{level}_lower"] = lower
        out[f"funnel{level}_upper"] = upper
    return out


def build_limits_lookup(
    denominators: np.ndarray, target: float, tau2: float
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """FunnelPlotR ``build_limits_lookup`` for PR: the grid plus every denominator, sorted.

    The grid is ``seq(3, ceiling(max(n)), length.out = 1000)``; the fix for small n compares
    neighbouring rows of this table, so a unit's limits are read from it (as FunnelPlotR
    merges them) rather than computed alone. Returns the table's denominators, its limits
    (:func:`calculate_limits`) and the row holding each of ``denominators``.
    """
    max_x = math.ceil(float(np.max(denominators)))
    grid = r_seq_length_out(LOOKUP_START, float(max_x), LOOKUP_POINTS)
    number_seq, inverse = np.unique(np.concatenate((grid, denominators)), return_inverse=True)
    return number_seq, calculate_limits(number_seq, target, tau2), inverse[grid.size :]


def outliers_func(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray, centre: float | None = None
) -> np.ndarray:
    """FunnelPlotR ``outliers_func`` with a direction: "high", "low" or "none".

    Inclusive bounds: a value equal to a limit is not an outlier. Missing value or limit
    gives None (missing). Where folded arcsine limits cross (lower above upper, possible only
    with a very large tau2 at tiny n) a value outside both is an outlier, as in FunnelPlotR;
    its direction is then its side of ``centre``.
    """
    with np.errstate(invalid="ignore"):
        above = value > upper
        below = value < lower
        # codes into _OUTLIER_LABELS: 0 none, 1 high, 2 low, 3 missing
        code = above.astype(np.int8)
        code[below] = 2
        both = above & below
        if both.any():
            side = value >= centre if centre is not None else np.ones(value.shape, dtype=bool)
            code[both] = np.where(side[both], 1, 2)
    code[np.isnan(value) | np.isnan(lower) | np.isnan(upper)] = 3
    return _OUTLIER_LABELS[code]


_OUTLIER_LABELS = np.array(["none", "high", "low", None], dtype=object)


@dataclass(frozen=True)
class OverdispersionEstimate:
    """The intermediate results of the arcsine method's over-dispersion steps."""

    zscores: np.ndarray
    winsorised: np.ndarray
    phi: float
    tau2: float


def estimate_overdispersion(
    numerator: np.ndarray, denominator: np.ndarray, target: float
) -> OverdispersionEstimate:
    """z-scores around ``target``, winsorised; phi and tau2 (FunnelPlotR's order of steps)."""
    _, s, z = transformed_zscore(numerator, denominator, target)
    wz = winsorisation(z)
    n = int(np.sum(~np.isnan(wz)))
    phi = phi_func(wz)
    tau2 = tau_func(n, phi, s[~np.isnan(wz)])
    return OverdispersionEstimate(zscores=z, winsorised=wz, phi=phi, tau2=tau2)


# --- inverted Wilson method (PHEindicatormethods) -------------------------------------------


def sigma_adjustment(
    p: float,
    population: np.ndarray | float,
    average_proportion: float,
    side: Literal["low", "high"],
) -> np.ndarray:
    """PHEindicatormethods ``sigma_adjustment`` (multiplier 1): inverted Wilson funnel limit.

    The proportion at ``population`` whose Wilson interval (at two-sided probability ``p``,
    0.975 or 0.999) just touches ``average_proportion``. Uncapped, as the package computes it;
    NaN where the square root's argument is negative.
    """
    z2 = float(ndtri(p)) ** 2
    n = np.asarray(population, dtype=np.float64)
    a = average_proportion
    first_part = a * (n / z2 + 1)
    with np.errstate(invalid="ignore"):
        adj = np.sqrt(
            (-8 * a * (n / z2 + 1)) ** 2
            - 64 * (1 / z2 + 1 / n) * a * (n * (a * (n / z2 + 2) - 1) + z2 * (a - 1))
        )
    last_part = 1 / z2 + 1 / n
    if side == "low":
        value = (first_part - adj / 8) / last_part
    elif side == "high":
        value = (first_part + adj / 8) / last_part
    else:
        raise ValueError(f"side must be 'low' or 'high', not {side!r}")
    return value / n


def wilson_funnel_limits(
    denominator: np.ndarray, average_proportion: float
) -> dict[str, np.ndarray]:
    """Inverted Wilson limits at each denominator, floored at 0 and capped at 1.

    PHEindicatormethods 2.1.0 ``calculate_funnel_limits`` (statistic "proportion",
    multiplier 1): :func:`sigma_adjustment` at p = 0.975 and 0.999.
    """
    out: dict[str, np.ndarray] = {}
    for level, p in (("95", 0.975), ("998", 0.999)):
        lower = sigma_adjustment(p, denominator, average_proportion, "low")
        upper = sigma_adjustment(p, denominator, average_proportion, "high")
        out[f"funnel{level}_lower"] = np.where(lower < 0, 0.0, lower)
        out[f"funnel{level}_upper"] = np.where(upper > 1, 1.0, upper)
    return out


def assign_funnel_significance(
    numerator: np.ndarray, denominator: np.ndarray, average_proportion: float | None = None
) -> np.ndarray:
    """PHEindicatormethods ``assign_funnel_significance`` (statistic = "proportion").

    Tested in order with strict inequalities: Low (0.001), Low (0.025), High (0.001),
    High (0.025), else Not significant (also where a limit is undefined). The average is the
    pooled proportion unless given.
    """
    x = np.asarray(numerator, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    if average_proportion is None:
        average_proportion = pooled_proportion(x, n)
    value = x / n
    low998 = sigma_adjustment(0.999, n, average_proportion, "low")
    low95 = sigma_adjustment(0.975, n, average_proportion, "low")
    high998 = sigma_adjustment(0.999, n, average_proportion, "high")
    high95 = sigma_adjustment(0.975, n, average_proportion, "high")
    with np.errstate(invalid="ignore"):
        return np.select(
            [value < low998, value < low95, value > high998, value > high95],
            ["Low (0.001)", "Low (0.025)", "High (0.001)", "High (0.025)"],
            default="Not significant",
        ).astype(object)


def significance_to_outliers(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map PHE labels to netcompare's outlier95 / outlier998 ("high", "low", "none")."""
    out95 = np.full(labels.shape, "none", dtype=object)
    out998 = np.full(labels.shape, "none", dtype=object)
    for label, o95, o998 in (
        ("High (0.001)", "high", "high"),
        ("High (0.025)", "high", "none"),
        ("Low (0.001)", "low", "low"),
        ("Low (0.025)", "low", "none"),
    ):
        hit = labels == label
        out95[hit] = o95
        out998[hit] = o998
    return out95, out998


# --- one call for both methods ---------------------------------------------------------------


@dataclass(frozen=True)
class FunnelResult:
    """Limits at each unit's own denominator, outlier flags, and the chart summary."""

    limits: dict[str, np.ndarray]
    outlier95: np.ndarray
    outlier998: np.ndarray
    summary: FunnelSummary


def funnel_limits(
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    method: FunnelMethod = "arcsine-od",
    benchmark: float | None = None,
) -> FunnelResult:
    """Funnel limits and outlier flags for units with complete, valid data.

    ``numerator``/``denominator`` are float arrays without missing values (validated by the
    caller); ``benchmark`` None centres the funnel on the pooled proportion, a float centres
    it on that target. Needs at least 2 units.
    """
    if method not in FUNNEL_METHODS:
        raise UserError(f"unknown funnel method {method!r}: use one of {', '.join(FUNNEL_METHODS)}")
    x = np.asarray(numerator, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    if x.size < 2:
        raise UserError(f"a funnel plot needs at least 2 units with data, got {x.size}")
    pooled = pooled_proportion(x, n)
    centre = pooled if benchmark is None else float(benchmark)
    value = x / n
    if method == "wilson":
        limits = wilson_funnel_limits(n, centre)
        labels = assign_funnel_significance(x, n, centre)
        out95, out998 = significance_to_outliers(labels)
        summary = FunnelSummary(centre, method, None, None, False, int(x.size))
        return FunnelResult(limits, out95, out998, summary)

    od = estimate_overdispersion(x, n, pooled)
    adjusted = method == "arcsine-od" and od.phi > 1
    tau2_used = od.tau2 if adjusted else 0.0
    _, table, rows = build_limits_lookup(n, centre, tau2_used)
    limits = {name: column[rows] for name, column in table.items()}
    out95 = outliers_func(value, limits["funnel95_lower"], limits["funnel95_upper"], centre)
    out998 = outliers_func(value, limits["funnel998_lower"], limits["funnel998_upper"], centre)
    if method == "arcsine":
        phi, tau2 = 0.0, 0.0
    else:
        phi, tau2 = od.phi, od.tau2
    summary = FunnelSummary(centre, method, phi, tau2, adjusted, int(x.size))
    return FunnelResult(limits, out95, out998, summary)


def funnel_limits_grid(
    summary: FunnelSummary, n_max: float, n_min: float = 1, points: int = 200
) -> pl.DataFrame:
    """Funnel limits on a smooth grid of denominators, for drawing the funnel's curves.

    The grid is geometric from ``n_min`` to ``n_max`` (denser at small n, where the curves
    bend) with ``points`` rows; the limits follow ``summary.method`` around
    ``summary.benchmark`` (tau2 only when ``summary.overdispersion_adjusted``). Arcsine limits
    get FunnelPlotR's truncation and small-n fix along the grid.
    Columns: denominator, funnel95_lower, funnel95_upper, funnel998_lower, funnel998_upper.
    """
    if n_min <= 0 or n_max < n_min:
        raise UserError(f"funnel grid needs 0 < n_min <= n_max, got {n_min} and {n_max}")
    grid = np.unique(np.geomspace(n_min, n_max, num=max(2, points)))
    if summary.method == "wilson":
        limits = wilson_funnel_limits(grid, summary.benchmark)
    else:
        tau2 = (summary.tau2 or 0.0) if summary.overdispersion_adjusted else 0.0
        limits = calculate_limits(grid, summary.benchmark, tau2)
    return pl.DataFrame({"denominator": grid, **{c: limits[c] for c in LIMIT_COLUMNS}})
