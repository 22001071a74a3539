"""The Fingertips importer on exports in the real column layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.importers import import_fingertips
from netcompare.data.load import load_dataset, write_dataset
from netcompare.errors import UserError
from tests.importers.conftest import (
    FINGERTIPS_HEADER,
    PREVALENCE,
    fingertips_row,
    write_csv,
)

PCN_TYPE = "PCNs (v. 26/04/24)"
NET1 = {"Parent_Code": "U50771", "Parent_Name": "Tower Hamlets Network 1 PCN"}
NET8 = {"Parent_Code": "U09193", "Parent_Name": "Tower Hamlets Network 8 PCN"}


def gp(code: str, name: str, count: object, den: object, parent: dict, **more) -> list:
    value = "" if count in ("", None) or den in ("", None) else 100 * float(count) / float(den)
    return fingertips_row(
        Area_Code=code,
        Area_Name=name,
        Area_Type="GPs",
        Count=count,
        Denominator=den,
        Value=value,
        **parent,
        **more,
    )


@pytest.fixture
def practice_export(tmp_path: Path) -> Path:
    rows = [
        fingertips_row(
            Area_Code="E92000001",
            Area_Name="England",
            Area_Type="England",
            Count=2500000,
            Denominator=3400000,
            Value=73.5,
        ),
        fingertips_row(
            Area_Code="U50771",
            Area_Name="Tower Hamlets Network 1 PCN",
            Area_Type=PCN_TYPE,
            Count=2000,
            Denominator=2600,
            Value=76.9,
            Parent_Code="E38000255",
            Parent_Name="NHS North East London ICB",
        ),
        gp("F84016", "The Mission Practice", 300, 400, NET1),
        gp("F84051", "Strouts Place Medical Centre", 150, 210, NET1),
        gp(
            "F84083",
            "Bethnal Green Health Centre",
            "",
            "",
            NET1,
            **{"Value note": "Value suppressed for disclosure control"},
        ),
        gp("F84647", "Roserton Street Surgery", "80.0000001", 100, NET8),
        gp("F84656", "Docklands Medical Centre", 120, 100, NET8),
        gp("F84016", "The Mission Practice", 280, 390, NET1, Time_period="2021/22"),
        gp(
            "F84016",
            "The Mission Practice",
            10,
            20,
            NET1,
            Category_Type="Deprivation",
            Category="Most deprived decile",
        ),
        gp("F84051", "Strouts Place Medical Centre", 1, 2, NET1, Time_period="provisional"),
    ]
    return write_csv(tmp_path / "fingertips_export.csv", FINGERTIPS_HEADER, rows)


def test_practice_level_export(practice_export: Path) -> None:
    result = import_fingertips(practice_export)
    values = result.tables["values"]
    row = values.filter(
        (pl.col("practice_id") == "F84016") & (pl.col("period") == dt.date(2022, 4, 1))
    ).row(0, named=True)
    assert (row["indicator_id"], row["numerator"], row["denominator"]) == ("91280", 300, 400)
    assert row["exceptions"] is None
    assert result.report.periods == [dt.date(2021, 4, 1), dt.date(2022, 4, 1)]
    rounded = values.filter(pl.col("practice_id") == "F84647").row(0, named=True)
    assert rounded["numerator"] == 80
    assert any("rounded" in n for n in result.report.notes)
    practices = dict(result.tables["practices"].select("practice_id", "network_id").rows())
    assert practices == {"F84016": "U50771", "F84051": "U50771", "F84647": "U09193"}
    networks = dict(result.tables["networks"].select("network_id", "network_name").rows())
    assert networks == {
        "U50771": "Tower Hamlets Network 1 PCN",
        "U09193": "Tower Hamlets Network 8 PCN",
    }
    indicator = result.tables["indicators"].row(0, named=True)
    assert indicator["name"].startswith("Percentage of patients with diabetes")
    assert indicator["polarity"] == "neutral"


def test_every_row_not_imported_is_reported(practice_export: Path) -> None:
    left = import_fingertips(practice_export).report.left_out
    reasons = dict(
        zip(left.get_column("row").to_list(), left.get_column("reason").to_list(), strict=True)
    )
    assert reasons[2].startswith("Area Type 'England' is not a compared unit")
    assert reasons[3].startswith("PCN rows in a practice-level export")
    assert reasons[6] == "Count and Denominator are blank"
    assert reasons[8] == "Count greater than Denominator"
    assert reasons[10].startswith("a breakdown row")
    assert reasons[11].startswith("Time period not understood")
    assert len(reasons) == 6


def test_output_loads(practice_export: Path, tmp_path: Path) -> None:
    result = import_fingertips(practice_export, polarity="high")
    out = write_dataset(tmp_path / "out", result.tables, metadata=result.metadata)
    data = load_dataset(out)
    assert data.values.height == 4
    assert data.indicators.get_column("polarity").to_list() == ["high"]
    assert "Fingertips" in data.source


def test_networks_from_a_qof_mapping_file(practice_export: Path, small_mapping: Path) -> None:
    result = import_fingertips(practice_export, mapping=small_mapping)
    networks = dict(result.tables["networks"].select("network_id", "network_name").rows())
    assert networks["U50771"] == "Tower Hamlets Network 1 PCN"
    assert (
        result.tables["networks"].get_column("parent_area").to_list()
        == ["NHS North East London ICB - A3A8R"] * 2
    )


def test_pcn_level_export(tmp_path: Path) -> None:
    parent = {"Parent_Code": "E38000255", "Parent_Name": "NHS North East London ICB"}
    rows = [
        fingertips_row(
            Area_Code="U50771",
            Area_Name="Tower Hamlets Network 1 PCN",
            Area_Type=PCN_TYPE,
            Count=2000,
            Denominator=2600,
            **parent,
        ),
        fingertips_row(
            Area_Code="U09193",
            Area_Name="Tower Hamlets Network 8 PCN",
            Area_Type=PCN_TYPE,
            Count=900,
            Denominator=1300,
            **parent,
        ),
        fingertips_row(
            Area_Code="E38000255",
            Area_Name="NHS North East London ICB",
            Area_Type="ICB sub-locations",
            Count=20000,
            Denominator=26000,
        ),
    ]
    result = import_fingertips(write_csv(tmp_path / "pcns.csv", FINGERTIPS_HEADER, rows))
    assert result.tables["practices"].get_column("practice_id").to_list() == ["U09193", "U50771"]
    assert result.tables["networks"].get_column("network_id").to_list() == ["E38000255"]
    assert any("PCN-level export" in n for n in result.report.notes)
    assert result.report.files[0].layout == "PCNs"
    assert result.report.left_out.height == 1


def test_an_indicator_for_several_sex_groups_is_split(tmp_path: Path) -> None:
    rows = [
        gp("F84016", "The Mission Practice", 30, 40, NET1, Sex="Male"),
        gp("F84016", "The Mission Practice", 35, 45, NET1, Sex="Female"),
    ]
    result = import_fingertips(write_csv(tmp_path / "sex.csv", FINGERTIPS_HEADER, rows))
    indicators = dict(result.tables["indicators"].select("indicator_id", "name").rows())
    assert set(indicators) == {"91280_MALE_17_YRS", "91280_FEMALE_17_YRS"}
    assert indicators["91280_MALE_17_YRS"].endswith("(Male, 17+ yrs)")


def test_no_parent_columns_puts_everyone_in_one_network(tmp_path: Path) -> None:
    header = [c for c in FINGERTIPS_HEADER if c not in ("Parent Code", "Parent Name")]
    rows = [
        [
            v
            for c, v in zip(FINGERTIPS_HEADER, gp("F84016", "Mission", 3, 4, {}), strict=True)
            if c in header
        ]
    ]
    result = import_fingertips(write_csv(tmp_path / "noparent.csv", header, rows))
    assert result.tables["networks"].get_column("network_name").to_list() == [
        "All areas in the file"
    ]


def test_a_rate_is_noted(tmp_path: Path) -> None:
    row = gp("F84016", "Mission", 3, 1000, NET1)
    row[FINGERTIPS_HEADER.index("Value")] = 300.0  # per 100,000
    result = import_fingertips(write_csv(tmp_path / "rate.csv", FINGERTIPS_HEADER, [row]))
    assert any("x 1e+05" in n for n in result.report.notes)


def test_export_without_practices_or_pcns_is_an_error(tmp_path: Path) -> None:
    rows = [
        fingertips_row(
            Area_Code="E92000001", Area_Name="England", Area_Type="England", Count=1, Denominator=2
        )
    ]
    with pytest.raises(UserError, match=r"no GP practice or PCN rows.*England"):
        import_fingertips(write_csv(tmp_path / "eng.csv", FINGERTIPS_HEADER, rows))


def test_missing_count_column_is_an_error(tmp_path: Path) -> None:
    header = [c for c in FINGERTIPS_HEADER if c != "Count"]
    path = write_csv(tmp_path / "nocount.csv", header, [["x"] * len(header)])
    with pytest.raises(UserError, match=r"not a Fingertips data export: missing column.*Count"):
        import_fingertips(path)


def test_a_qof_file_is_named_as_such() -> None:
    with pytest.raises(UserError, match="it looks like a QOF PREVALENCE file"):
        import_fingertips(PREVALENCE)


def test_bad_polarity() -> None:
    with pytest.raises(UserError, match="polarity must be one of"):
        import_fingertips(PREVALENCE, polarity="up")
