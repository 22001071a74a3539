"""An indicator's definition (netcompare.views.definition): every field of a sample
indicator as its row in sample_data/indicators.csv says it, "not given" for what a table
leaves out, polarity and period type in words, and the data set's licence as the fallback."""

from __future__ import annotations

import datetime as dt
import io
import math

import polars as pl
import pytest

from netcompare.data.builtin import builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.load import dataset_from_tables, load_dataset
from netcompare.views.data import INDICATOR_COLUMNS, indicators_display
from netcompare.views.definition import (
    DEFINITION_FIELDS,
    NOT_GIVEN,
    indicator_definition,
    indicators_of_package,
    target_text,
)
from netcompare.views.format import csv_text
from tests.app.apptest_reading import SAMPLE

JAN = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def sample() -> DataSet:
    return load_dataset(SAMPLE)


def sample_row(indicator_id: str) -> dict[str, object]:
    """The indicator's row of sample_data/indicators.csv, read here with polars alone."""
    table = pl.read_csv(SAMPLE / "indicators.csv", infer_schema_length=None)
    return table.filter(pl.col("indicator_id") == indicator_id).row(0, named=True)


def tiny(
    indicators: dict[str, list[object]], *, licence: str | None = "Dataset licence"
) -> DataSet:
    """One practice, one value per indicator, and the indicators table given."""
    ids = indicators["indicator_id"]
    tables = {
        "networks": pl.DataFrame({"network_id": ["N1"], "network_name": ["North"]}),
        "practices": pl.DataFrame(
            {"practice_id": ["A1"], "practice_name": ["Alder"], "network_id": ["N1"]}
        ),
        "indicators": pl.DataFrame(indicators, strict=False),
        "values": pl.DataFrame(
            {
                "practice_id": ["A1"] * len(ids),
                "indicator_id": ids,
                "period": [JAN] * len(ids),
                "numerator": [5] * len(ids),
                "denominator": [10] * len(ids),
            }
        ),
    }
    return dataset_from_tables(tables, source="test", name="Tiny", licence=licence)


def test_every_field_of_a_sample_indicator(sample: DataSet) -> None:
    row = sample_row("IMM_MMR1")
    assert indicator_definition(sample, "IMM_MMR1") == [
        ("Name", "MMR1 by 24 months"),
        ("Code", "IMM_MMR1"),
        ("Description", row["description"]),
        ("Numerator", row["numerator_definition"]),
        ("Denominator", row["denominator_definition"]),
        ("Polarity", "higher is better"),
        ("Target", "95%"),
        ("Amber from", "90%"),
        ("Network target", "95%"),
        ("Period type", "monthly (each period is a calendar month)"),
        ("Care package", "Childhood immunisation"),
        ("Source", "netcompare sample generator (fictional)"),
        ("Licence", "CC0 1.0: invented data, free to use"),
    ]
    assert "first dose of MMR" in str(row["numerator_definition"])
    assert "exceptions" in str(row["denominator_definition"])


def test_every_sample_indicator_is_fully_defined(sample: DataSet) -> None:
    """The migrated sample: no indicator lacks a numerator, denominator or licence."""
    for indicator_id in sample.indicators.get_column("indicator_id"):
        rows = dict(indicator_definition(sample, indicator_id))
        assert list(rows) == list(DEFINITION_FIELDS)
        assert NOT_GIVEN not in rows.values(), indicator_id
        assert all(text and text.strip() for text in rows.values())
        assert rows["Licence"] == "CC0 1.0: invented data, free to use"


def test_lower_is_better_without_a_target(sample: DataSet) -> None:
    rows = dict(indicator_definition(sample, "COPD_SMOKER"))
    assert rows["Polarity"] == "lower is better"
    assert (rows["Target"], rows["Amber from"], rows["Network target"]) == ("none",) * 3
    assert "no exceptions" in rows["Denominator"]


def test_missing_fields_say_not_given_never_blank_none_or_nan() -> None:
    data = tiny(
        {
            "indicator_id": ["BARE", "BLANK"],
            "name": ["Bare", "Blank"],
            "care_package": ["Pack", "Pack"],
            "description": [None, "   "],
            "numerator_definition": [None, ""],
            "denominator_definition": [None, " "],
            "source": [None, ""],
            "target": [None, None],
        },
        licence=None,
    )
    for indicator_id in ("BARE", "BLANK"):
        rows = dict(indicator_definition(data, indicator_id))
        for field in ("Description", "Numerator", "Denominator", "Source", "Licence"):
            assert rows[field] == NOT_GIVEN, (indicator_id, field)
        assert rows["Target"] == "none"
        assert rows["Polarity"] == "higher is better"  # the schema's default
        assert rows["Period type"] == "monthly (each period is a calendar month)"
        for text in rows.values():
            assert text.strip(), (indicator_id, rows)
            assert text not in ("None", "nan", "null", "NaN")


@pytest.mark.parametrize(
    ("polarity", "words"),
    [
        ("high", "higher is better"),
        ("low", "lower is better"),
        ("neutral", "neither: no direction is better"),
    ],
)
def test_polarity_in_words(polarity: str, words: str) -> None:
    data = tiny(
        {"indicator_id": ["X"], "name": ["X"], "care_package": ["P"], "polarity": [polarity]}
    )
    assert dict(indicator_definition(data, "X"))["Polarity"] == words


@pytest.mark.parametrize(
    ("period_type", "words"),
    [
        ("month", "monthly (each period is a calendar month)"),
        ("quarter", "quarterly (each period is a calendar quarter)"),
        ("year", "yearly (each period is a calendar year)"),
        ("financial_year", "yearly (each period is a financial year, April to March)"),
    ],
)
def test_period_type_in_words(period_type: str, words: str) -> None:
    data = tiny(
        {"indicator_id": ["X"], "name": ["X"], "care_package": ["P"], "period_type": [period_type]}
    )
    assert dict(indicator_definition(data, "X"))["Period type"] == words


def test_licence_falls_back_to_the_data_sets() -> None:
    data = tiny(
        {
            "indicator_id": ["OWN", "NONE"],
            "name": ["Own licence", "No licence"],
            "care_package": ["P", "P"],
            "licence": ["Own licence v1", None],
        },
        licence="Open Government Licence v3.0",
    )
    assert dict(indicator_definition(data, "OWN"))["Licence"] == "Own licence v1"
    assert dict(indicator_definition(data, "NONE"))["Licence"] == "Open Government Licence v3.0"
    table = indicators_display(data)
    assert table.get_column("Licence").to_list() == [
        "Own licence v1",
        "Open Government Licence v3.0",
    ]


def test_targets_as_percentages_never_rounded_to_another_percent() -> None:
    assert target_text(0.95) == "95%"
    assert target_text(0.925) == "92.5%"
    assert target_text(0.0) == "0%"
    assert target_text(1.0) == "100%"
    assert target_text(None) == "none"
    assert target_text(math.nan) == "none"


def test_unknown_indicator_is_a_key_error(sample: DataSet) -> None:
    with pytest.raises(KeyError):
        indicator_definition(sample, "NO_SUCH")


def test_england_prevalence_definition() -> None:
    england = load_dataset(builtin_path("england-prevalence-2223"))
    rows = dict(indicator_definition(england, "PREV_DM"))
    assert rows["Numerator"] == (
        "Patients on the practice's QOF Diabetes mellitus register (REGISTER)"
    )
    assert rows["Denominator"] == (
        "Registered patients aged 17 or over (PRACTICE_LIST_SIZE of PATIENT_LIST_TYPE 17OV); "
        "a register has no exceptions"
    )
    assert rows["Polarity"] == "neither: no direction is better"
    assert rows["Period type"] == "yearly (each period is a financial year, April to March)"
    assert rows["Source"] == "NHS Digital QOF PREVALENCE 2022-23"
    assert rows["Licence"] == "Open Government Licence v3.0"
    assert rows["Target"] == "none"


def test_indicators_of_a_care_package(sample: DataSet) -> None:
    copd = indicators_of_package(sample, "COPD")
    assert copd == ["COPD_REVIEW", "COPD_REHAB", "COPD_FLU", "COPD_SMOKER"]
    assert indicators_of_package(sample) == sample.indicators["indicator_id"].to_list()


def test_the_data_pages_indicators_table_has_the_definitions(sample: DataSet) -> None:
    table = indicators_display(sample)
    assert table.columns == list(INDICATOR_COLUMNS)
    for column in ("Numerator", "Denominator", "Licence"):
        assert column in table.columns
    csv = pl.read_csv(SAMPLE / "indicators.csv").sort("indicator_id")
    shown = table.sort("Indicator")
    assert shown["Numerator"].to_list() == csv["numerator_definition"].to_list()
    assert shown["Denominator"].to_list() == csv["denominator_definition"].to_list()
    assert shown["Licence"].to_list() == csv["licence"].to_list()
    assert table.null_count().sum_horizontal().item() == 0


def test_the_indicators_download_has_the_definitions_escaped(sample: DataSet) -> None:
    """The Data page's "Download (CSV)" of the indicators table (table_download: csv_text)."""
    frame = indicators_display(sample)
    risky = frame.with_columns(pl.lit("=HYPERLINK(1)").alias("Numerator"))
    written = pl.read_csv(io.StringIO(csv_text(frame)))
    assert written.columns == list(INDICATOR_COLUMNS)
    assert written["Denominator"].to_list() == frame["Denominator"].to_list()
    assert set(pl.read_csv(io.StringIO(csv_text(risky)))["Numerator"]) == {"'=HYPERLINK(1)"}
