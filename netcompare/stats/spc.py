"""Statistical process control: Making Data Count XmR charts and a p-chart for proportions.

Source: NHSRplotthedots 0.2.2 (nhs-r-community/NHSRplotthedots): ``ptd_spc_standard``
(limits, screening, fixing, rebasing), ``ptd_calculate_point_type`` (rules, precedence, point
types), ``ptd_calculate_assurance_type`` and the icon names of ``geom_ptd_icon``; NHS England
"Making Data Count" (2019; 2023 update of the two-in-three rule). Each rule is its own
function, named as in the package.

XmR, per rebase segment: mean of the points (or of the first ``fix_after`` >= 12 points);
moving ranges |y_i - y_(i-1)| within the segment; AMR their mean. With screening (the
package's default) moving ranges >= 3.267 AMR are dropped once and AMR recomputed. Limits
mean -/+ 2.66 AMR; the "near" band mean -/+ (2/3) 2.66 AMR. Deliberate deviation: when AMR
is 0 (a flat series) screening is skipped and AMR stays 0, where the package would drop every
moving range and return no limits; a flat series then shows no special cause.

Rules (strict comparisons, as the package): a point outside the limits; a shift of
``run_length`` (default 7) consecutive points on one side of the mean (a point on the mean
breaks it); a trend of ``run_length`` consecutive strictly increasing or decreasing points (a
tie breaks it); two of three consecutive points beyond the near band on the same side of the
mean. ``two_in_three="ptd"`` counts, as NHSRplotthedots does, only points between the near
band and the limits; ``"mdc2023"`` (default) counts any point beyond the near band, limits
included. Every point of a qualifying run is flagged. Precedence: outside the limits, trend,
two-in-three, shift. A trend point's direction follows the package (the step to its right
when the next point is also part of a trend, else the step from its left).

Labels: ``special_cause`` is above_upper, below_lower, trend_increasing, trend_decreasing,
two_in_three_above, two_in_three_below, shift_above, shift_below or none; ``point_type`` is
improvement, concern, neutral_high, neutral_low or common_cause; the variation icon is
improvement_high / _low, concern_high / _low, neutral_high / _low or common_cause; assurance
is pass, fail, inconsistent or none.

p-chart (Laney-free Shewhart p-chart for monthly proportions with varying denominators):
p-bar = sum(x) / sum(n) per segment (first ``fix_after`` points when fixed); limits
p-bar -/+ 3 sqrt(p-bar (1 - p-bar) / n_i) and near band at 2 sigma, truncated to [0, 1]; the
same rules and point types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from netcompare.errors import UserError
from netcompare.types import IMPROVEMENTS, TWO_IN_THREE_VARIANTS, Improvement, TwoInThreeRule

LIMIT = 2.66
NEAR = 2 * (LIMIT / 3)
SCREEN = 3.267
MIN_POINTS = 2
RECOMMENDED_POINTS = 12

SPC_COLUMNS: tuple[str, ...] = (
    "date",
    "value",
    "mean",
    "lpl",
    "upl",
    "near_lower",
    "near_upper",
    "special_cause",
    "point_type",
)


@dataclass(frozen=True)
class SpcSummary:
    """The chart's icons and anything the user should be warned about."""

    variation_icon: str
    assurance: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "variation_icon": self.variation_icon,
            "assurance": self.assurance,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class XmrLimits:
    """One segment's centre line and limits (NaN when undefined, e.g. a single point)."""

    mean: float
    amr: float
    lpl: float
    upl: float
    near_lower: float
    near_upper: float


# --- limits ---------------------------------------------------------------------------------


def r_mean(values: np.ndarray) -> float:
    """R's ``mean()``: a long-double sum, then one refinement pass (exact for constants).

    Matters where a point sits exactly on the mean (it then breaks a shift).
    """
    x = np.asarray(values, dtype=np.longdouble)
    if x.size == 0:
        return float("nan")
    s = np.sum(x) / x.size
    if np.isfinite(s):
        s += np.sum(x - s) / x.size
    return float(s)


def xmr_limits(
    values: np.ndarray, *, fix_after: int | None = None, screen_outliers: bool = True
) -> XmrLimits:
    """XmR limits of one segment (``ptd_spc_standard``), with the AMR = 0 guard."""
    y = np.asarray(values, dtype=np.float64)
    fixed = y[:fix_after] if fix_after is not None else y
    mean = r_mean(fixed)
    mr = np.abs(np.diff(fixed))
    amr = r_mean(mr)
    if screen_outliers and mr.size and amr > 0:
        amr = r_mean(mr[mr < SCREEN * amr])
    return XmrLimits(
        mean=mean,
        amr=amr,
        lpl=mean - LIMIT * amr,
        upl=mean + LIMIT * amr,
        near_lower=mean - NEAR * amr,
        near_upper=mean + NEAR * amr,
    )


# --- rules (one function each, as NHSRplotthedots) ------------------------------------------


def seven_point_one_side_mean(relative_to_mean: np.ndarray, run_length: int = 7) -> np.ndarray:
    """1 at the last point of ``run_length`` consecutive points on one side of the mean."""
    rtm = np.asarray(relative_to_mean, dtype=np.float64)
    out = np.zeros(rtm.size)
    if rtm.size < run_length:
        return out
    windows = sliding_window_view(rtm, run_length)
    last = windows[:, -1]
    out[run_length - 1 :] = ((windows == last[:, None]).all(axis=1) & (last != 0)).astype(float)
    return out


def part_of_seven_trend(flags: np.ndarray, run_length: int = 7) -> np.ndarray:
    """1 where the point, or one of the next ``run_length - 1``, ends a run (either sign)."""
    hit = np.abs(np.asarray(flags, dtype=np.float64)) == 1
    padded = np.concatenate((hit, np.zeros(run_length - 1, dtype=bool)))
    return sliding_window_view(padded, run_length).any(axis=1).astype(float)


def seven_point_trend(y: np.ndarray, run_length: int = 7) -> np.ndarray:
    """+1 / -1 at the last point of ``run_length`` strictly increasing / decreasing points."""
    y = np.asarray(y, dtype=np.float64)
    out = np.zeros(y.size)
    if y.size < run_length:
        return out
    steps = np.sign(np.diff(y))
    windows = sliding_window_view(steps, run_length - 1)
    out[run_length - 1 :] = np.where(
        (windows == 1).all(axis=1), 1.0, np.where((windows == -1).all(axis=1), -1.0, 0.0)
    )
    return out


def two_in_three(beyond: np.ndarray, relative_to_mean: np.ndarray) -> np.ndarray:
    """1 where a point is in a window of 3 with >= 2 points beyond the near band, all 3 on
    the same side of the mean (``ptd_two_in_three``)."""
    v = np.asarray(beyond, dtype=np.float64)
    if v.size == 0:
        return np.zeros(0)
    rtm = np.asarray(relative_to_mean, dtype=np.float64)
    vp = np.concatenate(([0, 0], v, [0, 0]))
    rp = np.concatenate(([0, 0], rtm, [0, 0]))
    ok = (sliding_window_view(vp, 3).sum(axis=1) >= 2) & (
        np.abs(sliding_window_view(rp, 3).sum(axis=1)) == 3
    )
    return (ok[:-2] | ok[1:-1] | ok[2:]).astype(float)


def part_of_two_in_three(flags: np.ndarray, beyond: np.ndarray) -> np.ndarray:
    """Only the points that are themselves beyond the near band are flagged."""
    return ((np.asarray(flags) == 1) & (np.abs(np.asarray(beyond, dtype=float)) == 1)).astype(float)


def trend_direction(y: np.ndarray, part_trend: np.ndarray) -> np.ndarray:
    """Direction of each trend point as in ``ptd_special_cause_type``: +1 or -1."""
    steps = np.sign(np.diff(np.asarray(y, dtype=np.float64)))
    if steps.size == 0:
        return np.zeros(len(part_trend))
    part = np.asarray(part_trend) != 0
    use_right = np.concatenate((part[1:], [False])) & part
    right = np.concatenate((steps, steps[-1:]))
    left = np.concatenate(([0.0], steps))
    return np.where(use_right, right, left)


def special_cause_type(
    y: np.ndarray,
    *,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    near_lower: np.ndarray,
    near_upper: np.ndarray,
    run_length: int = 7,
    two_in_three_rule: TwoInThreeRule = "mdc2023",
) -> np.ndarray:
    """Special-cause label of each point of one segment, by precedence (see module notes)."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        rtm = np.sign(y - mean)
        near = ~outside & ((y < near_lower) | (y > near_upper))
        beyond = near if two_in_three_rule == "ptd" else (near | outside)
    rtm = np.nan_to_num(rtm)
    part_trend = part_of_seven_trend(seven_point_trend(y, run_length), run_length)
    part_two = part_of_two_in_three(two_in_three(beyond, rtm), beyond)
    part_shift = part_of_seven_trend(seven_point_one_side_mean(rtm, run_length), run_length)
    direction = trend_direction(y, part_trend)
    side = np.where(rtm > 0, "above", "below")
    return np.select(
        [outside, part_trend != 0, part_two != 0, part_shift != 0],
        [
            np.where(rtm == 1, "above_upper", "below_lower"),
            np.where(direction == 1, "trend_increasing", "trend_decreasing"),
            np.char.add("two_in_three_", side),
            np.char.add("shift_", side),
        ],
        default="none",
    ).astype(object)


def point_type(special_cause: np.ndarray, improvement: Improvement) -> np.ndarray:
    """``ptd_point_type``: orient each special cause by the improvement direction."""
    check_improvement(improvement)
    sc = np.asarray(special_cause, dtype=object)
    up = np.isin(sc, ("above_upper", "trend_increasing", "two_in_three_above", "shift_above"))
    down = np.isin(sc, ("below_lower", "trend_decreasing", "two_in_three_below", "shift_below"))
    v = np.where(up, 1, np.where(down, -1, 0))
    if improvement == "neutral":
        labels = ("neutral_high", "neutral_low")
    else:
        v = v * (1 if improvement == "increase" else -1)
        labels = ("improvement", "concern")
    return np.where(v > 0, labels[0], np.where(v < 0, labels[1], "common_cause")).astype(object)


def variation_icon(last_point_type: str, improvement: Improvement) -> str:
    """The Making Data Count variation icon for the last point (``geom_ptd_icon`` names)."""
    if last_point_type in ("neutral_high", "neutral_low", "common_cause"):
        return last_point_type
    high = (last_point_type == "improvement") == (improvement == "increase")
    return f"{last_point_type}_{'high' if high else 'low'}"


def assurance_type(target: float | None, lpl: float, upl: float, improvement: Improvement) -> str:
    """``ptd_calculate_assurance_type`` on the last point's limits: pass / fail /
    inconsistent, or none without a target or for neutral improvement."""
    if target is None or improvement == "neutral":
        return "none"
    increasing = improvement == "increase"
    if target > upl:
        return "fail" if increasing else "pass"
    if target < lpl:
        return "pass" if increasing else "fail"
    return "inconsistent"


# --- input handling ---------------------------------------------------------------------------


def check_improvement(improvement: str) -> Improvement:
    """Validate an SPC improvement direction (NHSRplotthedots ``improvement_direction``)."""
    if improvement not in IMPROVEMENTS:
        raise UserError(
            f"unknown improvement direction {improvement!r}: use increase, decrease or neutral"
        )
    return cast(Improvement, improvement)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m")


def parse_dates(series: pl.Series, name: str) -> pl.Series:
    """A column of dates (Date, Datetime or text in a common format) as ``pl.Date``."""
    if series.dtype == pl.Date:
        return series
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date()
    if series.dtype != pl.String:
        raise UserError(f"column {name!r} must hold dates (e.g. 2024-04-01), not {series.dtype}")
    text = series.str.strip_chars()
    for fmt in _DATE_FORMATS:
        source = text + "-01" if fmt == "%Y-%m" else text
        parse_fmt = "%Y-%m-%d" if fmt == "%Y-%m" else fmt
        parsed = source.str.to_date(parse_fmt, strict=False)
        if parsed.null_count() == text.null_count():
            return parsed
    bad = text.str.to_date("%Y-%m-%d", strict=False).is_null() & text.is_not_null()
    example = text.filter(bad).head(1).to_list()
    raise UserError(
        f"column {name!r} has values that are not dates (e.g. {example[0]!r}); use YYYY-MM-DD"
    )


def _row(i: int, line_offset: int | None) -> str:
    return f"line {i + line_offset}" if line_offset is not None else f"row {i + 1}"


def _numbers(frame: pl.DataFrame, name: str, line_offset: int | None) -> np.ndarray:
    if name not in frame.columns:
        raise UserError(f"no column {name!r}; the columns are: {', '.join(frame.columns)}")
    column = frame.get_column(name)
    if column.dtype == pl.String:
        text = column.str.strip_chars()
        parsed = text.cast(pl.Float64, strict=False)
        blank = (text.is_null() | (text == "")).to_numpy()
        bad = (parsed.is_null().to_numpy()) & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise UserError(
                f"column {name!r} is not a number on {_row(i, line_offset)}: {column[i]!r}"
            )
        column = parsed
    elif not column.dtype.is_numeric():
        raise UserError(f"column {name!r} must hold numbers, not {column.dtype}")
    values = column.cast(pl.Float64).to_numpy()  # nulls become NaN
    missing = ~np.isfinite(values)
    if missing.any():
        rows = ", ".join(_row(int(i), line_offset) for i in np.flatnonzero(missing)[:5])
        raise UserError(
            f"column {name!r} has missing values ({rows}): an SPC chart needs every point"
        )
    return values


@dataclass(frozen=True)
class _Series:
    dates: np.ndarray  # datetime64[D], sorted
    order: np.ndarray  # permutation applied to the input rows
    segments: np.ndarray  # segment index per point
    warnings: list[str]


def _prepare_series(
    frame: pl.DataFrame,
    date: str,
    rebase: Sequence[dt.date | str],
    fix_after: int | None,
    run_length: int,
    two_in_three_rule: str,
    improvement: str,
    line_offset: int | None,
) -> _Series:
    check_improvement(improvement)
    if two_in_three_rule not in TWO_IN_THREE_VARIANTS:
        raise UserError(f"unknown two-in-three rule {two_in_three_rule!r}: use mdc2023 or ptd")
    if run_length < 3:
        raise UserError(f"run length must be at least 3, got {run_length}")
    if fix_after is not None and fix_after < RECOMMENDED_POINTS:
        raise UserError(
            f"limits can be fixed after at least {RECOMMENDED_POINTS} points, got {fix_after}"
        )
    if date not in frame.columns:
        raise UserError(f"no date column {date!r}; the columns are: {', '.join(frame.columns)}")
    dates = parse_dates(frame.get_column(date), date)
    if dates.null_count():
        i = int(np.flatnonzero(dates.is_null().to_numpy())[0])
        raise UserError(
            f"column {date!r} is empty on {_row(i, line_offset)}: every point needs a date"
        )
    n = frame.height
    if n < MIN_POINTS:
        raise UserError(f"an SPC chart needs at least {MIN_POINTS} points, got {n}")
    dup = dates.is_duplicated()
    if dup.any():
        shown = sorted({d.isoformat() for d in dates.filter(dup).to_list()})[:5]
        raise UserError(f"duplicate dates in {date!r}: {', '.join(shown)} (one point per date)")
    days = dates.to_numpy().astype("datetime64[D]")
    order = np.argsort(days, kind="stable")
    days = days[order]
    starts = np.zeros(n, dtype=np.int64)
    for item in rebase:
        try:
            when = np.datetime64(
                dt.date.fromisoformat(str(item)) if isinstance(item, str) else item, "D"
            )
        except ValueError as exc:
            raise UserError(f"rebase date {item!r} is not a date (use YYYY-MM-DD)") from exc
        hit = np.flatnonzero(days == when)
        if hit.size == 0:
            raise UserError(f"rebase date {item} is not one of the dates in the series")
        starts[hit[0]] = 1
    segments = np.cumsum(starts)
    warnings: list[str] = []
    if n < RECOMMENDED_POINTS:
        warnings.append(
            f"only {n} points: limits from fewer than {RECOMMENDED_POINTS} points are unreliable"
        )
    for seg in np.unique(segments):
        size = int(np.sum(segments == seg))
        if size < RECOMMENDED_POINTS and np.unique(segments).size > 1:
            first = days[segments == seg][0]
            warnings.append(
                f"the segment starting {first} has only {size} points "
                f"(fewer than {RECOMMENDED_POINTS})"
            )
    return _Series(days, order, segments, warnings)


def _finish(
    series: _Series,
    y: np.ndarray,
    limits: dict[str, np.ndarray],
    improvement: Improvement,
    target: float | None,
    run_length: int,
    two_in_three_rule: TwoInThreeRule,
    extra: dict[str, pl.Series] | None = None,
) -> tuple[pl.DataFrame, SpcSummary]:
    special = np.empty(y.size, dtype=object)
    for seg in np.unique(series.segments):
        idx = np.flatnonzero(series.segments == seg)
        special[idx] = special_cause_type(
            y[idx],
            mean=limits["mean"][idx],
            lpl=limits["lpl"][idx],
            upl=limits["upl"][idx],
            near_lower=limits["near_lower"][idx],
            near_upper=limits["near_upper"][idx],
            run_length=run_length,
            two_in_three_rule=two_in_three_rule,
        )
    types = point_type(special, improvement)
    icon = variation_icon(str(types[-1]), improvement)
    assurance = assurance_type(
        target, float(limits["lpl"][-1]), float(limits["upl"][-1]), improvement
    )
    columns: list[pl.Series] = [pl.Series("date", series.dates).cast(pl.Date)]
    columns.append(pl.Series("value", y, dtype=pl.Float64))
    for name in ("mean", "lpl", "upl", "near_lower", "near_upper"):
        # nan_to_null at construction: Series.fill_nan runs a whole lazy query per column.
        columns.append(pl.Series(name, limits[name], dtype=pl.Float64, nan_to_null=True))
    columns.append(pl.Series("special_cause", special, dtype=pl.String))
    columns.append(pl.Series("point_type", types, dtype=pl.String))
    for s in (extra or {}).values():
        columns.append(s)
    return pl.DataFrame(columns), SpcSummary(icon, assurance, tuple(series.warnings))


def spc_chart(
    frame: pl.DataFrame,
    *,
    date: str = "date",
    value: str = "value",
    improvement: Improvement = "increase",
    target: float | None = None,
    rebase: Sequence[dt.date | str] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    two_in_three: TwoInThreeRule = "mdc2023",
    line_offset: int | None = None,
) -> tuple[pl.DataFrame, SpcSummary]:
    """XmR chart of ``value`` by ``date``: limits, special causes and point types.

    Returns a frame with :data:`SPC_COLUMNS` (sorted by date) and the
    :class:`SpcSummary` (variation icon of the last point, assurance against ``target``,
    warnings such as fewer than 12 points). Raises :class:`UserError` for fewer than 2
    points, duplicate or missing dates, missing or non-numeric values, or a rebase date that is
    not in the series.
    """
    series = _prepare_series(
        frame, date, rebase, fix_after, run_length, two_in_three, improvement, line_offset
    )
    y = _numbers(frame, value, line_offset)[series.order]
    limits = {k: np.empty(y.size) for k in ("mean", "lpl", "upl", "near_lower", "near_upper")}
    for seg in np.unique(series.segments):
        idx = np.flatnonzero(series.segments == seg)
        lim = xmr_limits(y[idx], fix_after=fix_after, screen_outliers=screen_outliers)
        for k in limits:
            limits[k][idx] = getattr(lim, k)
    return _finish(series, y, limits, improvement, target, run_length, two_in_three)


def p_chart(
    frame: pl.DataFrame,
    *,
    date: str = "date",
    numerator: str = "numerator",
    denominator: str = "denominator",
    improvement: Improvement = "increase",
    target: float | None = None,
    rebase: Sequence[dt.date | str] = (),
    fix_after: int | None = None,
    run_length: int = 7,
    two_in_three: TwoInThreeRule = "mdc2023",
    line_offset: int | None = None,
) -> tuple[pl.DataFrame, SpcSummary]:
    """p-chart of ``numerator / denominator`` by ``date`` (limits vary with each n_i).

    Same output as :func:`spc_chart` plus the numerator and denominator columns; ``value``
    is the proportion (0-1).
    """
    series = _prepare_series(
        frame, date, rebase, fix_after, run_length, two_in_three, improvement, line_offset
    )
    x = _numbers(frame, numerator, line_offset)[series.order]
    n = _numbers(frame, denominator, line_offset)[series.order]
    for mask, what in (
        (x < 0, "negative numerator"),
        (n <= 0, "denominator of zero or less"),
        (x > n, "numerator above denominator"),
    ):
        if mask.any():
            when = ", ".join(str(d) for d in series.dates[mask][:5])
            raise UserError(f"{what} on {when}")
    y = x / n
    limits = {k: np.empty(y.size) for k in ("mean", "lpl", "upl", "near_lower", "near_upper")}
    for seg in np.unique(series.segments):
        idx = np.flatnonzero(series.segments == seg)
        base = idx[:fix_after] if fix_after is not None else idx
        pbar = float(np.sum(x[base]) / np.sum(n[base]))
        sigma = np.sqrt(pbar * (1 - pbar) / n[idx])
        limits["mean"][idx] = pbar
        limits["lpl"][idx] = np.maximum(0.0, pbar - 3 * sigma)
        limits["upl"][idx] = np.minimum(1.0, pbar + 3 * sigma)
        limits["near_lower"][idx] = np.maximum(0.0, pbar - 2 * sigma)
        limits["near_upper"][idx] = np.minimum(1.0, pbar + 2 * sigma)
    extra = {
        "numerator": pl.Series("numerator", x, dtype=pl.Float64),
        "denominator": pl.Series("denominator", n, dtype=pl.Float64),
    }
    return _finish(series, y, limits, improvement, target, run_length, two_in_three, extra)
