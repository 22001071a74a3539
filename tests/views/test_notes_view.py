"""The Peer notes page's views: significantly better practices and the most improved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.dataset import DataSet
from netcompare.views.common import LABEL_LETTERS, ViewOptions
from netcompare.views.notes import (
    IMPROVED_SCHEMA,
    STANDOUT_SCHEMA,
    improvement_baseline,
    months_before,
    most_improved,
    practice_label_map,
    significantly_better,
)
from tests.app.tiny_datasets import load_tables

IND = "X"


def _month(i: int) -> dt.date:
    """Month i after Jan 2024 (i = 0 -> 2024-01-01)."""
    year, month = divmod(i, 12)
    return dt.date(2024 + year, month + 1, 1)


@pytest.fixture
def _dataset(tmp_path: Path) -> Callable[..., DataSet]:
    """Makes a data set from value rows, loaded from CSV files as the app loads one."""
    made = iter(range(1000))

    def make(values: list[tuple[str, dt.date, int, int, int]], polarity: str = "high"):
        return _load(tmp_path / f"data{next(made)}", values, polarity)

    return make


def _load(folder: Path, values: list[tuple[str, dt.date, int, int, int]], polarity: str) -> DataSet:
    """Practices A..F in networks N1 (A-C) and N2 (D-F); one indicator X."""
    ids = ["A", "B", "C", "D", "E", "F"]
    networks = pl.DataFrame(
        {"network_id": ["N1", "N2"], "network_name": ["North", "South"], "parent_area": "Town"}
    )
    practices = pl.DataFrame(
        {
            "practice_id": ids,
            "practice_name": [f"{p} Surgery" for p in ids],
            "network_id": ["N1", "N1", "N1", "N2", "N2", "N2"],
            "list_size": [5000] * 6,
            "share_name": [True] * 6,
        }
    )
    indicators = pl.DataFrame(
        {
            "indicator_id": [IND],
            "name": ["Indicator X"],
            "care_package": ["Test"],
            "description": [None],
            "polarity": [polarity],
            "target": [None],
            "amber_threshold": [None],
            "network_target": [None],
            "source": ["test"],
        },
        schema_overrides={
            "description": pl.String,
            "target": pl.Float64,
            "amber_threshold": pl.Float64,
            "network_target": pl.Float64,
        },
    )
    frame = pl.DataFrame(
        values,
        schema={
            "practice_id": pl.String,
            "period": pl.Date,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "exceptions": pl.Int64,
        },
        orient="row",
    ).with_columns(pl.lit(IND).alias("indicator_id"))
    tables = {
        "networks": networks,
        "practices": practices,
        "indicators": indicators,
        "values": frame.select(
            "practice_id", "indicator_id", pl.exclude("practice_id", "indicator_id")
        ),
    }
    return load_tables(folder, tables, name="test data")


# -- significantly better -------------------------------------------------------------------

# One period: A far above the pooled 50%, F far below, the rest at it.
ONE_PERIOD = [
    ("A", _month(0), 900, 1000, 0),
    ("B", _month(0), 500, 1000, 0),
    ("C", _month(0), 505, 1000, 0),
    ("D", _month(0), 495, 1000, 0),
    ("E", _month(0), 500, 1000, 0),
    ("F", _month(0), 100, 1000, 0),
]


def test_significantly_better_keeps_only_practices_above_the_pooled_benchmark(
    _dataset: Callable[..., DataSet],
) -> None:
    data = _dataset(ONE_PERIOD)
    result = significantly_better(data, IND, _month(0), ViewOptions(network_id="N1"))
    assert result.table.schema == STANDOUT_SCHEMA
    assert result.table["practice_id"].to_list() == ["A"]
    assert result.table["comparison"].to_list() == ["best"]
    assert result.table["in_network"].to_list() == [True]
    assert result.table["label"].to_list() == ["A Surgery"]
    assert "all practices" in result.comparison.benchmark_label
    # the comparison keeps every practice, so the page can say how many were compared
    assert result.comparison.table.height == 6
    assert result.heading.startswith("Doing significantly better")


def test_low_is_good_picks_the_practice_significantly_below(
    _dataset: Callable[..., DataSet],
) -> None:
    data = _dataset(ONE_PERIOD, polarity="low")
    result = significantly_better(data, IND, _month(0), ViewOptions())
    assert result.table["practice_id"].to_list() == ["F"]
    assert result.table["comparison"].to_list() == ["best"]


def test_neutral_indicator_lists_significantly_higher_and_says_so(
    _dataset: Callable[..., DataSet],
) -> None:
    data = _dataset(ONE_PERIOD, polarity="neutral")
    result = significantly_better(data, IND, _month(0), ViewOptions())
    assert result.table["practice_id"].to_list() == ["A"]
    assert result.table["comparison"].to_list() == ["higher"]
    assert "higher" in result.heading


def test_significance_needs_the_whole_95_interval_clear_of_the_benchmark(
    _dataset: Callable[..., DataSet],
) -> None:
    # B is 60% of 20: above the pooled value but its Wilson interval still covers it.
    rows = [
        ("A", _month(0), 700, 1000, 0),
        ("B", _month(0), 12, 20, 0),
        ("C", _month(0), 500, 1000, 0),
        ("D", _month(0), 450, 1000, 0),
        ("E", _month(0), 500, 1000, 0),
        ("F", _month(0), 500, 1000, 0),
    ]
    data = _dataset(rows)
    result = significantly_better(data, IND, _month(0), ViewOptions())
    assert result.table["practice_id"].to_list() == ["A"]
    b = result.comparison.table.filter(pl.col("practice_id") == "B")
    assert b["comparison"].item() == "similar"


def test_anonymised_standouts_are_letters(_dataset: Callable[..., DataSet]) -> None:
    data = _dataset(ONE_PERIOD)
    result = significantly_better(data, IND, _month(0), ViewOptions(labels=LABEL_LETTERS))
    assert result.table["label"].to_list() == ["Practice A"]
    labels = practice_label_map(data, ViewOptions(labels=LABEL_LETTERS))
    assert labels["F"] == "Practice F"
    assert "F Surgery" not in labels.values()


# -- most improved --------------------------------------------------------------------------


def _series(pid: str, start: int, stop: int, first: float, last: float, n: int = 200):
    """Monthly rows from month ``start`` to ``stop`` (inclusive), value first -> last."""
    rows = []
    steps = stop - start
    for i in range(start, stop + 1):
        value = first + (last - first) * (i - start) / steps
        rows.append((pid, _month(i), round(value * n), n, 0))
    return rows


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(dt.date(2025, 1, 1), 12) == dt.date(2024, 1, 1)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2025, 3, 31), 13) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2024, 1, 15), 1) == dt.date(2023, 12, 15)


def test_most_improved_is_change_over_twelve_months_largest_first(
    _dataset: Callable[..., DataSet],
) -> None:
    rows = (
        _series("A", 0, 14, 0.40, 0.70)  # +0.3 over 15 months; +0.24 over the last 12
        + _series("B", 0, 14, 0.50, 0.55)
        + _series("C", 0, 14, 0.80, 0.60)  # got worse
        + _series("D", 5, 14, 0.30, 0.50)  # starts inside the window: baseline is month 5
        + _series("E", 0, 1, 0.10, 0.10)  # nothing now
        + _series("F", 0, 14, 0.50, 0.50)  # no change
    )
    data = _dataset(rows)
    now = _month(14)
    assert improvement_baseline(data, IND, now)[0] == _month(2)
    table = most_improved(data, IND, now, ViewOptions(network_id="N2"), top=None)
    assert dict(table.schema) == dict(IMPROVED_SCHEMA)
    assert table["practice_id"].to_list() == ["A", "D", "B"]
    a = table.row(0, named=True)
    assert a["baseline_period"] == _month(2)
    assert a["baseline_value"] == pytest.approx(round(200 * (0.40 + 0.30 * 2 / 14)) / 200)
    assert a["value"] == pytest.approx(0.70)
    assert a["change"] == pytest.approx(a["value"] - a["baseline_value"])
    assert a["improvement"] == pytest.approx(a["change"])
    d = table.row(1, named=True)
    assert d["baseline_period"] == _month(5)
    assert d["change"] == pytest.approx(0.20)
    assert d["in_network"] is True and a["in_network"] is False
    assert not table["small_n"].any()
    assert most_improved(data, IND, now, ViewOptions(), top=2)["practice_id"].to_list() == [
        "A",
        "D",
    ]


def test_lower_is_better_improvement_is_a_fall(_dataset: Callable[..., DataSet]) -> None:
    rows = _series("A", 0, 12, 0.40, 0.20) + _series("B", 0, 12, 0.30, 0.35)
    data = _dataset(rows, polarity="low")
    table = most_improved(data, IND, _month(12), ViewOptions())
    assert table["practice_id"].to_list() == ["A"]
    assert table["change"].item() == pytest.approx(-0.20)
    assert table["improvement"].item() == pytest.approx(0.20)


def test_neutral_ranks_by_size_of_change(_dataset: Callable[..., DataSet]) -> None:
    rows = _series("A", 0, 12, 0.40, 0.30) + _series("B", 0, 12, 0.30, 0.35)
    data = _dataset(rows, polarity="neutral")
    table = most_improved(data, IND, _month(12), ViewOptions())
    assert table["practice_id"].to_list() == ["A", "B"]
    assert table["improvement"].to_list() == pytest.approx([0.10, 0.05])


def test_annual_data_compares_with_the_previous_year(_dataset: Callable[..., DataSet]) -> None:
    years = [dt.date(2021, 4, 1), dt.date(2022, 4, 1), dt.date(2023, 4, 1)]
    rows = [
        ("A", years[0], 10, 100, 0),
        ("A", years[1], 50, 100, 0),
        ("A", years[2], 60, 100, 0),
        ("B", years[1], 50, 100, 0),
        ("B", years[2], 80, 100, 0),
    ]
    data = _dataset(rows)
    table = most_improved(data, IND, years[2], ViewOptions())
    assert table["practice_id"].to_list() == ["B", "A"]
    assert table["baseline_period"].to_list() == [years[1], years[1]]
    assert table["change"].to_list() == pytest.approx([0.30, 0.10])


def test_no_earlier_period_gives_an_empty_table(_dataset: Callable[..., DataSet]) -> None:
    data = _dataset(ONE_PERIOD)
    table = most_improved(data, IND, _month(0), ViewOptions())
    assert table.height == 0
    assert dict(table.schema) == dict(IMPROVED_SCHEMA)


def test_net_of_exceptions_and_small_denominators(_dataset: Callable[..., DataSet]) -> None:
    rows = [
        ("A", _month(0), 5, 10, 5),  # all patients 50%; net of exceptions 5/5 = 100%
        ("A", _month(12), 9, 10, 0),  # 90%
        ("B", _month(0), 40, 100, 0),
        ("B", _month(12), 50, 100, 0),
    ]
    data = _dataset(rows)
    all_patients = most_improved(data, IND, _month(12), ViewOptions())
    assert all_patients["practice_id"].to_list() == ["A", "B"]
    assert all_patients["change"].to_list() == pytest.approx([0.40, 0.10])
    assert all_patients["small_n"].to_list() == [False, False]
    net = most_improved(data, IND, _month(12), ViewOptions(net_of_exceptions=True))
    assert net["practice_id"].to_list() == ["B"]  # A fell from 100% to 90%
    rows[1] = ("A", _month(12), 8, 9, 0)
    small = most_improved(_dataset(rows), IND, _month(12), ViewOptions())
    assert small.filter(pl.col("practice_id") == "A")["small_n"].item() is True
