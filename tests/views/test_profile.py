"""The practice profile view: every number equals the league table's, the Networks page's or
the statistics core's for the same indicator and period."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from netcompare.data.builtin import builtin_path
from netcompare.data.load import load_dataset
from netcompare.stats.trend import trend_marker
from netcompare.views.common import LABEL_CODES, ViewOptions, effective_counts
from netcompare.views.league import league_table
from netcompare.views.networks import network_summary
from netcompare.views.profile import (
    PROFILE_SCHEMA,
    profile_view,
    recent_trend,
    spread,
    trend_words,
)

HIDDEN = "P029"  # sample_data/practices.csv: share_name false, network N7
HIDDEN_NAME = "Pepper Street Surgery"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(builtin_path("sample"))


@pytest.mark.parametrize(
    ("practice_id", "network_id", "centre", "method", "net"),
    [
        ("P003", "N1", "all", "arcsine-od", False),
        ("P012", "all", "all", "arcsine-od", False),
        ("P005", "N1", "network", "wilson", False),
        ("P020", "N4", "target", "arcsine", True),
    ],
    ids=["N1-default", "all-networks", "network-benchmark-wilson", "target-net-of-exceptions"],
)
def test_values_are_the_league_tables(sample, practice_id, network_id, centre, method, net):
    options = ViewOptions(network_id=network_id, net_of_exceptions=net)
    profile = profile_view(sample, practice_id, options, benchmark=centre, method=method)
    assert profile.rows.schema == PROFILE_SCHEMA
    assert profile.rows.height == sample.indicators.height == 16
    for row in profile.rows.iter_rows(named=True):
        indicator_id = row["indicator_id"]
        period = sample.periods(indicator_id)[-1]
        assert row["period"] == period
        league = league_table(
            sample, indicator_id, period, options, benchmark=centre, method=method
        )
        mine = league.table.filter(pl.col("practice_id") == practice_id).row(0, named=True)
        for column in ("numerator", "denominator", "rag", "verdict"):
            assert row[column] == mine[column], (indicator_id, column)
        for column in ("value", "ci95_lower", "ci95_upper"):
            assert row[column] == pytest.approx(mine[column], abs=1e-12), (indicator_id, column)
        assert row["benchmark"] == pytest.approx(league.comparison.summary.benchmark, abs=1e-12)
        values = league.table.get_column("value").to_numpy()
        assert row["practices"] == values.size
        # Percentiles: R type 7, which is numpy's "linear" method and polars' "linear".
        expected = np.quantile(values, [0, 0.25, 0.75, 1], method="linear")
        got = [row["minimum"], row["q25"], row["q75"], row["maximum"]]
        assert got == pytest.approx(expected.tolist(), abs=1e-12)
        series = league.table.get_column("value")
        assert row["q25"] == pytest.approx(series.quantile(0.25, "linear"), abs=1e-12)
        assert row["q75"] == pytest.approx(series.quantile(0.75, "linear"), abs=1e-12)


def test_a_caption_and_the_table_say_the_period_and_method(sample):
    profile = profile_view(sample, "P003", ViewOptions(network_id="N1"))
    assert "latest period of each (Sep 2026)" in profile.caption
    assert "R type 7" in profile.caption
    assert "Limekiln Fields, pooled" in profile.caption
    shown = profile.shown
    assert shown.columns == [
        "Indicator",
        "Period",
        "Numerator",
        "Denominator",
        "Value %",
        "95% CI %",
        "RAG",
        "vs benchmark",
        "Recent trend (5 periods)",
        "Network average %",
        "Benchmark %",
        "Flag",
    ]
    assert set(shown.get_column("Period")) == {"Sep 2026"}
    assert "P003" not in profile.csv() and "Gasholder" not in profile.csv()


def test_network_average_is_the_networks_pages_pooled_average(sample):
    options = ViewOptions(network_id="N1")
    profile = profile_view(sample, "P003", options)
    practices = pl.read_csv(builtin_path("sample") / "practices.csv")
    mine = practices.filter(pl.col("network_id") == "N1").get_column("practice_id")
    for row in profile.rows.iter_rows(named=True):
        summary = network_summary(sample, row["indicator_id"], row["period"], options)
        page = summary.networks.filter(pl.col("network_id") == "N1").item(0, "value")
        assert row["network_value"] == pytest.approx(page, abs=1e-12)
        # ... which is Σ numerator / Σ denominator of the network's practices (from the files).
        counts = effective_counts(sample.slice(row["indicator_id"], row["period"]), False).filter(
            pl.col("practice_id").is_in(mine.implode())
        )
        pooled = counts["numerator"].sum() / counts["denominator"].sum()
        assert row["network_value"] == pytest.approx(pooled, abs=1e-12)
        # Not the mean of the practices' rates.
        assert row["network_value"] != pytest.approx(counts["value"].mean(), abs=1e-9)


def test_recent_trend_is_the_fingertips_marker_of_the_last_five_periods(sample):
    profile = profile_view(sample, "P005", ViewOptions(network_id="N1"))
    seen = set()
    for row in profile.rows.iter_rows(named=True):
        periods = sample.periods(row["indicator_id"])[-5:]
        values = sample.values.filter(
            (pl.col("practice_id") == "P005")
            & (pl.col("indicator_id") == row["indicator_id"])
            & pl.col("period").is_in(pl.Series(periods).implode())
        ).sort("period")
        assert values.height == 5
        expected = trend_marker(values["numerator"].to_numpy(), values["denominator"].to_numpy())
        assert row["trend"] == expected.direction
        assert row["trend_words"] == trend_words(expected.direction, row["polarity"])
        seen.add(row["trend"])
    # The sample's improving trends give at least one significant marker.
    assert "increasing" in seen or "decreasing" in seen


def test_trend_words_follow_polarity():
    assert trend_words("increasing", "high") == "↑ Increasing and getting better"
    assert trend_words("increasing", "low") == "↑ Increasing and getting worse"
    assert trend_words("decreasing", "low") == "↓ Decreasing and getting better"
    assert trend_words("decreasing", "neutral") == "↓ Decreasing"
    assert trend_words("no_change", "high") == "→ No significant change"
    assert trend_words("cannot_be_calculated", "high", 1).startswith("Cannot be calculated (")


def test_trend_needs_five_periods_with_data(sample):
    period = sample.periods("IMM_MMR1")[-1]
    full = recent_trend(sample, "P005", "IMM_MMR1", period, ViewOptions())
    assert full.direction != "cannot_be_calculated"
    early = sample.periods("IMM_MMR1")[3]  # only 4 periods up to here
    assert recent_trend(sample, "P005", "IMM_MMR1", early, ViewOptions()).chi2 is None


def test_spread_is_r_type_7():
    # METHODS.md section 5: values 1..50 give bounds [1, 10.8, 20.6, 30.4, 40.2, 50] at
    # 0, 0.2, …, 1; the quartiles of 1..50 by type 7 are 13.25 and 37.75.
    assert spread(pl.Series(range(1, 51), dtype=pl.Float64)) == pytest.approx((1, 13.25, 37.75, 50))
    assert spread(pl.Series([None, 0.5], dtype=pl.Float64)) == (0.5, 0.5, 0.5, 0.5)
    assert spread(pl.Series([], dtype=pl.Float64)) is None


def test_a_practice_that_does_not_share_its_name_is_a_letter_outside_its_network(sample):
    outside = profile_view(sample, HIDDEN, ViewOptions(network_id="N1"))
    assert outside.hidden
    assert outside.label.startswith("Practice ")
    assert HIDDEN_NAME not in outside.title + outside.subtitle + outside.caption
    assert HIDDEN_NAME not in outside.csv() and HIDDEN not in outside.csv()
    own = profile_view(sample, HIDDEN, ViewOptions(network_id="N7"))
    assert not own.hidden
    assert own.title == f"Practice profile: {HIDDEN_NAME}"
    codes = profile_view(sample, "P003", ViewOptions(network_id="N1", labels=LABEL_CODES))
    assert codes.title == "Practice profile: P003"


def test_care_package_and_unknown_practice(sample):
    diabetes = profile_view(sample, "P003", ViewOptions(), care_package="Type 2 diabetes")
    assert set(diabetes.rows.get_column("care_package")) == {"Type 2 diabetes"}
    assert diabetes.rows.height == 4
    with pytest.raises(KeyError):
        profile_view(sample, "NOPE", ViewOptions())
