"""Period labels of public files -> period start dates."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from netcompare.data.importers.periods import (
    parse_period,
    period_column,
    qof_year,
    year_from_file_name,
)


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("2022/23", dt.date(2022, 4, 1)),
        ("2022-23", dt.date(2022, 4, 1)),
        ("2019/2020", dt.date(2019, 4, 1)),
        (" 2022 / 23 ", dt.date(2022, 4, 1)),
        ("1999/00", dt.date(1999, 4, 1)),
        ("2022", dt.date(2022, 1, 1)),
        ("2022/23 Q1", dt.date(2022, 4, 1)),
        ("2022/23 Q4", dt.date(2023, 1, 1)),
        ("2022 Q3", dt.date(2022, 7, 1)),
        ("2022-05", dt.date(2022, 5, 1)),
        ("May 2022", dt.date(2022, 5, 1)),
        ("September 2021", dt.date(2021, 9, 1)),
        ("2022-05-17", dt.date(2022, 5, 17)),
        ("2018 - 20", dt.date(2018, 1, 1)),
        ("2018/19 - 20/21", dt.date(2018, 4, 1)),
    ],
)
def test_parse_period(label: str, start: dt.date) -> None:
    assert parse_period(label) == start


@pytest.mark.parametrize(
    "label", ["2022/24", "22/23", "2022-13", "Q1 2022", "Smarch 2022", "2022/23 Q5", "", None]
)
def test_unknown_periods_are_not_guessed(label: str | None) -> None:
    assert parse_period(label) is None


def test_period_column_parses_each_label() -> None:
    frame = pl.DataFrame({"p": ["2022/23", "2021/22", "2022/23", "what", None]})
    assert period_column(frame, "p").to_list() == [
        dt.date(2022, 4, 1),
        dt.date(2021, 4, 1),
        dt.date(2022, 4, 1),
        None,
        None,
    ]


def test_qof_year() -> None:
    assert qof_year("2022-23") == ("2022-23", dt.date(2022, 4, 1))
    assert qof_year("2223") == ("2022-23", dt.date(2022, 4, 1))
    assert qof_year("2021/22") == ("2021-22", dt.date(2021, 4, 1))
    with pytest.raises(ValueError, match="not a QOF year"):
        qof_year("2022")
    with pytest.raises(ValueError, match="not a QOF year"):
        qof_year("2224")


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("ACHIEVEMENT_2122.csv", "2021-22"),
        ("ACHIEVEMENT_LONDON_2223.csv", "2022-23"),
        ("data/ACHIEVEMENT_NORTH_EAST_AND_YORKSHIRE_2324.csv.gz", "2023-24"),
        ("PREVALENCE_2223.csv", "2022-23"),
        ("MAPPING_INDICATORS_2021_v2.csv", "2020-21"),
        ("achievement.csv", None),
        ("ACHIEVEMENT_2024.csv", None),
    ],
)
def test_year_from_file_name(name: str, year: str | None) -> None:
    assert year_from_file_name(name) == year
