"""`python -m netcompare import ...`: reports, folders that load, and clean failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from netcompare.cli import main
from netcompare.data.load import load_dataset
from tests.importers.conftest import (
    COVER,
    FINGERTIPS_HEADER,
    MAPPING,
    PREVALENCE,
    fingertips_row,
    measures,
    national_achievement,
    regional_achievement,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_failure(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err  # one line
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


@pytest.fixture
def achievement_files(tmp_path: Path) -> list[Path]:
    return [
        national_achievement(
            tmp_path / "ACHIEVEMENT_2122.csv",
            measures("F84016", "DM012", numerator="280", denominator="340", pcas="40"),
        ),
        regional_achievement(
            tmp_path / "ACHIEVEMENT_LONDON_2223.csv",
            "LONDON",
            [
                *measures("F84016", "DM012", numerator="300", denominator="350", pcas="50"),
                *measures("F84051", "DM012", numerator=None, denominator="210", pcas="12"),
            ],
        ),
    ]


def test_import_qof_writes_a_folder_that_loads(
    tmp_path, capsys, achievement_files, small_mapping
) -> None:
    out = tmp_path / "qof"
    left = tmp_path / "left_out.csv"
    code, stdout, err = run(
        [
            "import",
            "qof",
            "--achievement",
            str(tmp_path / "ACHIEVEMENT_*.csv"),
            "--mapping",
            str(small_mapping),
            "--out",
            str(out),
            "--left-out",
            str(left),
        ],
        capsys,
    )
    assert code == 0, err
    assert "ACHIEVEMENT_2122.csv: 4 rows (2021-22, national layout)" in stdout
    assert "ACHIEVEMENT_LONDON_2223.csv: 8 rows (2022-23, regional layout: London)" in stdout
    assert "imported 2 values: 1 practices in 1 networks, 1 indicators, 2 period(s)" in stdout
    assert "1 x NUMERATOR blank or absent" in stdout
    data = load_dataset(out)
    assert data.values.get_column("denominator").to_list() == [380, 400]
    assert data.licence == "Open Government Licence v3.0"
    written = pl.read_csv(left)
    assert written.columns == ["file", "row", "what", "reason"]
    assert written.get_column("what").to_list() == ["F84051 DM012 2022-23"]


def test_import_qof_prevalence_real_files_as_parquet(tmp_path, capsys) -> None:
    out = tmp_path / "england"
    code, stdout, err = run(
        [
            "import",
            "qof",
            "--prevalence",
            str(PREVALENCE),
            "--mapping",
            str(MAPPING),
            "--out",
            str(out),
            "--format",
            "parquet",
            "--name",
            "England",
        ],
        capsys,
    )
    assert code == 0, err
    assert "imported 133,937 values: 6,378 practices in 1,300 networks" in stdout
    assert "1 x REGISTER greater than PRACTICE_LIST_SIZE" in stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "dataset.json",
        "indicators.parquet",
        "networks.parquet",
        "practices.parquet",
        "values.parquet",
    ]
    assert load_dataset(out).name == "England"


def test_import_fingertips(tmp_path, capsys) -> None:
    rows = [
        fingertips_row(
            Area_Code="F84016",
            Area_Name="The Mission Practice",
            Area_Type="GPs",
            Parent_Code="U50771",
            Parent_Name="Tower Hamlets Network 1 PCN",
            Count=30,
            Denominator=40,
        ),
    ]
    export = write_csv(tmp_path / "export.csv", FINGERTIPS_HEADER, rows)
    out = tmp_path / "ft"
    code, stdout, err = run(
        ["import", "fingertips", str(export), "--out", str(out), "--polarity", "high"], capsys
    )
    assert code == 0, err
    assert "export.csv: 1 rows (GP practices)" in stdout
    data = load_dataset(out)
    assert data.indicators.get_column("polarity").to_list() == ["high"]


def test_import_csv(tmp_path, capsys) -> None:
    out = tmp_path / "cover"
    code, stdout, err = run(
        [
            "import",
            "csv",
            str(COVER),
            "--practice-col",
            "ODS_Code",
            "--numerator-col",
            "Numerator",
            "--denominator-col",
            "Denominator",
            "--network-col",
            "PCN_Code",
            "--network-name-col",
            "PCN_Name",
            "--indicator-col",
            "Age",
            "--indicator-col",
            "Item",
            "--period-col",
            "Year",
            "--practice-name-col",
            "ODS_Name",
            "--target",
            "95%",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "left out 43 rows" in stdout
    assert "rounded half up" in stdout
    assert "H82100 (U04725, U03364: kept in U04725)" in stdout
    data = load_dataset(out)
    assert data.summary()["values"] == 3411
    assert set(data.indicators.get_column("target").to_list()) == {0.95}


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        # a PREVALENCE file given as --achievement
        (
            ["qof", "--achievement", str(PREVALENCE), "--mapping", str(MAPPING)],
            ["not a QOF ACHIEVEMENT file", "looks like a QOF PREVALENCE file"],
        ),
        # the mapping given where the prevalence should be
        (
            ["qof", "--prevalence", str(MAPPING), "--mapping", str(MAPPING)],
            ["not a QOF PREVALENCE file"],
        ),
        (["qof", "--achievement", "no_such_file.csv", "--mapping", str(MAPPING)], ["no such file"]),
        (["qof", "--achievement", "nothing_*.csv", "--mapping", str(MAPPING)], ["no file matches"]),
        (["qof", "--mapping", str(MAPPING)], ["give --achievement files"]),
        (["fingertips", str(PREVALENCE)], ["looks like a QOF PREVALENCE file"]),
        (
            [
                "csv",
                str(COVER),
                "--practice-col",
                "Practice",
                "--numerator-col",
                "Numerator",
                "--denominator-col",
                "Denominator",
                "--indicator",
                "X",
                "--period",
                "2022",
            ],
            ["no column 'Practice'", "ODS_Code"],
        ),
        (
            [
                "csv",
                str(COVER),
                "--practice-col",
                "ODS_Code",
                "--numerator-col",
                "Numerator",
                "--denominator-col",
                "Denominator",
                "--indicator",
                "X",
                "--period",
                "2022",
                "--target",
                "lots",
            ],
            ["target 'lots'"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_folder(tmp_path, capsys, args, fragments):
    out = tmp_path / "out"
    code, _stdout, err = run(["import", *args, "--out", str(out)], capsys)
    assert_clean_failure(code, err, *fragments)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            b"PRACTICE_CODE,INDICATOR_CODE,MEASURE\r\nF84016,DM012,NUMERATOR\r\n",
            "missing column(s) VALUE",
        ),
        (
            b"PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\r\nF84016,DM012,NUMERATOR,\x81\x8d\r\n",
            "neither UTF-8 nor Windows-1252",
        ),
        (b"PK\x03\x04" + b"\x00" * 60, "a damaged ZIP archive (or Excel workbook)"),
        (
            b"PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\r\nF84016,DM012,NUMERATOR,lots\r\n",
            "VALUE must be a number",
        ),
        (b"PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE\r\n", "header but no data rows"),
    ],
)
def test_malformed_achievement_files(tmp_path, capsys, small_mapping, content, fragment):
    bad = tmp_path / "ACHIEVEMENT_2122.csv"
    bad.write_bytes(content)
    out = tmp_path / "out"
    code, _, err = run(
        [
            "import",
            "qof",
            "--achievement",
            str(bad),
            "--mapping",
            str(small_mapping),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert_clean_failure(code, err, "ACHIEVEMENT_2122.csv", fragment)
    assert not out.exists()


def test_a_failed_import_leaves_an_existing_data_set_untouched(tmp_path, capsys, small_mapping):
    out = tmp_path / "out"
    good = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="3", denominator="4", pcas="0"),
    )
    assert (
        run(
            [
                "import",
                "qof",
                "--achievement",
                str(good),
                "--mapping",
                str(small_mapping),
                "--out",
                str(out),
            ],
            capsys,
        )[0]
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = run(
        [
            "import",
            "qof",
            "--achievement",
            str(PREVALENCE),
            "--mapping",
            str(small_mapping),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert_clean_failure(code, err, "not a QOF ACHIEVEMENT file")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_cp1252_mapping_is_read_with_a_note(tmp_path, capsys, small_mapping) -> None:
    text = small_mapping.read_text(encoding="utf-8").replace(
        "The Mission Practice", "The Mission Practice – Médicale"
    )
    latin = tmp_path / "MAPPING_cp1252.csv"
    latin.write_bytes(text.encode("cp1252"))
    good = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="3", denominator="4", pcas="0"),
    )
    out = tmp_path / "out"
    code, stdout, err = run(
        ["import", "qof", "--achievement", str(good), "--mapping", str(latin), "--out", str(out)],
        capsys,
    )
    assert code == 0, err
    assert "note: " in stdout and "Windows-1252" in stdout
    names = load_dataset(out).practices.get_column("practice_name").to_list()
    assert names == ["The Mission Practice – Médicale"]


def test_real_process_prints_no_traceback(tmp_path) -> None:
    """The installed entry point, as a user runs it: exit 2, one line, nothing written."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NETCOMPARE_DEBUG", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "netcompare",
            "import",
            "qof",
            "--achievement",
            str(MAPPING),
            "--mapping",
            str(MAPPING),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert "looks like a QOF MAPPING_NHS_GEOGRAPHIES file" in proc.stderr
    assert not out.exists()
