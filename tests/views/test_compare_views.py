"""The views behind Compare practices, Compare two indicators and the league table's recent
trend column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from scipy import stats

from netcompare.data.builtin import builtin_path
from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions
from netcompare.views.compare_practices import SCOPE_NETWORK, SORT_NAME, compare_practices_view
from netcompare.views.format import RECENT_TREND_COLUMN
from netcompare.views.league import league_table, recent_trends, trend_key
from netcompare.views.scatter import correlation, default_pair, scatter_view

# Fingertips TrendMarkerCalculatorTest: significant and increasing.
COUNTS = [(994, 40299), (1023, 41527), (1199, 42811), (1332, 44064), (1367, 44701)]
PERIODS = [dt.date(2014 + i, 1, 1) for i in range(5)]


def recent(counts: list[tuple[int, int]], periods: list[dt.date]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "practice_id": ["A"] * len(counts),
            "period": periods,
            "numerator": [c[0] for c in counts],
            "denominator": [c[1] for c in counts],
        }
    )


@pytest.mark.parametrize(
    ("polarity", "key"),
    [("high", "increasing_better"), ("low", "increasing_worse"), ("neutral", "increasing")],
)
def test_fingertips_vector_gives_an_increasing_trend_in_the_polaritys_words(polarity, key):
    out = recent_trends(recent(COUNTS, PERIODS), PERIODS, polarity)
    assert out.row(0) == ("A", key)


def test_a_missing_period_or_a_short_series_cannot_be_calculated():
    four = recent(COUNTS[:4], PERIODS[:4])
    assert recent_trends(four, PERIODS[:4], "high")["recent_trend"].item() == (
        "cannot_be_calculated"
    )
    gap = recent(COUNTS[:2] + COUNTS[3:], PERIODS[:2] + PERIODS[3:])
    assert recent_trends(gap, PERIODS, "high")["recent_trend"].item() == "cannot_be_calculated"
    assert trend_key("decreasing", "high") == "decreasing_worse"
    assert trend_key("decreasing", "low") == "decreasing_better"
    assert trend_key("no_change", "high") == "no_change"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(builtin_path("sample"))


def test_the_league_table_shows_the_recent_trend(sample):
    league = league_table(sample, "DM_CAREPLAN", sample.latest_period, ViewOptions("N1"))
    shown = league.shown[RECENT_TREND_COLUMN].to_list()
    assert "↑ increasing & getting better" in shown
    assert set(shown) <= {
        "↑ increasing & getting better",
        "↓ decreasing & getting worse",
        "→ no significant change",
        "cannot be calculated",
    }


def test_bars_are_the_league_tables_rows(sample):
    options = ViewOptions("N1")
    league = league_table(sample, "IMM_MMR1", sample.latest_period, options)
    view = compare_practices_view(league, sample, "IMM_MMR1", sample.latest_period, options)
    assert view.bars["practice_id"].to_list() == league.table["practice_id"].to_list()
    assert view.bars["value"].to_list() == league.table["value"].to_list()
    assert view.target == 0.95
    assert view.line_choices == ("all",)  # the sample's one area is every practice
    by_name = compare_practices_view(
        league,
        sample,
        "IMM_MMR1",
        sample.latest_period,
        options,
        sort=SORT_NAME,
        scope=SCOPE_NETWORK,
    )
    assert by_name.bars["network_id"].unique().to_list() == ["N1"]
    assert by_name.bars["label"].to_list() == sorted(by_name.bars["label"], key=str.lower)
    csv = view.data_shown
    assert csv["Value (%)"].to_list() == [round(v * 100, 2) for v in league.table["value"]]
    assert view.pick("P001") is not None and view.pick("nobody") is None


def test_correlation_is_scipys(sample):
    x, y = default_pair(sample, "Type 2 diabetes")
    assert x != y
    view = scatter_view(sample, x, y, sample.latest_period, ViewOptions("N1"))
    xs, ys = view.points["x_value"].to_list(), view.points["y_value"].to_list()
    assert view.correlation.n == len(xs) == 36
    assert view.correlation.pearson == pytest.approx(stats.pearsonr(xs, ys).statistic, abs=1e-12)
    assert view.correlation.spearman == pytest.approx(stats.spearmanr(xs, ys).statistic, abs=1e-12)
    assert correlation([0.1, 0.2], [0.3, 0.4]).pearson is None  # too few practices
    assert correlation([0.1, 0.1, 0.1], [0.3, 0.4, 0.5]).pearson is None  # constant
