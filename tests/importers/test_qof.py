"""The QOF importer on small faithful ACHIEVEMENT files (both layouts) and the real 2022-23
PREVALENCE and MAPPING files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.importers import InputFile, import_qof
from netcompare.data.importers.qof import indicator_reference
from netcompare.data.load import load_dataset, write_dataset
from netcompare.errors import UserError
from tests.importers.conftest import (
    MAPPING,
    PREVALENCE,
    measures,
    national_achievement,
    regional_achievement,
    write_csv,
)

Y2122, Y2223, Y2324 = dt.date(2021, 4, 1), dt.date(2022, 4, 1), dt.date(2023, 4, 1)


def value(result, practice: str, indicator: str, period: dt.date) -> dict | None:
    rows = result.tables["values"].filter(
        (pl.col("practice_id") == practice)
        & (pl.col("indicator_id") == indicator)
        & (pl.col("period") == period)
    )
    return rows.row(0, named=True) if rows.height else None


@pytest.fixture
def three_years(tmp_path: Path, small_mapping: Path) -> dict[str, object]:
    """2021-22 national file, 2022-23 and 2023-24 regional files (London + North East)."""
    national = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        [
            *measures("F84016", "DM012", numerator="280.0", denominator="340.0", pcas="40.0"),
            *measures("F84016", "HYP003", numerator="900", denominator="1200", pcas="100"),
            *measures("F84051", "DM012", numerator="150", denominator="200", pcas="10"),
            *measures("F84016", "DM017", register="420.0"),
        ],
    )
    london_2223 = regional_achievement(
        tmp_path / "ACHIEVEMENT_LONDON_2223.csv",
        "LONDON",
        [
            *measures("F84016", "DM012", numerator="300.0", denominator="350.0", pcas="50.0"),
            *measures("F84016", "HYP003", numerator="950", denominator="1250", pcas="90"),
            # blank NUMERATOR: missing, not zero
            *measures("F84051", "DM012", numerator=None, denominator="210", pcas="12"),
            # blank PCAS: kept, exceptions unknown
            *measures("F84083", "DM012", numerator="120", denominator="160", pcas=None),
            # nobody eligible
            *measures("F84123", "DM012", numerator="0", denominator="0", pcas="0"),
            *measures("F84647", "DM012", numerator="75", denominator="100", pcas="25"),
            # a practice the mapping file does not know
            *measures("Z99999", "DM012", numerator="10", denominator="20", pcas="0"),
            *measures("F84016", "DM017", register="430.0"),
        ],
    )
    north_2223 = regional_achievement(
        tmp_path / "ACHIEVEMENT_NORTH_EAST_AND_YORKSHIRE_2223.csv",
        "NORTH_EAST_AND_YORKSHIRE",
        [
            *measures("A81001", "DM012", numerator="200", denominator="260", pcas="20"),
            *measures("A81633", "DM012", numerator="50", denominator="70", pcas="5"),
            *measures("A84035", "DM012", numerator="40", denominator="50", pcas="2"),
        ],
    )
    london_2324 = regional_achievement(
        tmp_path / "ACHIEVEMENT_LONDON_2324.csv",
        "LONDON",
        [
            *measures("F84016", "DM012", numerator="310", denominator="355", pcas="45"),
            *measures("F84016", "HYP008", numerator="980", denominator="1260", pcas="80"),
        ],
    )
    result = import_qof(
        mapping=small_mapping, achievement=[national, london_2223, north_2223, london_2324]
    )
    return {"result": result, "tmp": tmp_path}


def test_achievement_value_is_numerator_over_denominator_plus_pcas(three_years) -> None:
    result = three_years["result"]
    row = value(result, "F84016", "DM012", Y2223)
    assert row is not None
    assert (row["numerator"], row["denominator"], row["exceptions"]) == (300, 400, 50)
    assert row["numerator"] / row["denominator"] == pytest.approx(0.75)
    # the QOF denominator (net of PCAs) is denominator - exceptions
    assert row["denominator"] - row["exceptions"] == 350


def test_both_layouts_and_three_years_stack_as_periods(three_years) -> None:
    result = three_years["result"]
    report = result.report
    assert report.periods == [Y2122, Y2223, Y2324]
    assert value(result, "F84016", "DM012", Y2122)["numerator"] == 280
    assert value(result, "A81001", "DM012", Y2223)["denominator"] == 280
    assert value(result, "F84016", "DM012", Y2324)["exceptions"] == 45
    layouts = {Path(f.name).name: f.layout for f in report.files}
    assert layouts["ACHIEVEMENT_2122.csv"] == "2021-22, national layout"
    assert layouts["ACHIEVEMENT_LONDON_2223.csv"] == "2022-23, regional layout: London"
    assert layouts["ACHIEVEMENT_NORTH_EAST_AND_YORKSHIRE_2223.csv"].startswith(
        "2022-23, regional layout: North East"
    )


def test_blank_values_are_missing_not_zero_and_reported(three_years) -> None:
    result = three_years["result"]
    assert value(result, "F84051", "DM012", Y2223) is None
    assert value(result, "F84123", "DM012", Y2223) is None
    left = result.report.left_out
    reasons = dict(left.select(pl.col("what"), pl.col("reason")).rows())
    assert reasons["F84051 DM012 2022-23"] == "NUMERATOR blank or absent"
    assert reasons["F84123 DM012 2022-23"] == "no eligible patients (DENOMINATOR + PCAS = 0)"
    row = left.filter(pl.col("what") == "F84051 DM012 2022-23").row(0, named=True)
    assert Path(row["file"]).name == "ACHIEVEMENT_LONDON_2223.csv"
    # the first of its count rows: header is line 1, F84016's two indicators take lines
    # 2-9, F84051's ACHIEVED_POINTS is line 10 and its DENOMINATOR line 11
    assert row["row"] == 11


def test_blank_pcas_keeps_the_value_with_unknown_exceptions(three_years) -> None:
    row = value(three_years["result"], "F84083", "DM012", Y2223)
    assert (row["numerator"], row["denominator"], row["exceptions"]) == (120, 160, None)
    assert any("no PCAS row or a blank PCAS" in n for n in three_years["result"].report.notes)


def test_register_indicators_are_noted_not_imported(three_years) -> None:
    result = three_years["result"]
    ids = set(result.tables["indicators"].get_column("indicator_id").to_list())
    assert ids == {"DM012", "HYP003", "HYP008"}
    assert any("DM017" in n and "register" in n for n in result.report.notes)


def test_practices_join_pcns_unallocated_and_unmapped_are_kept(three_years) -> None:
    tables = three_years["result"].tables
    practices = dict(tables["practices"].select("practice_id", "network_id").rows())
    assert practices["F84016"] == "U50771"
    assert practices["F84647"] == "U09193"
    assert practices["A81001"] == "U89141"
    assert practices["A81633"] == "U-16C"
    assert practices["A84035"] == "U-00L"
    assert practices["Z99999"] == "UNMAPPED"
    networks = dict(tables["networks"].select("network_id", "network_name").rows())
    assert networks["U50771"] == "Tower Hamlets Network 1 PCN"
    assert networks["U-16C"] == "Unallocated practices (NHS North East and North Cumbria ICB - 16C)"
    assert networks["UNMAPPED"].startswith("Unmapped practices")
    names = dict(tables["practices"].select("practice_id", "practice_name").rows())
    assert names["F84016"] == "The Mission Practice"
    assert names["Z99999"] == "Z99999"
    notes = " ".join(three_years["result"].report.notes)
    assert "PCN code U" in notes and "Z99999" in notes


def test_indicator_metadata_from_the_reference_tables(three_years) -> None:
    indicators = {
        r["indicator_id"]: r for r in three_years["result"].tables["indicators"].to_dicts()
    }
    assert indicators["DM012"]["care_package"] == "Diabetes mellitus"
    assert indicators["DM012"]["name"] == "DM012: Diabetes mellitus"
    assert indicators["DM012"]["polarity"] == "high"
    assert indicators["DM012"]["target"] is None
    assert "Domain: Clinical" in indicators["DM012"]["description"]
    assert indicators["HYP003"]["care_package"] == "Hypertension"


def test_renamed_indicators_across_years_are_recorded(three_years) -> None:
    result = three_years["result"]
    indicators = {r["indicator_id"]: r for r in result.tables["indicators"].to_dicts()}
    assert "Replaced by HYP008 from 2023-24" in indicators["HYP003"]["description"]
    assert "Replaces HYP003" in indicators["HYP008"]["description"]
    note = next(n for n in result.report.notes if n.startswith("indicators renamed"))
    assert "HYP003 (2021-22, 2022-23) -> HYP008 (2023-24)" in note


def test_output_loads_with_load_dataset(three_years) -> None:
    result = three_years["result"]
    out = write_dataset(
        three_years["tmp"] / "out", result.tables, fmt="csv", metadata=result.metadata
    )
    data = load_dataset(out)
    assert data.summary()["values"] == result.report.values == result.tables["values"].height
    assert data.licence == "Open Government Licence v3.0"
    assert data.slice("DM012", Y2223).height == 7


def test_report_counts(three_years) -> None:
    report = three_years["result"].report
    assert report.rows_read == sum(f.rows for f in report.files)
    assert report.files[0].rows == len(Path(report.files[0].name).read_text().splitlines()) - 1
    assert report.indicators == 3
    # the 9 mapped practices less F84123 and F84656 (no value), plus the unmapped Z99999
    assert report.practices == 9 - 2 + 1
    text = str(report)
    assert "left out 2 rows" in text
    assert "NUMERATOR blank or absent" in text


def test_repeated_rows_counted_once_conflicting_rows_left_out(tmp_path, small_mapping) -> None:
    rows = [
        *measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
        *measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
        *measures("F84647", "DM012", numerator="75", denominator="100", pcas="25"),
        ("F84647", "DM012", "NUMERATOR", "76"),
    ]
    path = national_achievement(tmp_path / "ACHIEVEMENT_2122.csv", rows)
    result = import_qof(mapping=small_mapping, achievement=[path])
    assert value(result, "F84016", "DM012", Y2122)["numerator"] == 300
    assert result.tables["values"].height == 1
    left = result.report.left_out
    assert left.get_column("what").to_list() == ["F84647 DM012 2021-22"]
    assert "different values" in left.get_column("reason").item(0)
    assert any("counted once" in n and "F84016" in n for n in result.report.notes)


def test_year_from_option_when_the_name_has_none(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "achievement.csv",
        measures("F84016", "DM012", numerator="1", denominator="2", pcas="0"),
    )
    result = import_qof(mapping=small_mapping, achievement=[path], year="2020/21")
    assert result.report.periods == [dt.date(2020, 4, 1)]
    with pytest.raises(UserError, match="cannot tell which QOF year"):
        import_qof(mapping=small_mapping, achievement=[path])


def test_year_option_contradicting_the_file_name_is_an_error(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="1", denominator="2", pcas="0"),
    )
    with pytest.raises(UserError, match="file name says 2021-22 but --year says 2022-23"):
        import_qof(mapping=small_mapping, achievement=[path], year="2022-23")
    with pytest.raises(UserError, match="not a QOF year"):
        import_qof(mapping=small_mapping, achievement=[path], year="22")


def test_wrong_kind_of_file_is_named(tmp_path, small_mapping) -> None:
    with pytest.raises(
        UserError, match="not a QOF ACHIEVEMENT file: it looks like a QOF PREVALENCE file"
    ):
        import_qof(mapping=small_mapping, achievement=[PREVALENCE])
    with pytest.raises(
        UserError,
        match="not a QOF MAPPING_NHS_GEOGRAPHIES file: it looks like a QOF PREVALENCE file",
    ):
        import_qof(mapping=PREVALENCE, prevalence=PREVALENCE)


def test_non_numeric_value_is_a_clear_error(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        [
            *measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
            ("F84016", "DM014", "NUMERATOR", "n/a"),
        ],
    )
    with pytest.raises(
        UserError, match=r"VALUE must be a number .* row 6: VALUE is not a number: 'n/a'"
    ):
        import_qof(mapping=small_mapping, achievement=[path])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("NaN", "VALUE is not a number: 'NaN'"),
        ("inf", "VALUE is infinite: 'inf'"),
        ("-", "VALUE is '-' (suppressed or missing)"),
    ],
)
def test_nan_inf_and_dash_values_are_named(tmp_path, small_mapping, value, problem) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        [
            *measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
            ("F84016", "DM014", "NUMERATOR", value),
        ],
    )
    with pytest.raises(UserError) as err:
        import_qof(mapping=small_mapping, achievement=[path])
    assert str(err.value).startswith(f"{path}: VALUE must be a number")
    assert f"row 6: {problem}" in str(err.value)


def test_qof_periods_are_financial_years(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
    )
    result = import_qof(mapping=small_mapping, achievement=[path])
    assert result.tables["indicators"].get_column("period_type").to_list() == ["financial_year"]
    assert result.tables["values"].get_column("period").to_list() == [dt.date(2021, 4, 1)]
    data = result.to_dataset()
    assert data.indicators.get_column("period_type").to_list() == ["financial_year"]


def test_file_with_no_qof_measures_is_rejected(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv", [("F84016", "DM012", "SCORE", "3")]
    )
    with pytest.raises(UserError, match="no QOF measures"):
        import_qof(mapping=small_mapping, achievement=[path])


def test_indicator_wording_from_a_mapping_indicators_file(tmp_path, small_mapping) -> None:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="3", denominator="4", pcas="0"),
    )
    wording = write_csv(
        tmp_path / "MAPPING_INDICATORS_2122.csv",
        ["INDICATOR_CODE", "INDICATOR_DESCRIPTION", "INDICATOR_POINT_VALUE", "GROUP_CODE"],
        [("DM012", "The percentage of patients with diabetes with a foot examination", 4, "DM")],
    )
    result = import_qof(mapping=small_mapping, achievement=[path], indicators=wording)
    description = result.tables["indicators"].get_column("description").item(0)
    assert description.startswith("The percentage of patients with diabetes with a foot")


def test_uploaded_bytes_work_like_paths(tmp_path, small_mapping) -> None:
    path = regional_achievement(
        tmp_path / "x.csv",
        "LONDON",
        measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
    )
    result = import_qof(
        mapping=InputFile("MAPPING_NHS_GEOGRAPHIES_2223.csv", small_mapping.read_bytes()),
        achievement=[InputFile("ACHIEVEMENT_LONDON_2223.csv", path.read_bytes())],
    )
    assert value(result, "F84016", "DM012", Y2223)["denominator"] == 400


def test_reference_tables_cover_2022_23_and_2023_24_codes() -> None:
    ref = indicator_reference()
    codes = set(ref.get_column("indicator_code").to_list())
    assert {"DM019", "HYP003", "QIOA011", "DM033", "HYP008", "CHOL001"} <= codes
    assert ref.get_column("indicator_code").is_unique().all()
    assert ref.get_column("higher_group").null_count() == 0


# ---------------------------------------------------------------------------------------
# The real 2022-23 PREVALENCE and MAPPING files (all 6,378 practices in England)


@pytest.fixture(scope="module")
def england():
    return import_qof(prevalence=PREVALENCE, mapping=MAPPING)


def england_prevalence(result, indicator: str) -> float:
    part = result.tables["values"].filter(pl.col("indicator_id") == indicator)
    return part["numerator"].sum() / part["denominator"].sum()


def test_england_totals_match_the_publication(england) -> None:
    assert round(100 * england_prevalence(england, "PREV_DM"), 2) == 7.45
    assert round(100 * england_prevalence(england, "PREV_HYP"), 2) == 14.42


def test_england_counts(england) -> None:
    report = england.report
    assert report.practices == 6378
    assert report.indicators == 21
    assert report.periods == [Y2223]
    assert report.rows_read == 6378 + 133938
    # 1,267 PCNs plus one 'Unallocated practices' network for each of 33 sub-ICBs
    assert report.networks == 1267 + 33
    assert report.values == 133938 - 1
    left = report.left_out
    assert left.height == 1
    row = left.row(0, named=True)
    assert row["reason"] == "REGISTER greater than PRACTICE_LIST_SIZE"
    assert row["what"].startswith("Y05750 LD 2022-23")
    assert row["row"] == 133427


def test_england_prevalence_indicators(england) -> None:
    indicators = {r["indicator_id"]: r for r in england.tables["indicators"].to_dicts()}
    dm = indicators["PREV_DM"]
    assert dm["name"] == "Diabetes prevalence (17+)"
    assert dm["polarity"] == "neutral"
    assert dm["target"] is None
    assert dm["care_package"] == "High dependency and other long term conditions"
    assert indicators["PREV_HYP"]["name"] == "Hypertension prevalence (all ages)"
    assert indicators["PREV_HYP"]["care_package"] == "Cardiovascular"
    # REGISTER is written "112.0" in the file
    row = value(england, "A81001", "PREV_AF", Y2223)
    assert (row["numerator"], row["denominator"], row["exceptions"]) == (112, 3996, None)


def test_england_list_size_from_the_total_list(england) -> None:
    practices = england.tables["practices"]
    a81001 = practices.filter(pl.col("practice_id") == "A81001").row(0, named=True)
    assert a81001["list_size"] == 3996
    assert a81001["practice_name"] == "The Densham Surgery"
    assert practices.get_column("list_size").null_count() == 0


def test_england_output_validates_in_memory(england) -> None:
    data = england.to_dataset()
    assert data.summary()["practices"] == 6378
    tower = data.practices.filter(pl.col("network_id") == "U50771")
    assert sorted(tower.get_column("practice_id").to_list()) == [
        "F84016",
        "F84051",
        "F84083",
        "F84123",
    ]
