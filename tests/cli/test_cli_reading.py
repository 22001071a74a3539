"""compare and spc read their CSV through netcompare.data.inputs: every error names the file,
the line and the problem, on one line, exit 2; never "internal error"."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from netcompare.cli import main
from tests.cli.test_compare_cli import run_error, run_ok
from tests.data.make_bad_inputs import XLSX, ZIPPED

UNITS = "unit,numerator,denominator\nA,5,10\nB,6,12\nC,7,14\n"


def series(values: list[str]) -> str:
    return "date,value\n" + "".join(f"2024-{m:02d}-01,{v}\n" for m, v in enumerate(values, 1))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("B,NaN,12", "line 3: numerator is not a number: 'NaN'"),
        ("B,inf,12", "line 3: numerator is infinite: 'inf'"),
        ("B,-,12", "line 3: numerator is '-' (suppressed or missing)"),
        ("B,6,NaN", "line 3: denominator is not a number: 'NaN'"),
        ("B,6,1e999", "line 3: denominator is infinite: '1e999'"),
    ],
)
def test_compare_names_file_line_and_problem(tmp_path, capsys, row, problem) -> None:
    src = tmp_path / "in.csv"
    src.write_text(UNITS.replace("B,6,12", row))
    err = run_error(["compare", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err == f"error: {src}, {problem}"


def test_compare_engine_errors_name_the_file(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_text(UNITS.replace("B,6,12", "B,0,0"))
    err = run_error(["compare", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err.startswith(f"error: {src}: ") and "unit 'B' (line 3)" in err


def test_compare_reads_thousands_with_a_warning(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_text('unit,numerator,denominator\nA,"1,200","2,000"\nB,6,12\nC,7,14\n')
    out = tmp_path / "o.csv"
    run_ok(["compare", str(src), "--out", str(out)])
    err = capsys.readouterr().err
    assert "numerator '1,200' has a thousands separator: read as 1200" in err
    assert pl.read_csv(out).row(0, named=True)["numerator"] == 1200


def test_compare_cp1252_warning(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(UNITS.replace("A,", "Café,").encode("cp1252"))
    out = tmp_path / "o.csv"
    run_ok(["compare", str(src), "--out", str(out)])
    err = capsys.readouterr().err
    assert f"warning: {src}: read as Windows-1252 (cp1252): not valid UTF-8" in err
    assert pl.read_csv(out).get_column("unit").to_list()[0] == "Café"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (XLSX, ": not a CSV file: this is an Excel workbook (.xlsx): save it as CSV UTF-8"),
        (ZIPPED, ": not a CSV file: this is a ZIP archive (holding values.csv)"),
        (UNITS.encode("utf-16"), ": the file is UTF-16 text"),
        (gzip.compress(UNITS.encode(), mtime=0)[:20], ": the gzip file is damaged or truncated"),
        (b"unit,numerator,Numerator\nA,1,2\n", ", line 1: the columns 'numerator' and 'Numerator'"),
        (b"unit,value,value\nA,1,2\n", ", line 1: the column 'value' appears twice"),
    ],
)
@pytest.mark.parametrize("command", ["compare", "spc"])
def test_files_that_cannot_be_read(tmp_path, capsys, command, content, problem) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    err = run_error([command, str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err.startswith(f"error: {src}{problem}")
    assert "internal error" not in err


def test_gzip_input_is_read(tmp_path) -> None:
    src = tmp_path / "in.csv.gz"
    src.write_bytes(gzip.compress(UNITS.encode()))
    out = tmp_path / "o.csv"
    run_ok(["compare", str(src), "--out", str(out)])
    assert pl.read_csv(out).height == 3


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("NaN", "line 4: value is not a number: 'NaN'"),
        ("inf", "line 4: value is infinite: 'inf'"),
        ("-", "line 4: value is '-' (suppressed or missing)"),
        ("", "line 4: value is blank"),
    ],
)
def test_spc_names_file_line_and_problem(tmp_path, capsys, cell, problem) -> None:
    src = tmp_path / "in.csv"
    values = ["1", "2", cell, "3", "2", "1"]
    src.write_text(series(values))
    err = run_error(["spc", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err == f"error: {src}, {problem}"


def test_spc_bad_date_names_the_line(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_text(series(["1", "2", "3", "4"]).replace("2024-03-01", "March the 1st"))
    err = run_error(["spc", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err.startswith(f"error: {src}, line 4: column 'date' has values that are not dates")
    assert "'March the 1st'" in err


def test_spc_engine_errors_name_the_file(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_text("date,value\n2024-01-01,1\n2024-01-01,2\n")
    err = run_error(["spc", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert err.startswith(f"error: {src}: duplicate dates")


def test_spc_uk_dates_and_thousands(tmp_path, capsys) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'date,value\n01/01/2024,"1,000"\n01/02/2024,1100\n01/03/2024,900\n01/04/2024,1000\n'
    )
    out = tmp_path / "o.csv"
    assert main(["spc", str(src), "--out", str(out)]) == 0
    result = pl.read_csv(out, try_parse_dates=True)
    assert result.get_column("value").to_list()[0] == 1000
    assert str(result.get_column("date").to_list()[1]) == "2024-02-01"
    assert "read as 1000" in capsys.readouterr().err


def test_period_option_accepts_a_financial_year(tmp_path) -> None:
    data = tmp_path / "ds"
    data.mkdir()
    (data / "networks.csv").write_text("network_id,network_name\nN1,North\n")
    (data / "practices.csv").write_text("practice_id,practice_name,network_id\nP1,A,N1\nP2,B,N1\n")
    (data / "indicators.csv").write_text(
        "indicator_id,name,care_package,period_type\nQ,Q,QOF,financial_year\n"
    )
    (data / "values.csv").write_text(
        "practice_id,indicator_id,period,numerator,denominator\n"
        "P1,Q,2022-04-01,5,10\nP2,Q,2022-04-01,6,10\n"
    )
    out = tmp_path / "o.csv"
    run_ok(
        [
            "compare",
            "--data",
            str(data),
            "--indicator",
            "Q",
            "--period",
            "2022-23",
            "--out",
            str(out),
        ]
    )
    assert pl.read_csv(out).height == 2


def test_missing_file_names_it(tmp_path: Path, capsys) -> None:
    err = run_error(["spc", str(tmp_path / "nope.csv"), "--out", "o.csv"], capsys)
    assert err == f"error: {tmp_path / 'nope.csv'}: no such file"
