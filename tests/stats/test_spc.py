"""SPC: NHSRplotthedots 0.2.2 vectors and rules, Making Data Count icons (METHODS.md 6)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from netcompare.errors import UserError
from netcompare.stats.spc import (
    SPC_COLUMNS,
    assurance_type,
    p_chart,
    part_of_seven_trend,
    part_of_two_in_three,
    point_type,
    seven_point_one_side_mean,
    seven_point_trend,
    spc_chart,
    special_cause_type,
    two_in_three,
    variation_icon,
    xmr_limits,
)

# R: set.seed(123); y <- rnorm(20)
RNORM_123 = np.array(
    [
        -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
        1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
        1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
        1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
    ]
)  # fmt: skip
DEVIATIONS = np.array([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1], dtype=float)


def frame(values, start=dt.date(2020, 1, 1), step_days=1) -> pl.DataFrame:
    dates = [start + dt.timedelta(days=step_days * i) for i in range(len(values))]
    return pl.DataFrame({"date": dates, "value": np.asarray(values, dtype=float)})


# --- public vectors ---------------------------------------------------------------------------


def test_rnorm_limits_screened():
    lim = xmr_limits(RNORM_123)
    assert lim.mean == pytest.approx(0.1416238, abs=1e-6)
    assert lim.lpl == pytest.approx(-3.01138, abs=1e-5)
    assert lim.upl == pytest.approx(3.294627, abs=1e-6)


def test_rnorm_with_outlier_screened_and_not():
    y = RNORM_123.copy()
    y[14] = 10
    lim = xmr_limits(y)
    assert lim.mean == pytest.approx(0.6694159, abs=1e-6)
    assert lim.lpl == pytest.approx(-2.383666, abs=1e-6)
    assert lim.upl == pytest.approx(3.722497, abs=1e-6)
    raw = xmr_limits(y, screen_outliers=False)
    assert raw.lpl == pytest.approx(-4.596625, abs=1e-6)
    assert raw.upl == pytest.approx(5.935457, abs=1e-6)


def test_deviations_vignette():
    lim = xmr_limits(DEVIATIONS)
    assert lim.mean == pytest.approx(1.9444444, abs=1e-6)
    assert lim.lpl == pytest.approx(-0.71555556, abs=1e-6)
    assert lim.upl == pytest.approx(4.6044444, abs=1e-6)
    raw = xmr_limits(DEVIATIONS, screen_outliers=False)
    assert raw.lpl == pytest.approx(-3.0626144, abs=1e-6)
    assert raw.upl == pytest.approx(6.9515033, abs=1e-6)
    for screen in (True, False):
        out, _ = spc_chart(frame(DEVIATIONS), screen_outliers=screen, two_in_three="ptd")
        causes = out["special_cause"].to_list()
        assert causes[4] == "above_upper"
        assert causes[:4] + causes[5:] == ["none"] * 17


# --- rule helpers (NHSRplotthedots test-ptd_calculate_point_type.R) ---------------------------


def test_seven_point_one_side_mean():
    assert list(seven_point_one_side_mean(np.array([]))) == []
    assert list(seven_point_one_side_mean(np.ones(6))) == [0] * 6
    assert list(seven_point_one_side_mean(np.array([1] * 6 + [-1]))) == [0] * 7
    assert list(seven_point_one_side_mean(np.array([1] * 8 + [-1]))) == [0] * 6 + [1, 1, 0]
    assert list(seven_point_one_side_mean(np.array([-1] * 8 + [1]))) == [0] * 6 + [1, 1, 0]
    # a point on the mean (0) breaks the run
    assert list(seven_point_one_side_mean(np.array([1, 1, 1, 0, 1, 1, 1, 1]))) == [0] * 8


def test_seven_point_trend():
    assert list(seven_point_trend(np.arange(1.0, 7))) == [0] * 6
    assert list(seven_point_trend(np.array([1, 2, 3, 3, 4, 5, 6.0]))) == [0] * 7  # tie breaks
    assert list(seven_point_trend(np.arange(1.0, 8))) == [0] * 6 + [1]
    assert list(seven_point_trend(np.array([2, 1, 2, 3, 4, 5, 6, 7, 3.0]))) == [0] * 7 + [1, 0]
    assert list(seven_point_trend(np.arange(7.0, 0, -1))) == [0] * 6 + [-1]


def test_part_of_seven_trend_marks_the_whole_run():
    flags = seven_point_trend(np.array([2, 1, 2, 3, 4, 5, 6, 7, 3.0]))
    assert list(part_of_seven_trend(flags)) == [0, 1, 1, 1, 1, 1, 1, 1, 0]
    shift = seven_point_one_side_mean(np.array([-1] + [1] * 8 + [-1]))
    assert list(part_of_seven_trend(shift)) == [0] + [1] * 8 + [0]


def test_two_in_three():
    same_side = np.ones(7)
    assert list(two_in_three(np.array([1, 0, 1.0]), np.ones(3))) == [1, 1, 1]
    assert list(two_in_three(np.array([0, 1, 1.0]), np.ones(3))) == [1, 1, 1]
    g = two_in_three(np.array([0, 0, 1, 0, 1, 0, 0.0]), same_side)
    assert list(g) == [0, 0, 1, 1, 1, 0, 0]
    h = two_in_three(np.array([0, 0, 1, 1, 0, 0, 0.0]), same_side)
    assert list(h) == [0, 1, 1, 1, 1, 0, 0]
    # needs all three points on one side of the mean
    assert list(two_in_three(np.array([1, 1, 0.0]), np.array([1, -1, 1.0]))) == [0, 0, 0]


def test_part_of_two_in_three():
    iv = np.array([1, 0, 0, 1, 1.0])
    assert list(part_of_two_in_three(two_in_three(iv, np.ones(5)), iv)) == [0, 0, 0, 1, 1]
    hv = np.array([1, 0, 0, 1.0])
    assert list(part_of_two_in_three(two_in_three(hv, np.ones(4)), hv)) == [0, 0, 0, 0]


def test_two_in_three_opposite_sides_is_common_cause():
    # NHSRplotthedots issue #143 test
    data = np.tile([1.0, -1.0], 8)
    data[14], data[15] = 5.5, -5.5
    out, _ = spc_chart(frame(data), two_in_three="ptd")
    assert out["point_type"].to_list()[-2:] == ["common_cause", "common_cause"]


def test_two_in_three_variants_differ_on_points_beyond_limits():
    # one point outside the limits and one in the near band, same side: only the MDC 2023
    # rule counts the outside point towards two-in-three
    base = [0.0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    lim = xmr_limits(np.array(base))
    near = lim.mean + 0.5 * (lim.near_upper - lim.mean) + 0.5 * (lim.upl - lim.mean)
    y = np.array([*base, lim.upl + 0.5, 0.8, near])
    kw = dict(mean=lim.mean, lpl=lim.lpl, upl=lim.upl, near_lower=lim.near_lower,
              near_upper=lim.near_upper)  # fmt: skip
    ptd = special_cause_type(y, two_in_three_rule="ptd", **kw)
    mdc = special_cause_type(y, two_in_three_rule="mdc2023", **kw)
    assert ptd[-3] == "above_upper" and mdc[-3] == "above_upper"
    assert ptd[-1] == "none"
    assert mdc[-1] == "two_in_three_above"


def test_precedence_outside_trend_two_in_three_shift():
    lim = dict(mean=0.0, lpl=-3.0, upl=3.0, near_lower=-2.0, near_upper=2.0)
    # 7 rising points all above the mean, the last outside: outside wins, then trend
    y = np.array([0.5, 0.6, 0.7, 2.1, 2.2, 2.5, 3.5])
    assert list(special_cause_type(y, **lim)) == ["trend_increasing"] * 6 + ["above_upper"]
    # 7 points above the mean, not trending, two near the limit: two-in-three beats shift
    y = np.array([0.5, 0.4, 0.5, 2.5, 0.4, 2.5, 0.5])
    assert list(special_cause_type(y, **lim)) == [
        "shift_above",
        "shift_above",
        "shift_above",
        "two_in_three_above",
        "shift_above",
        "two_in_three_above",
        "shift_above",
    ]


def test_run_length_six():
    lim = dict(mean=0.0, lpl=-9.0, upl=9.0, near_lower=-6.0, near_upper=6.0)
    y = np.array([-1.0, 1, 2, 1, 2, 1, 2, -1])
    assert list(special_cause_type(y, run_length=7, **lim)) == ["none"] * 8
    six = special_cause_type(y, run_length=6, **lim)
    assert list(six) == ["none"] + ["shift_above"] * 6 + ["none"]
    z = np.array([5.0, 1, 2, 3, 4, 5, 6, 0])
    assert list(special_cause_type(z, run_length=6, **lim))[1:7] == ["trend_increasing"] * 6


def test_trend_direction_when_trends_meet():
    lim = dict(mean=0.0, lpl=-99.0, upl=99.0, near_lower=-66.0, near_upper=66.0)
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, -50, 50])
    sc = special_cause_type(y, **lim)
    # the peak belongs to both trends; the package takes the step to its right
    assert list(sc[:6]) == ["trend_increasing"] * 6
    assert sc[6] == "trend_decreasing"
    assert list(sc[7:13]) == ["trend_decreasing"] * 6


def test_point_types_and_icons():
    sc = np.array(["above_upper", "trend_decreasing", "shift_above", "none"], dtype=object)
    assert list(point_type(sc, "increase")) == [
        "improvement",
        "concern",
        "improvement",
        "common_cause",
    ]
    assert list(point_type(sc, "decrease")) == ["concern", "improvement", "concern", "common_cause"]
    assert list(point_type(sc, "neutral")) == [
        "neutral_high",
        "neutral_low",
        "neutral_high",
        "common_cause",
    ]
    assert variation_icon("improvement", "increase") == "improvement_high"
    assert variation_icon("improvement", "decrease") == "improvement_low"
    assert variation_icon("concern", "increase") == "concern_low"
    assert variation_icon("concern", "decrease") == "concern_high"
    assert variation_icon("neutral_low", "neutral") == "neutral_low"
    assert variation_icon("common_cause", "increase") == "common_cause"


def test_assurance():
    assert assurance_type(None, 0.0, 1.0, "increase") == "none"
    assert assurance_type(0.5, 0.0, 1.0, "neutral") == "none"
    assert assurance_type(1.5, 0.0, 1.0, "increase") == "fail"
    assert assurance_type(1.5, 0.0, 1.0, "decrease") == "pass"
    assert assurance_type(-0.5, 0.0, 1.0, "increase") == "pass"
    assert assurance_type(-0.5, 0.0, 1.0, "decrease") == "fail"
    assert assurance_type(0.5, 0.0, 1.0, "increase") == "inconsistent"
    assert assurance_type(1.0, 0.0, 1.0, "increase") == "inconsistent"  # strict


# --- the whole chart --------------------------------------------------------------------------


def test_spc_chart_output_and_summary():
    out, summary = spc_chart(frame(RNORM_123), target=5.0)
    assert tuple(out.columns) == SPC_COLUMNS
    assert out.schema["date"] == pl.Date
    assert out["mean"].to_list() == pytest.approx([0.1416238035] * 20)
    assert summary.variation_icon == "common_cause"
    assert summary.assurance == "fail"  # target above the upper limit, increase is good
    assert summary.warnings == ()


def test_sorted_by_date_and_dates_as_text():
    f = pl.DataFrame({"d": ["2024-03-01", "2024-01-01", "2024-02-01"], "v": ["3", "1", "2"]})
    out, summary = spc_chart(f, date="d", value="v")
    assert out["date"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert out["value"].to_list() == [1.0, 2.0, 3.0]
    assert any("only 3 points" in w for w in summary.warnings)


def test_rebase_gives_each_segment_its_own_limits():
    values = [1.0, 2] * 8 + [11.0, 12] * 8
    f = frame(values, step_days=31)
    rebase_date = f["date"][16]
    out, summary = spc_chart(f, rebase=[rebase_date])
    means = out["mean"].to_list()
    assert means[:16] == pytest.approx([1.5] * 16)
    assert means[16:] == pytest.approx([11.5] * 16)
    assert set(out["special_cause"].to_list()) == {"none"}
    assert summary.warnings == ()
    # without the rebase the step is a shift / outside the limits
    plain, _ = spc_chart(f)
    assert set(plain["special_cause"].to_list()) != {"none"}


def test_rebase_warns_on_short_segment_and_rejects_unknown_date():
    f = frame(np.arange(20.0) % 3)
    _, summary = spc_chart(f, rebase=[f["date"][15]])
    assert any("only 5 points" in w for w in summary.warnings)
    with pytest.raises(UserError, match="not one of the dates"):
        spc_chart(f, rebase=["1999-01-01"])


def test_fix_after_uses_first_k_points():
    y = np.concatenate([np.tile([1.0, 2.0], 6), np.full(8, 1.5)])
    out, _ = spc_chart(frame(y), fix_after=12)
    assert out["mean"].to_list() == pytest.approx([1.5] * 20)
    assert out["upl"][0] == pytest.approx(1.5 + 2.66 * 1.0)
    with pytest.raises(UserError, match="at least 12"):
        spc_chart(frame(y), fix_after=5)


def test_flat_series_is_not_all_special_cause():
    out, summary = spc_chart(frame(np.full(15, 0.8)))
    assert out["lpl"].to_list() == pytest.approx([0.8] * 15)
    assert set(out["special_cause"].to_list()) == {"none"}
    assert summary.variation_icon == "common_cause"


def test_improvement_direction_and_last_point_icon():
    y = np.array([5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.2, 5.1, 4.9, 5.0, 5.1, 4.9, 9.0])
    _, up = spc_chart(frame(y), improvement="increase")
    _, down = spc_chart(frame(y), improvement="decrease")
    _, neutral = spc_chart(frame(y), improvement="neutral")
    assert up.variation_icon == "improvement_high"
    assert down.variation_icon == "concern_high"
    assert neutral.variation_icon == "neutral_high"


def test_input_errors():
    with pytest.raises(UserError, match="at least 2 points"):
        spc_chart(frame([1.0]))
    dup = pl.DataFrame({"date": ["2024-01-01", "2024-01-01", "2024-02-01"], "value": [1, 2, 3]})
    with pytest.raises(UserError, match="duplicate dates"):
        spc_chart(dup)
    bad = pl.DataFrame({"date": ["2024-01-01", "2024-02-01"], "value": ["1", "x"]})
    with pytest.raises(UserError, match="not a number"):
        spc_chart(bad)
    missing = pl.DataFrame({"date": ["2024-01-01", "2024-02-01"], "value": [1.0, None]})
    with pytest.raises(UserError, match="missing values"):
        spc_chart(missing)
    with pytest.raises(UserError, match="no column"):
        spc_chart(frame([1.0, 2.0]), value="nope")
    notdate = pl.DataFrame({"date": ["soon", "later"], "value": [1.0, 2.0]})
    with pytest.raises(UserError, match="not dates"):
        spc_chart(notdate)
    with pytest.raises(UserError):
        spc_chart(frame([1.0, 2.0]), improvement="up")


def test_p_chart_limits_vary_with_denominator():
    dates = [dt.date(2023, m, 1) for m in range(1, 13)]
    n = np.array([100, 400, 100, 400, 100, 400, 100, 400, 100, 400, 100, 400], dtype=float)
    x = np.round(n * 0.8)
    x[-1] = 240  # 0.6 on n = 400: far below
    f = pl.DataFrame({"date": dates, "numerator": x, "denominator": n})
    out, summary = p_chart(f)
    pbar = x.sum() / n.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    np.testing.assert_allclose(out["upl"].to_numpy(), np.minimum(1, pbar + 3 * sigma))
    np.testing.assert_allclose(out["lpl"].to_numpy(), np.maximum(0, pbar - 3 * sigma))
    np.testing.assert_allclose(out["value"].to_numpy(), x / n)
    assert out["special_cause"][-1] == "below_lower"
    assert summary.variation_icon == "concern_low"
    with pytest.raises(UserError, match="numerator above denominator"):
        p_chart(f.with_columns(numerator=pl.col("denominator") + 1))
