"""Did it work? (netcompare.stats.intervention): limits from the points before a change, the
Making Data Count rules on the points from it on, said in words — on constructed series."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from netcompare.errors import UserError
from netcompare.stats.intervention import MIN_BEFORE, VERDICTS, did_it_work
from netcompare.stats.spc import RECOMMENDED_POINTS, spc_chart, xmr_limits

# A steady year: mean 0.70167, limits 0.63396-0.76938, near band 0.65653-0.74681.
BASELINE = [0.70, 0.72, 0.68, 0.71, 0.69, 0.72, 0.68, 0.70, 0.71, 0.69, 0.72, 0.70]
CHANGE = dt.date(2025, 3, 1)  # the 13th month from Mar 2024
NAME = "the recall change"


def months(n: int, first: dt.date = dt.date(2024, 3, 1)) -> list[dt.date]:
    out = [first]
    while len(out) < n:
        d = out[-1]
        out.append(dt.date(d.year + d.month // 12, d.month % 12 + 1, 1))
    return out


def series(after: list[float], before: list[float] = BASELINE) -> pl.DataFrame:
    """``before`` up to Feb 2025, ``after`` from Mar 2025 (CHANGE) on."""
    values = before + after
    back = len(before)  # months before Mar 2025
    first = dt.date(2025 - (back + 9) // 12, (2 - back) % 12 + 1, 1)
    dates = months(len(values), first)
    assert len(after) == 0 or dates[back] == CHANGE
    return pl.DataFrame({"date": dates, "value": values})


def judged(after: list[float], **kwargs) -> object:
    kwargs.setdefault("name", NAME)
    return did_it_work(series(after, kwargs.pop("before", BASELINE)), CHANGE, **kwargs)


def test_the_baseline_is_a_year_and_the_limits_are_its_own():
    assert MIN_BEFORE == RECOMMENDED_POINTS == 12
    v = judged([0.72, 0.71])
    lim = xmr_limits(np.array(BASELINE))
    assert (v.n_before, v.n_after) == (12, 2)
    assert v.mean == pytest.approx(lim.mean)
    assert v.lpl == pytest.approx(lim.lpl)
    assert v.upl == pytest.approx(lim.upl)
    assert v.mean == pytest.approx(0.7016667, abs=1e-6)
    assert v.upl == pytest.approx(0.7693758, abs=1e-6)
    # Later points never move the limits they are judged against.
    assert judged([0.95] * 10).upl == pytest.approx(v.upl)


def test_a_clear_shift_after_the_change_is_special_cause_improvement():
    v = judged([0.72, 0.71, 0.73, 0.72, 0.71, 0.73, 0.72])
    assert v.verdict == "improvement" and v.worked
    assert v.words == (
        "Since the recall change in Mar 2025: 7 points above the mean — special cause improvement"
    )
    assert v.signal == "7 points above the mean"
    assert v.special_causes == ("shift_above",) * 7
    assert v.dates[0] == CHANGE and len(v.dates) == 7


def test_a_rise_is_a_concern_where_lower_is_better():
    v = judged([0.72, 0.71, 0.73, 0.72, 0.71, 0.73, 0.72], improvement="decrease")
    assert v.verdict == "concern" and not v.worked
    assert v.words.endswith("7 points above the mean — special cause concern")


def test_a_clear_drop_is_a_concern_where_higher_is_better_and_improvement_where_lower_is():
    drop = [0.69, 0.68, 0.69, 0.67, 0.68, 0.69, 0.68]
    up = judged(drop, improvement="increase")
    assert up.verdict == "concern"
    assert up.words == (
        "Since the recall change in Mar 2025: 7 points below the mean — special cause concern"
    )
    down = judged(drop, improvement="decrease")
    assert down.verdict == "improvement"
    assert down.words.endswith("7 points below the mean — special cause improvement")


def test_no_change_is_no_signal_yet_with_the_count():
    v = judged([0.70, 0.72, 0.69, 0.71])
    assert v.verdict == "no_signal"
    assert v.words == "Since the recall change in Mar 2025: no signal yet (4 points since)"
    assert v.point_types == ("common_cause",) * 4
    assert judged([0.70]).words.endswith("no signal yet (1 point since)")


def test_too_few_points_before_the_change():
    v = judged([0.80, 0.81], before=BASELINE[:5])
    assert v.verdict == "too_few_before"
    assert (v.n_before, v.n_after) == (5, 2)
    assert v.words == (
        "Since the recall change in Mar 2025: too few points before the change to judge "
        "(5; at least 12 needed)"
    )
    assert v.mean is None and v.special_causes == ()
    # 11 is still too few; 12 is enough.
    assert judged([0.7], before=BASELINE[:11]).verdict == "too_few_before"
    assert judged([0.7], before=BASELINE[:12]).verdict == "no_signal"


def test_no_points_since_the_change_yet():
    frame = series([])
    v = did_it_work(frame, dt.date(2025, 3, 1), name=NAME)
    assert v.verdict == "none_after"
    assert (v.n_before, v.n_after) == (12, 0)
    assert v.words == "Since the recall change in Mar 2025: no points since the change yet"


def test_a_single_point_above_the_upper_limit():
    v = judged([0.70, 0.80])
    assert v.verdict == "improvement"
    assert v.words == (
        "Since the recall change in Mar 2025: a point above the upper limit — "
        "special cause improvement"
    )
    assert v.special_causes == ("none", "above_upper")
    assert v.point_types == ("common_cause", "improvement")


def test_a_trend_is_said_as_points_rising_in_a_row():
    v = judged([0.66, 0.67, 0.68, 0.69, 0.70, 0.71, 0.72])
    assert v.verdict == "improvement"
    assert v.signal == "7 points rising in a row"


def test_a_shift_is_named_even_where_stronger_rules_label_its_points():
    # Seven points above the mean, four of them above the upper limit and the rest beyond the
    # near band: the labels are outside-limits and two-in-three, the words say all of it.
    v = judged([0.76, 0.77, 0.75, 0.78, 0.76, 0.77, 0.79])
    assert "shift_above" not in v.special_causes
    assert v.signal == "7 points above the mean, 4 of them above the upper limit"
    assert judged([0.80] * 7).signal == "7 points above the upper limit"


def test_improvement_and_concern_both_since_the_change_describe_the_latest_and_say_so():
    v = judged([0.60, 0.70, 0.80])
    assert v.point_types == ("concern", "common_cause", "improvement")
    assert v.verdict == "improvement" and v.mixed
    assert v.words == (
        "Since the recall change in Mar 2025: a point above the upper limit — special cause "
        "improvement (the most recent signal; earlier points showed special cause concern)"
    )
    latest_concern = judged([0.80, 0.70, 0.60])
    assert latest_concern.verdict == "concern" and latest_concern.mixed
    assert "earlier points showed special cause improvement" in latest_concern.words


def test_a_neutral_indicator_says_special_cause_variation_without_better_or_worse():
    v = judged([0.72, 0.71, 0.73, 0.72, 0.71, 0.73, 0.72], improvement="neutral")
    assert v.verdict == "neutral" and not v.worked
    assert v.words.endswith("7 points above the mean — special cause variation")
    assert "improvement" not in v.words and "concern" not in v.words
    mixed = judged([0.60, 0.80], improvement="neutral")
    assert mixed.point_types == ("neutral_low", "neutral_high")
    assert mixed.words.endswith(
        "special cause variation (the most recent signal; earlier points showed special "
        "cause variation the other way)"
    )


def test_a_run_that_started_before_the_change_is_not_credited_to_it():
    # The baseline ends with four points above its mean; four more after the change make
    # eight in a row, which the whole series' chart (limits fixed on the same baseline) flags
    # as a shift. Judged from the change on, four points are no signal.
    before = [0.68, 0.70, 0.67, 0.69, 0.68, 0.70, 0.67, 0.69, 0.72, 0.71, 0.72, 0.71]
    after = [0.72, 0.71, 0.72, 0.71]
    whole, _ = spc_chart(series(after, before), fix_after=12)
    assert whole["special_cause"].to_list()[-4:] == ["shift_above"] * 4
    v = judged(after, before=before)
    assert v.verdict == "no_signal"
    assert v.words.endswith("no signal yet (4 points since)")


def test_the_run_length_and_two_in_three_reading_are_the_pages():
    six = [0.72, 0.71, 0.73, 0.72, 0.71, 0.73]
    assert judged(six).verdict == "no_signal"
    assert judged(six, run_length=6).words.endswith(
        "6 points above the mean — special cause improvement"
    )
    # A point above the upper limit, then one beyond the near band: Making Data Count 2023
    # counts the pair as two in three; NHSRplotthedots counts only points inside the limits.
    after = [0.78, 0.75, 0.71]
    mdc = judged(after, two_in_three="mdc2023")
    ptd = judged(after, two_in_three="ptd")
    assert mdc.special_causes == ("above_upper", "two_in_three_above", "none")
    assert ptd.special_causes == ("above_upper", "none", "none")


def test_a_p_chart_takes_each_later_points_limits_from_its_own_denominator():
    x = [140, 144, 136, 142, 138, 144, 136, 140, 142, 138, 144, 140, 40, 320]
    n = [200] * 12 + [50, 400]
    frame = pl.DataFrame({"date": months(14), "numerator": x, "denominator": n})
    v = did_it_work(frame, CHANGE, name=NAME, chart="p")
    # By hand: p-bar of the baseline, 3 sigma from each later point's n.
    pbar = sum(x[:12]) / sum(n[:12])
    assert pbar == pytest.approx(1684 / 2400)
    assert v.mean == pytest.approx(pbar)
    for i, size in enumerate((50, 400)):
        sigma = math.sqrt(pbar * (1 - pbar) / size)
        assert v.lower_limits[i] == pytest.approx(pbar - 3 * sigma)
        assert v.upper_limits[i] == pytest.approx(pbar + 3 * sigma)
    assert v.upper_limits[1] == pytest.approx(0.770296, abs=1e-6)
    assert v.lpl is None and v.upl is None  # a p-chart's limits differ point by point
    # 80% of 50 is inside its wide limits; 80% of 400 is above its narrow ones.
    assert v.values == pytest.approx((0.8, 0.8))
    assert v.special_causes == ("none", "above_upper")
    assert v.words == (
        "Since the recall change in Mar 2025: a point above the upper limit — "
        "special cause improvement"
    )
    assert v.chart == "p"


def test_yearly_periods_are_labelled_as_the_data_has_them():
    years = [dt.date(2008 + i, 4, 1) for i in range(14)]
    frame = pl.DataFrame({"date": years, "value": [*BASELINE, 0.7, 0.71]})
    v = did_it_work(frame, dt.date(2020, 4, 1), name=NAME, period_type="financial_year")
    assert v.words == "Since the recall change in 2020-21: no signal yet (2 points since)"


def test_bad_arguments_are_user_errors():
    with pytest.raises(UserError, match="unknown SPC chart"):
        did_it_work(series([0.7]), CHANGE, chart="xbar")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="improvement direction"):
        did_it_work(series([0.7]), CHANGE, improvement="up")  # type: ignore[arg-type]
    assert set(VERDICTS) == {
        "improvement",
        "concern",
        "neutral",
        "no_signal",
        "too_few_before",
        "none_after",
    }
