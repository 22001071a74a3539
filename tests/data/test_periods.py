"""Period labels -> periods (start, kind, label): one parser for every file."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from netcompare.data.inputs import (
    Period,
    option_date,
    parse_period,
    period_columns,
    period_start,
    qof_year,
    year_from_file_name,
)
from netcompare.errors import UserError


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
    assert period_start(label) == start


@pytest.mark.parametrize(
    "label", ["2022/24", "22/23", "2022-13", "Q1 2022", "Smarch 2022", "2022/23 Q5", "", None]
)
def test_unknown_periods_are_not_guessed(label: str | None) -> None:
    assert parse_period(label) is None


def test_period_columns_parse_each_label() -> None:
    frame = pl.DataFrame({"p": ["2022/23", "2021/22", "2022/23", "what", None, "2022-05"]})
    parsed = period_columns(frame, "p")
    assert parsed.get_column("period").to_list() == [
        dt.date(2022, 4, 1),
        dt.date(2021, 4, 1),
        dt.date(2022, 4, 1),
        None,
        None,
        dt.date(2022, 5, 1),
    ]
    assert parsed.get_column("period_type").to_list() == [
        "financial_year",
        "financial_year",
        "financial_year",
        None,
        None,
        "month",
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


@pytest.mark.parametrize(
    ("label", "period"),
    [
        ("2023-01", Period(dt.date(2023, 1, 1), "month", "Jan 2023")),
        ("2023-01-01", Period(dt.date(2023, 1, 1), "month", "Jan 2023")),
        ("Jan-23", Period(dt.date(2023, 1, 1), "month", "Jan 2023")),
        ("Jan 2023", Period(dt.date(2023, 1, 1), "month", "Jan 2023")),
        ("January 2023", Period(dt.date(2023, 1, 1), "month", "Jan 2023")),
        ("2022-23", Period(dt.date(2022, 4, 1), "financial_year", "2022-23")),
        ("2022/23", Period(dt.date(2022, 4, 1), "financial_year", "2022-23")),
        ("FY 2022/23", Period(dt.date(2022, 4, 1), "financial_year", "2022-23")),
        ("2022", Period(dt.date(2022, 1, 1), "year", "2022")),
        ("2022/23 Q2", Period(dt.date(2022, 7, 1), "quarter", "2022/23 Q2")),
        ("2022 Q2", Period(dt.date(2022, 4, 1), "quarter", "2022 Q2")),
    ],
)
def test_a_year_stays_a_year(label: str, period: Period) -> None:
    assert parse_period(label) == period


def test_qof_year_is_a_financial_year_not_april() -> None:
    period = parse_period("2022-23")
    assert period is not None and period.kind == "financial_year" and period.label == "2022-23"
    assert period.label != "Apr 2022"


def test_option_date() -> None:
    assert option_date("2024-03", "--period") == dt.date(2024, 3, 1)
    assert option_date("2024-03-01", "--period") == dt.date(2024, 3, 1)
    assert option_date("2022-23", "--period") == dt.date(2022, 4, 1)
    with pytest.raises(UserError, match="--period must be a date like 2024-03-01"):
        option_date("soon", "--period")
