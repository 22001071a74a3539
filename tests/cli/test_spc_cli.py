"""`python -m netcompare spc`: the CLI contract (columns, JSON, warnings, errors, --data)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from netcompare.cli import main
from tests.cli.test_compare_cli import run_error, run_ok, write_dataset

COLUMNS = [
    "date",
    "value",
    "mean",
    "lpl",
    "upl",
    "near_lower",
    "near_upper",
    "special_cause",
    "point_type",
]
# R: set.seed(123); rnorm(20)
RNORM = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def write_series(path: Path, values, header="date,value", start_month=1) -> Path:
    lines = [header]
    for i, v in enumerate(values):
        month = start_month + i
        lines.append(f"{2020 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-01,{v}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_spc_rnorm_vector(tmp_path):
    src = write_series(tmp_path / "in.csv", RNORM)
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    run_ok(["spc", str(src), "--out", str(out), "--summary", str(js)])
    result = pl.read_csv(out)
    assert result.columns == COLUMNS
    assert result["mean"][0] == pytest.approx(0.1416238, abs=1e-6)
    assert result["lpl"][0] == pytest.approx(-3.01138, abs=1e-5)
    assert result["upl"][0] == pytest.approx(3.294627, abs=1e-6)
    assert set(result["special_cause"].to_list()) == {"none"}
    assert set(result["point_type"].to_list()) == {"common_cause"}
    summary = json.loads(js.read_text())
    assert summary["variation_icon"] == "common_cause"
    assert summary["assurance"] == "none"
    assert summary["warnings"] == []


def test_spc_options(tmp_path):
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    src = write_series(tmp_path / "in.csv", values, header="month,count")
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    run_ok(
        [
            "spc",
            str(src),
            "--date-col",
            "month",
            "--value-col",
            "count",
            "--no-screen-outliers",
            "--improvement",
            "decrease",
            "--target",
            "8",
            "--two-in-three",
            "ptd",
            "--run-length",
            "6",
            "--out",
            str(out),
            "--summary",
            str(js),
        ]
    )
    result = pl.read_csv(out)
    assert result["upl"][0] == pytest.approx(6.9515033, abs=1e-6)
    assert result["special_cause"][4] == "above_upper"
    assert result["point_type"][4] == "concern"  # decrease is improvement
    summary = json.loads(js.read_text())
    assert summary["assurance"] == "pass"  # target above the upper limit, decrease is good


def test_rebase_and_fix_after(tmp_path):
    values = [1, 2] * 8 + [11, 12] * 8
    src = write_series(tmp_path / "in.csv", values)
    out = tmp_path / "out.csv"
    run_ok(["spc", str(src), "--rebase", "2021-05-01", "--fix-after", "12", "--out", str(out)])
    result = pl.read_csv(out)
    assert result["mean"].to_list() == pytest.approx([1.5] * 16 + [11.5] * 16)


def test_short_series_warns_on_stderr(tmp_path, capsys):
    src = write_series(tmp_path / "in.csv", [1, 2, 3, 2, 1])
    js = tmp_path / "o.json"
    run_ok(["spc", str(src), "--out", str(tmp_path / "o.csv"), "--summary", str(js)])
    assert "warning: only 5 points" in capsys.readouterr().err
    assert json.loads(js.read_text())["warnings"]


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("date,value\n2024-01-01,1\n", [], "at least 2 points"),
        ("date,value\n2024-01-01,1\n2024-01-01,2\n", [], "duplicate dates"),
        ("date,value\n2024-01-01,1\n2024-02-01,x\n", [], "not a number"),
        ("date,value\nsoon,1\nlater,2\n", [], "not dates"),
        ("date,value\n2024-01-01,1\n2024-02-01,2\n", ["--value-col", "v"], "no column"),
        ("date,value\n2024-01-01,1\n2024-02-01,2\n", ["--rebase", "2023-01-01"], "rebase"),
        ("date,value\n2024-01-01,1\n2024-02-01,2\n", ["--fix-after", "3"], "at least 12"),
        ("date,value\n2024-01-01,1\n2024-02-01,2\n", ["--target", "high"], "--target"),
    ],
)
def test_bad_input_one_line_error_exit_2(tmp_path, capsys, content, extra, message):
    src = tmp_path / "in.csv"
    src.write_text(content)
    err = run_error(["spc", str(src), "--out", str(tmp_path / "o.csv"), *extra], capsys)
    assert message in err


def test_spc_on_loaded_dataset(tmp_path):
    data = write_dataset(tmp_path / "ds")
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    run_ok(
        [
            "spc",
            "--data",
            str(data),
            "--indicator",
            "IMM",
            "--practice",
            "P1",
            "--out",
            str(out),
            "--summary",
            str(js),
        ]
    )
    result = pl.read_csv(out)
    assert result.height == 14
    assert result["value"][0] == pytest.approx(89 / 100)
    # target 0.9 from the indicators table; polarity high -> improvement = increase
    assert json.loads(js.read_text())["assurance"] in {"pass", "fail", "inconsistent"}
    run_ok(
        [
            "spc",
            "--data",
            str(data),
            "--indicator",
            "SMK",
            "--network",
            "N2",
            "--period",
            "2023-12-01",
            "--out",
            str(out),
            "--summary",
            str(js),
        ]
    )
    result = pl.read_csv(out)
    assert result.height == 12
    # network N2 = P3 (160), P4 (60), P5 (120): pooled numerators over pooled denominators
    n2 = (160 // 5 + 2) + (60 // 5 + 3) + (120 // 5 + 4)
    assert result["value"][0] == pytest.approx(n2 / (160 + 60 + 120))
    assert json.loads(js.read_text())["assurance"] == "none"  # SMK has no target


def test_spc_dataset_errors(tmp_path, capsys):
    data = write_dataset(tmp_path / "ds")
    args = ["spc", "--data", str(data), "--indicator", "IMM", "--out", str(tmp_path / "o.csv")]
    assert "exactly one of" in run_error(args, capsys)
    assert "unknown network" in run_error([*args, "--network", "N9"], capsys)
    assert "no values" in run_error([*args, "--practice", "P9"], capsys)


def test_help_lists_both_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "compare" in text and "spc" in text
