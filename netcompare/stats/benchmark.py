"""Comparing a unit with a benchmark, and RAG against a target (Fingertips semantics).

Sources: Fingertips (ukhsa-collaboration/fingertips-open, PholioVisualisationWS/Analysis):
``SingleOverlappingCIsForOneCILevelComparer``, ``SingleOverlappingCIsForTwoCILevelsComparer``,
``IndicatorComparer.AdjustForPolarity`` and ``SingleValueTargetComparer``.

- One CI level: "similar" if ``lower95 <= benchmark <= upper95`` (inclusive); otherwise
  "worse" if the value is below the benchmark, else "better"; then polarity.
- Two CI levels: "similar" if the benchmark is inside the 95% CI; "better" if
  ``lower99.8 <= benchmark <= lower95``; "worse" if ``upper95 <= benchmark <= upper99.8``;
  otherwise "worst" if the value is below the benchmark, else "best"; then polarity.
- Polarity: "high" (higher is better) as above; "low" swaps better/worse and best/worst
  (the published Fingertips vector requires Best/Worst to swap too); "neutral" makes no value
  judgement: better/best become "higher", worse/worst "lower".
- RAG (``SingleValueTargetComparer`` plus an amber band): green if value >= target, amber if
  amber_threshold <= value < target, red below (higher is better; mirrored for lower is
  better; neutral polarity is treated as higher is better, as Fingertips does for any polarity
  other than "low is good"); "none" without a target. Optional CI-based variant: green only
  when the whole 95% CI clears the target, red only when the whole CI falls short of the
  amber threshold (of the target when there is no amber threshold), amber otherwise.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from netcompare.errors import UserError
from netcompare.types import POLARITIES, Polarity

_SWAP_LOW = {"best": "worst", "better": "worse", "worse": "better", "worst": "best"}
_NEUTRAL = {"best": "higher", "better": "higher", "worse": "lower", "worst": "lower"}


def check_polarity(polarity: str) -> Polarity:
    """Validate a polarity name (high / low / neutral; Fingertips polarity)."""
    if polarity not in POLARITIES:
        raise UserError(f"unknown polarity {polarity!r}: use high, low or neutral")
    return cast(Polarity, polarity)


def _arr(values: object) -> np.ndarray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def adjust_for_polarity(labels: np.ndarray, polarity: Polarity) -> np.ndarray:
    """Fingertips ``AdjustForPolarity``: swap for low-is-good; higher/lower for neutral."""
    check_polarity(polarity)
    if polarity == "high":
        return labels
    mapping = _SWAP_LOW if polarity == "low" else _NEUTRAL
    out = labels.copy()
    for key, new in mapping.items():
        out[labels == key] = new
    return out


def compare_with_benchmark(
    value: object,
    benchmark: object,
    lower95: object,
    upper95: object,
    lower998: object | None = None,
    upper998: object | None = None,
    *,
    polarity: Polarity = "high",
) -> np.ndarray:
    """Significance of each value against ``benchmark`` from its confidence interval(s).

    With only the 95% CI: better / similar / worse. With both 95% and 99.8% CIs: best /
    better / similar / worse / worst. Neutral polarity gives higher / similar / lower.
    Missing value, benchmark or CI gives None. ``benchmark`` may be a scalar or an array.
    """
    check_polarity(polarity)
    v = _arr(value)
    b = np.broadcast_to(_arr(benchmark), v.shape)
    lo95, up95 = _arr(lower95), _arr(upper95)
    two_levels = lower998 is not None and upper998 is not None
    with np.errstate(invalid="ignore"):
        inside95 = (b <= up95) & (b >= lo95)
        below = v < b
        if two_levels:
            lo998, up998 = _arr(lower998), _arr(upper998)
            lower_band = (b <= lo95) & (b >= lo998)
            upper_band = (b <= up998) & (b >= up95)
            labels = np.select(
                [inside95, lower_band, upper_band, below],
                ["similar", "better", "worse", "worst"],
                default="best",
            ).astype(object)
            missing = np.isnan(v) | np.isnan(b) | np.isnan(lo95) | np.isnan(up95)
            missing |= np.isnan(lo998) | np.isnan(up998)
        else:
            labels = np.select([inside95, below], ["similar", "worse"], default="better")
            labels = labels.astype(object)
            missing = np.isnan(v) | np.isnan(b) | np.isnan(lo95) | np.isnan(up95)
    labels = adjust_for_polarity(labels, polarity)
    labels[missing] = None
    return labels


def rag(
    value: object,
    target: float | None,
    amber: float | None = None,
    *,
    polarity: Polarity = "high",
    lower95: object | None = None,
    upper95: object | None = None,
    use_ci: bool = False,
) -> np.ndarray:
    """Red / amber / green against ``target`` (and an optional amber threshold).

    Value-based (default): green if value >= target, amber if amber <= value < target, red
    otherwise; mirrored for ``polarity="low"`` (green if value <= target, amber if
    target < value <= amber). Without a target every unit is "none"; a missing value is None.
    ``use_ci=True`` needs ``lower95``/``upper95`` and judges the whole interval instead.
    """
    check_polarity(polarity)
    v = _arr(value)
    if target is None or (isinstance(target, float) and np.isnan(target)):
        out = np.full(v.shape, "none", dtype=object)
        out[np.isnan(v)] = None
        return out
    low_good = polarity == "low"
    if amber is not None and not np.isnan(amber):
        if low_good and amber < target:
            raise UserError(
                f"amber threshold {amber} must be at or above the target {target} "
                "when lower is better"
            )
        if not low_good and amber > target:
            raise UserError(
                f"amber threshold {amber} must be at or below the target {target} "
                "when higher is better"
            )
    else:
        amber = None
    if use_ci:
        if lower95 is None or upper95 is None:
            raise UserError("the CI-based RAG needs the 95% confidence limits")
        lo, up = _arr(lower95), _arr(upper95)
        # For the green test the worst end of the CI must clear the target; for red the best
        # end must fall short of the amber threshold (or of the target).
        green_side, red_side = (up, lo) if low_good else (lo, up)
        floor = target if amber is None else amber
    else:
        green_side = red_side = v
        floor = target if amber is None else amber
    with np.errstate(invalid="ignore"):
        if low_good:
            green = green_side <= target
            red = red_side > floor
        else:
            green = green_side >= target
            red = red_side < floor
        if not use_ci and amber is None:
            red = ~green
    out = np.where(green, "green", np.where(red, "red", "amber")).astype(object)
    out[np.isnan(v)] = None
    if use_ci:
        out[np.isnan(lo) | np.isnan(up)] = None
    return out
