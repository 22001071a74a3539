"""Did it work? An intervention judged on an SPC chart whose limits come from before it.

Method (NHS England, Making Data Count: "A guide to using SPC for measuring improvement", the
"did it work?" question; NHSRplotthedots 0.2.2 ``ptd_spc``'s ``fix_after_n_points`` and
``rebase``): the centre line and process limits are computed from the points *before* the
intervention only, held fixed, and the Making Data Count rules are applied to the points from
the intervention's period on. A signal among those points, in the indicator's better direction,
is special cause improvement: evidence the change worked. Points after the change never move
the limits they are judged against (that would be rebasing, which answers a different
question: "what is the new normal?").

- Limits: exactly as :mod:`netcompare.stats.spc` computes a segment, by running its
  :func:`~netcompare.stats.spc.spc_chart` (XmR: mean and screened average moving range of the
  baseline, limits mean -/+ 2.66 AMR) or :func:`~netcompare.stats.spc.p_chart` (p-bar of the
  baseline, each later point's limits from its own denominator,
  p-bar -/+ 3 sqrt(p-bar (1 - p-bar) / n_i)) with ``fix_after`` = the number of baseline points.
- Rules: :func:`~netcompare.stats.spc.special_cause_type` on the points from the intervention
  on, against the baseline's mean and limits: a point outside the limits, a trend of
  ``run_length`` points, two in three beyond the near band (``two_in_three`` reading), a shift
  of ``run_length`` points on one side of the mean; the same ``run_length`` and two-in-three
  reading as the trends page. Deliberately only those points: a run that started before the
  change is not credited to it.
- Direction: :func:`~netcompare.stats.spc.point_type` with the indicator's improvement
  direction ("increase" / "decrease"; "neutral" gives special cause variation, neither better
  nor worse).
- Baseline length: at least :data:`MIN_BEFORE` = 12 points
  (:data:`~netcompare.stats.spc.RECOMMENDED_POINTS`). NHSRplotthedots warns of any group of
  fewer than 12 points ("Some trial limits created by groups of fewer than 12 points exist.
  These will become more reliable as more data is added."; vignette "Number of points
  required": limits are locked after 12 points), and Making Data Count's guide asks for a
  baseline long enough to show how the process behaved before the change. With fewer, this
  says "too few points before the change to judge" rather than guess.

The caller aligns the intervention to a period (see ``netcompare.views.interventions``): the
period containing the intervention date counts as "after".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from netcompare.errors import UserError
from netcompare.stats.spc import (
    RECOMMENDED_POINTS,
    check_improvement,
    p_chart,
    parse_dates,
    point_type,
    spc_chart,
    special_cause_type,
)
from netcompare.types import Improvement, TwoInThreeRule
from netcompare.views.format import period_label

MIN_BEFORE = RECOMMENDED_POINTS  # 12: see the module docstring

ChartKind = Literal["xmr", "p"]
CHART_KINDS: tuple[ChartKind, ...] = ("xmr", "p")

VerdictKind = Literal[
    "improvement", "concern", "neutral", "no_signal", "too_few_before", "none_after"
]
VERDICTS: tuple[VerdictKind, ...] = (
    "improvement",  # special cause improvement since the change
    "concern",  # special cause concern since the change
    "neutral",  # special cause variation, for an indicator where neither way is better
    "no_signal",  # only common cause variation since the change (so far)
    "too_few_before",  # fewer than MIN_BEFORE points before the change
    "none_after",  # no point from the change's period on yet
)

TYPE_WORDS = {
    "improvement": "special cause improvement",
    "concern": "special cause concern",
    "neutral_high": "special cause variation",
    "neutral_low": "special cause variation",
}
_VERDICT_OF_TYPE: dict[str, VerdictKind] = {
    "improvement": "improvement",
    "concern": "concern",
    "neutral_high": "neutral",
    "neutral_low": "neutral",
}


@dataclass(frozen=True)
class Verdict:
    """What the points since an intervention say, against limits from the points before it.

    ``mean``, ``lpl`` and ``upl`` are the baseline's centre line and process limits (XmR); a
    p-chart's limits differ point by point, so there ``lpl`` / ``upl`` are None and
    ``lower_limits`` / ``upper_limits`` hold each later point's. The tuples ``dates`` …
    ``upper_limits`` describe the points from the intervention on (empty when there is no
    baseline to judge them against).
    """

    verdict: VerdictKind
    words: str  # "Since the recall change in Mar 2025: 7 points above the mean — …"
    start: dt.date  # the first period counted as "after"
    n_before: int
    n_after: int
    chart: ChartKind = "xmr"
    mean: float | None = None
    lpl: float | None = None
    upl: float | None = None
    signal: str = ""  # the most recent signal in words, "7 points above the mean"
    mixed: bool = False  # improvement and concern (or high and low) both since the change
    dates: tuple[dt.date, ...] = ()
    values: tuple[float, ...] = ()
    special_causes: tuple[str, ...] = ()  # spc.special_cause_type labels
    point_types: tuple[str, ...] = ()  # spc.point_type labels
    lower_limits: tuple[float, ...] = ()
    upper_limits: tuple[float, ...] = ()

    @property
    def worked(self) -> bool:
        """Whether the change shows special cause improvement (it worked, so far)."""
        return self.verdict == "improvement"


def _points(n: int) -> str:
    return "a point" if n == 1 else f"{n} points"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    """The first index and length of the longest run of True in ``mask``."""
    best = (0, 0)
    start = 0
    for i, hit in enumerate(mask):
        if not hit:
            start = i + 1
        elif i + 1 - start > best[1]:
            best = (start, i + 1 - start)
    return best


SIDES = (
    ("above", 1, "above_upper", "above the upper limit"),
    ("below", -1, "below_lower", "below the lower limit"),
)


def describe_signal(
    special_causes: np.ndarray, values: np.ndarray, mean: float, run_length: int = 7
) -> str:
    """A run of special-cause points in words, the broadest statement first: "7 points above
    the mean" (a shift, said whenever ``run_length`` or more of the points lie in a row on one
    side, even where a stronger rule labels them; "…, 2 of them above the upper limit"), "7
    points rising in a row" (a trend), "a point above the upper limit", "2 of 3 points close
    to the upper limit" (two in three, said only when nothing else is)."""
    sc = np.asarray([str(s) for s in special_causes], dtype=object)
    with np.errstate(invalid="ignore"):
        side_of = np.sign(np.asarray(values, dtype=np.float64) - mean)
    parts: list[str] = []
    outside_left: list[str] = []
    for side, sign, label, where in SIDES:
        first, run = _longest_run(side_of == sign)
        outside = int(np.sum(sc == label))
        if run >= run_length or f"shift_{side}" in sc:
            within = int(np.sum(sc[first : first + run] == label))
            if within == run:
                parts.append(f"{_points(run)} {where}")
            elif within:
                them = "one of them" if within == 1 else f"{within} of them"
                parts.append(f"{_points(run)} {side} the mean, {them} {where}")
            else:
                parts.append(f"{_points(max(run, 1))} {side} the mean")
            outside -= within
        if outside:
            outside_left.append(f"{_points(outside)} {where}")
    for direction, label in (("rising", "trend_increasing"), ("falling", "trend_decreasing")):
        if label in sc:
            parts.append(f"{_points(int(np.sum(sc == label)))} {direction} in a row")
    parts += outside_left
    if not parts:
        for side, limit in (("above", "upper"), ("below", "lower")):
            k = int(np.sum(sc == f"two_in_three_{side}"))
            if k:
                count = "2 of 3 points" if k == 2 else _points(k)
                parts.append(f"{count} close to the {limit} limit")
    return _join(parts) if parts else "special cause"


def did_it_work(
    frame: pl.DataFrame,
    start: dt.date,
    *,
    name: str = "the change",
    chart: ChartKind = "xmr",
    improvement: Improvement = "increase",
    period_type: str = "month",
    run_length: int = 7,
    two_in_three: TwoInThreeRule = "mdc2023",
    screen_outliers: bool = True,
    date: str = "date",
    value: str = "value",
    numerator: str = "numerator",
    denominator: str = "denominator",
) -> Verdict:
    """Judge the change that started in the period ``start``: limits from the points dated
    before ``start``, the Making Data Count rules on the points from ``start`` on.

    ``frame`` holds one point per period: ``date`` and ``value`` for an XmR chart (``chart``
    "xmr"), ``date``, ``numerator`` and ``denominator`` for a p-chart ("p"). ``name`` names
    the change in the words ("the recall change"); ``period_type`` labels ``start`` as the
    data does ("Mar 2025", "2022-23"). Raises :class:`UserError` for an unknown chart or
    improvement direction and, from the SPC functions, for unusable data (duplicate dates,
    missing values).
    """
    if chart not in CHART_KINDS:
        raise UserError(f"unknown SPC chart {chart!r}: use xmr or p")
    check_improvement(improvement)
    if date not in frame.columns:
        raise UserError(f"no date column {date!r}; the columns are: {', '.join(frame.columns)}")
    days = parse_dates(frame.get_column(date), date).drop_nulls()
    n_before = int((days < start).sum())
    n_after = int((days >= start).sum())
    prefix = f"Since {name} in {period_label(start, period_type)}: "

    def verdict(kind: VerdictKind, words: str) -> Verdict:
        return Verdict(kind, prefix + words, start, n_before, n_after, chart)

    if n_after == 0:
        return verdict("none_after", "no points since the change yet")
    if n_before < MIN_BEFORE:
        return verdict(
            "too_few_before",
            f"too few points before the change to judge ({n_before}; at least {MIN_BEFORE} needed)",
        )

    # The limits exactly as the SPC chart computes them, fixed on the baseline.
    if chart == "p":
        spc, _ = p_chart(
            frame,
            date=date,
            numerator=numerator,
            denominator=denominator,
            improvement=improvement,
            fix_after=n_before,
            run_length=run_length,
            two_in_three=two_in_three,
        )
    else:
        spc, _ = spc_chart(
            frame,
            date=date,
            value=value,
            improvement=improvement,
            fix_after=n_before,
            screen_outliers=screen_outliers,
            run_length=run_length,
            two_in_three=two_in_three,
        )
    after = spc.slice(n_before)  # sorted by date: the baseline is the first n_before rows

    def column(name: str) -> np.ndarray:
        return after.get_column(name).cast(pl.Float64).fill_null(float("nan")).to_numpy()

    y = column("value")
    mean = float(spc.get_column("mean")[0])
    special = special_cause_type(
        y,
        mean=column("mean"),
        lpl=column("lpl"),
        upl=column("upl"),
        near_lower=column("near_lower"),
        near_upper=column("near_upper"),
        run_length=run_length,
        two_in_three_rule=two_in_three,
    )
    types = point_type(special, improvement)
    lower, upper = column("lpl"), column("upl")
    details = {
        "dates": tuple(after.get_column("date").to_list()),
        "values": tuple(float(v) for v in y),
        "special_causes": tuple(str(s) for s in special),
        "point_types": tuple(str(t) for t in types),
        "lower_limits": tuple(float(v) for v in lower),
        "upper_limits": tuple(float(v) for v in upper),
    }
    limits = {
        "mean": mean,
        "lpl": float(lower[0]) if chart == "xmr" else None,
        "upl": float(upper[0]) if chart == "xmr" else None,
    }
    signals = [i for i, t in enumerate(types) if t != "common_cause"]
    if not signals:
        return Verdict(
            "no_signal",
            prefix + f"no signal yet ({n_after} point{'' if n_after == 1 else 's'} since)",
            start,
            n_before,
            n_after,
            chart,
            **limits,
            **details,
        )
    # The most recent signal: the run of same-type points that ends at the latest one.
    last = signals[-1]
    kind = str(types[last])
    first = last
    while first > 0 and types[first - 1] == kind:
        first -= 1
    signal = describe_signal(special[first : last + 1], y[first : last + 1], mean, run_length)
    earlier = sorted({str(t) for t in types[:first]} - {"common_cause", kind})
    words = f"{signal} — {TYPE_WORDS[kind]}"
    if earlier:
        other = (
            "special cause variation the other way"
            if kind.startswith("neutral")
            else TYPE_WORDS[earlier[0]]
        )
        words += f" (the most recent signal; earlier points showed {other})"
    return Verdict(
        _VERDICT_OF_TYPE[kind],
        prefix + words,
        start,
        n_before,
        n_after,
        chart,
        **limits,
        signal=signal,
        mixed=bool(earlier),
        **details,
    )
