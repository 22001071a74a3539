"""The mapped-CSV importer on a real council extract (West Sussex COVER GP immunisations)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.importers import CsvMapping, InputFile, import_mapped_csv
from netcompare.data.importers.mapped_csv import csv_columns, parse_target
from netcompare.data.load import load_dataset, write_dataset
from netcompare.errors import UserError
from tests.importers.conftest import COVER

COVER_MAPPING = CsvMapping(
    practice_col="ODS_Code",
    numerator_col="Numerator",
    denominator_col="Denominator",
    network_col="PCN_Code",
    network_name_col="PCN_Name",
    indicator_cols=("Age", "Item"),
    period_col="Year",
    practice_name_col="ODS_Name",
    target=0.95,
)


@pytest.fixture(scope="module")
def cover():
    return import_mapped_csv(COVER, COVER_MAPPING)


def test_cover_counts(cover) -> None:
    report = cover.report
    assert report.rows_read == 3712
    assert report.practices == 81
    assert report.indicators == 15
    assert report.periods == [dt.date(2019, 4, 1), dt.date(2020, 4, 1), dt.date(2021, 4, 1)]
    # 3,712 rows - 43 without numerator or denominator - 258 repeats of six practices
    # listed under two PCNs
    assert report.values == 3712 - 43 - 258


def test_rows_without_counts_are_left_out_with_reasons(cover) -> None:
    left = cover.report.left_out
    assert left.height == 43
    counts = dict(left.group_by("reason").len().rows())
    assert counts == {"numerator and denominator are blank": 25, "numerator is blank": 18}
    first = left.row(0, named=True)
    assert first["row"] == 2240
    assert first["what"].startswith("practice H82083, 12 months - DTaPIPVHibHepB, 2020/21")


def test_decimal_numerators_are_rounded_with_a_warning(cover) -> None:
    note = next(n for n in cover.report.notes if "rounded" in n)
    assert note.startswith("22 numerator value(s) were not whole numbers")
    assert "row 161: numerator 88.0000000000001 is not a whole number: rounded to 88" in note
    values = cover.tables["values"]
    assert values.get_column("numerator").dtype == pl.Int64


def test_practice_under_two_networks_is_counted_once(cover) -> None:
    note = next(n for n in cover.report.notes if "more than one network" in n)
    for code in ("H82014", "H82043", "H82058", "H82066", "H82099", "H82100"):
        assert code in note
    values = cover.tables["values"]
    assert values.select("practice_id", "indicator_id", "period").is_unique().all()
    h82100 = values.filter(
        (pl.col("practice_id") == "H82100")
        & (pl.col("indicator_id") == "5_YEARS_MMR1")
        & (pl.col("period") == dt.date(2021, 4, 1))
    )
    assert h82100.select("numerator", "denominator").rows() == [(106, 112)]
    practices = dict(cover.tables["practices"].select("practice_id", "network_id").rows())
    assert practices["H82100"] == "U04725"  # the first listed: both appear every year
    repeat_note = next(n for n in cover.report.notes if "repeated row" in n)
    assert repeat_note.startswith("258 repeated row(s)")


def test_indicators_names_and_target(cover) -> None:
    indicators = {r["indicator_id"]: r for r in cover.tables["indicators"].to_dicts()}
    mmr = indicators["24_MONTHS_MMR1"]
    assert mmr["name"] == "24 months - MMR1"
    assert mmr["target"] == 0.95
    assert mmr["polarity"] == "high"
    names = dict(cover.tables["practices"].select("practice_id", "practice_name").rows())
    assert names["H82006"] == "The Petworth Surgery"


def test_cover_output_loads(cover, tmp_path: Path) -> None:
    out = write_dataset(tmp_path / "cover", cover.tables, metadata=cover.metadata)
    data = load_dataset(out)
    assert data.summary()["values"] == cover.report.values
    assert data.slice("24_MONTHS_MMR1", dt.date(2021, 4, 1)).height > 70


def small_csv(text: str) -> InputFile:
    return InputFile("extract.csv", text.replace("\n", "\r\n").encode())


def test_fixed_indicator_and_period_and_no_network() -> None:
    data = small_csv("code,name,vaccinated,eligible\nP1,One,9,10\nP2,Two,7,10\n")
    mapping = CsvMapping(
        practice_col="code",
        numerator_col="vaccinated",
        denominator_col="eligible",
        indicator="Flu 65+",
        period="2023/24",
        practice_name_col="name",
    )
    result = import_mapped_csv(data, mapping)
    assert result.tables["indicators"].get_column("indicator_id").to_list() == ["FLU_65"]
    assert result.report.periods == [dt.date(2023, 4, 1)]
    assert result.tables["networks"].get_column("network_name").to_list() == ["All practices"]
    assert any("no network column" in n for n in result.report.notes)


def test_conflicting_duplicates_are_left_out_by_practice_code() -> None:
    data = small_csv("code,net,n,d\nP1,N1,9,10\nP1,N1,8,10\nP2,N1,5,10\nP2,N1,5,10\nP3,N1,1,2\n")
    mapping = CsvMapping(
        practice_col="code",
        numerator_col="n",
        denominator_col="d",
        network_col="net",
        indicator="X",
        period="2023",
    )
    result = import_mapped_csv(data, mapping)
    values = result.tables["values"]
    assert values.get_column("practice_id").to_list() == ["P2", "P3"]
    left = result.report.left_out
    assert left.get_column("row").to_list() == [2, 3]
    assert left.get_column("what").to_list()[0].startswith("practice P1")
    assert any("P2" in n and "counted once" in n for n in result.report.notes)


def test_bad_counts_are_left_out_not_guessed() -> None:
    data = small_csv('code,n,d\nP1,*,10\nP2,5,0\nP3,-1,10\nP4,12,10\nP5,"1,200","1,500"\nP6,3,x\n')
    mapping = CsvMapping(
        practice_col="code", numerator_col="n", denominator_col="d", indicator="X", period="2023"
    )
    result = import_mapped_csv(data, mapping)
    assert result.tables["values"].select("practice_id", "numerator", "denominator").rows() == [
        ("P5", 1200, 1500)
    ]
    reasons = dict(result.report.left_out.select("row", "reason").rows())
    assert reasons == {
        2: "numerator is '*' (suppressed or missing)",
        3: "denominator is 0 (no eligible patients)",
        4: "negative numerator or denominator",
        5: "numerator greater than denominator",
        7: "denominator is not a number: 'x'",
    }


def test_exceptions_column() -> None:
    data = small_csv("code,n,d,e\nP1,8,10,1\nP2,9,10,2\nP3,1,10,11\n")
    mapping = CsvMapping(
        practice_col="code",
        numerator_col="n",
        denominator_col="d",
        exceptions_col="e",
        indicator="X",
        period="2023",
    )
    result = import_mapped_csv(data, mapping)
    assert result.tables["values"].select("practice_id", "exceptions").rows() == [("P1", 1)]
    reasons = result.report.left_out.get_column("reason").to_list()
    assert reasons[0] == "numerator greater than denominator - exceptions"
    assert reasons[1].startswith("exceptions greater than the denominator")
    result.to_dataset()  # what is kept passes the data set's rules


def test_unknown_period_rows_are_left_out() -> None:
    data = small_csv("code,p,n,d\nP1,2023/24,1,2\nP2,sometime,1,2\n")
    mapping = CsvMapping(
        practice_col="code", numerator_col="n", denominator_col="d", indicator="X", period_col="p"
    )
    result = import_mapped_csv(data, mapping)
    assert result.report.left_out.get_column("reason").item(0).startswith("period not understood")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"indicator": None}, "either the indicator column"),
        ({"indicator_cols": ("Item",)}, "either the indicator column"),
        ({"period": None}, "either the period column"),
        ({"period": "soon"}, "not a period"),
        ({"polarity": "up"}, "polarity must be"),
        ({"target": 95.0}, "between 0 and 1"),
    ],
)
def test_impossible_mappings(changes: dict, message: str) -> None:
    base = {
        "practice_col": "code",
        "numerator_col": "n",
        "denominator_col": "d",
        "indicator": "X",
        "period": "2023",
    }
    base.update(changes)
    with pytest.raises(UserError, match=message):
        import_mapped_csv(small_csv("code,n,d\nP1,1,2\n"), CsvMapping(**base))


def test_unknown_column_lists_the_columns() -> None:
    mapping = CsvMapping(
        practice_col="Practice",
        numerator_col="n",
        denominator_col="d",
        indicator="X",
        period="2023",
    )
    with pytest.raises(
        UserError,
        match=r"no column 'Practice' \(given as --practice-col\); "
        "the file has: code, n, d",
    ):
        import_mapped_csv(small_csv("code,n,d\nP1,1,2\n"), mapping)


def test_columns_match_ignoring_case() -> None:
    mapping = CsvMapping(
        practice_col="CODE", numerator_col="N", denominator_col="D", indicator="X", period="2023"
    )
    assert import_mapped_csv(small_csv("code,n,d\nP1,1,2\n"), mapping).report.values == 1


def test_mapping_from_a_form() -> None:
    mapping = CsvMapping.from_dict(
        {
            "practice_col": "ODS_Code",
            "numerator_col": "Numerator",
            "denominator_col": "Denominator",
            "indicator_cols": ["Age", "Item"],
            "period_col": "Year",
            "network_col": " ",
            "target": "95%",
        }
    )
    assert mapping.network_col is None
    assert mapping.indicator_cols == ("Age", "Item")
    assert mapping.target == 0.95
    with pytest.raises(UserError, match="choose the numerator column"):
        CsvMapping.from_dict({"practice_col": "a", "numerator_col": "", "denominator_col": "d"})
    with pytest.raises(UserError, match="unknown column mapping"):
        CsvMapping.from_dict({"practice": "a"})


def test_csv_columns_and_targets() -> None:
    assert csv_columns(COVER)[:3] == ["Year", "ODS_Code", "Age"]
    assert parse_target("95%") == 0.95
    assert parse_target("0.8") == 0.8
    with pytest.raises(UserError, match="write it as a proportion"):
        parse_target("high")
