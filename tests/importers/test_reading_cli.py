"""Every import command reads files through netcompare.data.inputs: non-CSV files and bad
headers exit 2 with one line naming the file (and line); bad counts are left out, each row
with its named problem; a year stays a year (period_type)."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from tests.data.make_bad_inputs import XLSX, ZIPPED
from tests.importers.conftest import FINGERTIPS_HEADER, fingertips_row, write_csv
from tests.importers.test_cli import assert_clean_failure, run

CSV_ARGS = [
    "--practice-col",
    "code",
    "--numerator-col",
    "n",
    "--denominator-col",
    "d",
    "--indicator",
    "Flu",
]


def import_csv(path: Path, out: Path, capsys, *extra: str) -> tuple[int, str, str]:
    return run(["import", "csv", str(path), *CSV_ARGS, *extra, "--out", str(out)], capsys)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (XLSX, "not a CSV file: this is an Excel workbook (.xlsx): save it as CSV UTF-8"),
        (ZIPPED, "not a CSV file: this is a ZIP archive (holding values.csv): unzip it"),
        ("code,n,d\nP1,1,2\n".encode("utf-16"), "the file is UTF-16 text"),
        (b"%PDF-1.4\n", "not a CSV file: this is a PDF document"),
        (
            gzip.compress(b"code,n,d\nP1,1,2\n", mtime=0)[:25],
            "the gzip file is damaged or truncated",
        ),
    ],
)
def test_import_csv_names_files_that_are_not_csv(tmp_path, capsys, content, problem) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes(content)
    code, _, err = import_csv(path, tmp_path / "out", capsys, "--period", "2023")
    assert_clean_failure(code, err, f"error: {path}: {problem}")
    assert "internal error" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("code,n,d,N", "line 1: the columns 'n' and 'N' differ only in case (columns 2 and 4)"),
        ("code,n,d,d", "line 1: the column 'd' appears twice (columns 3 and 4)"),
    ],
)
def test_import_csv_duplicate_headers(tmp_path, capsys, header, problem) -> None:
    path = tmp_path / "extract.csv"
    path.write_text(f"{header}\nP1,1,2,3\n")
    code, _, err = import_csv(path, tmp_path / "out", capsys, "--period", "2023")
    assert_clean_failure(code, err, f"error: {path}, {problem}")


def test_import_csv_names_each_bad_count(tmp_path, capsys) -> None:
    path = tmp_path / "extract.csv"
    path.write_text(
        'code,n,d\nP1,9,10\nP2,NaN,10\nP3,inf,10\nP4,-,10\nP5,"1,234","2,000"\nP6,,10\nP7,5,NaN\n'
    )
    left = tmp_path / "left.csv"
    code, out, err = import_csv(
        path, tmp_path / "out", capsys, "--period", "2022/23", "--left-out", str(left)
    )
    assert code == 0, err
    reasons = dict(pl.read_csv(left).select("row", "reason").rows())
    assert reasons == {
        3: "numerator is not a number: 'NaN'",
        4: "numerator is infinite: 'inf'",
        5: "numerator is '-' (suppressed or missing)",
        7: "numerator is blank",
        8: "denominator is not a number: 'NaN'",
    }
    assert f"{path}, row 3: practice P2" in out
    assert "numerator '1,234' has a thousands separator: read as 1234" in out
    assert "greater than" not in out  # NaN is not "numerator greater than denominator"
    data = load_dataset(tmp_path / "out")
    assert dict(data.values.select("practice_id", "numerator").rows()) == {"P1": 9, "P5": 1234}
    assert data.indicators.get_column("period_type").to_list() == ["financial_year"]


def test_import_csv_decimal_count_is_named_in_the_note(tmp_path, capsys) -> None:
    path = tmp_path / "extract.csv"
    path.write_text("code,n,d\nP1,12.5,20\nP2,3,4\n")
    code, out, _ = import_csv(path, tmp_path / "out", capsys, "--period", "2023-01")
    assert code == 0
    assert f"{path}, row 2: numerator 12.5 is not a whole number: rounded to 13" in out
    data = load_dataset(tmp_path / "out")
    assert data.indicators.get_column("period_type").to_list() == ["month"]


def test_import_csv_cp1252_note(tmp_path, capsys) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes("code,name,n,d\nP1,Café Surgery,1,2\n".encode("cp1252"))
    code, out, _ = import_csv(
        path, tmp_path / "out", capsys, "--practice-name-col", "name", "--period", "2023"
    )
    assert code == 0
    assert f"note: {path}: read as Windows-1252 (cp1252): not valid UTF-8 (first at line 2" in out
    data = load_dataset(tmp_path / "out")
    assert data.practices.get_column("practice_name").to_list() == ["Café Surgery"]
    assert data.indicators.get_column("period_type").to_list() == ["year"]


def test_fingertips_counts_and_values_are_named(tmp_path, capsys) -> None:
    rows = [
        fingertips_row(Area_Code="F84016", Area_Type="GPs", Count=80, Denominator=100, Value=80.0),
        fingertips_row(
            Area_Code="F84051", Area_Type="GPs", Count="NaN", Denominator=100, Value="NaN"
        ),
        fingertips_row(Area_Code="F84083", Area_Type="GPs", Count="-", Denominator=100),
        fingertips_row(Area_Code="F84123", Area_Type="GPs", Count=5, Denominator="inf"),
    ]
    path = write_csv(tmp_path / "export.csv", FINGERTIPS_HEADER, rows)
    left = tmp_path / "left.csv"
    out = tmp_path / "out"
    code, _, err = run(
        ["import", "fingertips", str(path), "--out", str(out), "--left-out", str(left)], capsys
    )
    assert code == 0, err
    assert dict(pl.read_csv(left).select("row", "reason").rows()) == {
        3: "Count is not a number: 'NaN'",
        4: "Count is '-' (suppressed or missing)",
        5: "Denominator is infinite: 'inf'",
    }
    data = load_dataset(out)
    assert data.indicators.get_column("period_type").to_list() == ["financial_year"]


def test_fingertips_value_that_is_not_a_number_is_noted(tmp_path, capsys) -> None:
    rows = [
        fingertips_row(Area_Code="F84016", Area_Type="GPs", Count=80, Denominator=100, Value=80),
        fingertips_row(Area_Code="F84051", Area_Type="GPs", Count=8, Denominator=10, Value="NaN"),
    ]
    path = write_csv(tmp_path / "export.csv", FINGERTIPS_HEADER, rows)
    code, stdout, _ = run(["import", "fingertips", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 0
    assert (
        f"1 row(s) have a Value that is not a number (e.g. {path}, row 3: Value is not a" in stdout
    )


def test_fingertips_calendar_years_stay_years(tmp_path, capsys) -> None:
    rows = [
        fingertips_row(
            Area_Code="F84016", Area_Type="GPs", Count=8, Denominator=10, **{"Time period": "2022"}
        ),
    ]
    path = write_csv(tmp_path / "export.csv", FINGERTIPS_HEADER, rows)
    code, _, err = run(["import", "fingertips", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    data = load_dataset(tmp_path / "o")
    assert data.indicators.get_column("period_type").to_list() == ["year"]


def test_fingertips_case_variant_header(tmp_path, capsys) -> None:
    header = [*FINGERTIPS_HEADER, "count"]
    path = write_csv(tmp_path / "export.csv", header, [[*fingertips_row(), "1"]])
    code, _, err = run(["import", "fingertips", str(path), "--out", str(tmp_path / "o")], capsys)
    assert_clean_failure(
        code, err, f"error: {path}, line 1: the columns 'Count' and 'count' differ only in case"
    )
