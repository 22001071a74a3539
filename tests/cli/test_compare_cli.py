"""`python -m netcompare compare`: the CLI contract (columns, JSON, errors, --data)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from netcompare.cli import main

REF = Path(__file__).resolve().parents[1] / "reference_data"
COLUMNS = [
    "unit",
    "numerator",
    "denominator",
    "value",
    "ci95_lower",
    "ci95_upper",
    "ci998_lower",
    "ci998_upper",
    "funnel95_lower",
    "funnel95_upper",
    "funnel998_lower",
    "funnel998_upper",
    "outlier95",
    "outlier998",
    "comparison",
    "rag",
    "quintile",
    "rank",
    "rank_lower",
    "rank_upper",
]


@pytest.fixture
def phe_csv(tmp_path) -> Path:
    path = tmp_path / "input.csv"
    shutil.copy(REF / "testdata_funnel_prop_inputs.csv", path)
    return path


def run_ok(args: list[str]) -> None:
    assert main(args) == 0


def run_error(args: list[str], capsys) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert "\n" not in err and "Traceback" not in err
    return err


def test_compare_writes_exact_columns_and_summary(phe_csv, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "out.json"
    run_ok(
        [
            "compare",
            str(phe_csv),
            "--unit-col",
            "Area",
            "--target",
            "0.8",
            "--amber",
            "0.75",
            "--out",
            str(out),
            "--summary",
            str(summary),
        ]
    )
    result = pl.read_csv(out)
    assert result.columns == COLUMNS
    assert result.height == 303
    assert set(result["outlier998"].to_list()) <= {"high", "low", "none"}
    assert set(result["comparison"].to_list()) <= {"best", "better", "similar", "worse", "worst"}
    assert set(result["rag"].to_list()) <= {"green", "amber", "red"}
    data = json.loads(summary.read_text())
    assert set(data) == {"benchmark", "method", "phi", "tau2", "overdispersion_adjusted", "n_units"}
    assert data["method"] == "arcsine-od" and data["overdispersion_adjusted"] is True
    assert data["n_units"] == 303 and isinstance(data["phi"], float)
    # adjusted funnel flags 2 of the 303 areas at 99.8%
    assert (result["outlier998"] != "none").sum() == 2


def test_full_precision_and_proportion_scale(phe_csv, tmp_path):
    out = tmp_path / "out.csv"
    run_ok(["compare", str(phe_csv), "--unit-col", "Area", "--out", str(out)])
    first = out.read_text().splitlines()[1].split(",")
    value = float(first[3])
    assert 0 < value < 1
    assert len(first[4]) > 12  # not rounded


def test_wilson_method_labels_match_phe(phe_csv, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "out.json"
    run_ok(
        [
            "compare",
            str(phe_csv),
            "--unit-col",
            "Area",
            "--method",
            "wilson",
            "--out",
            str(out),
            "--summary",
            str(summary),
        ]
    )
    result = pl.read_csv(out)
    labels = pl.read_csv(phe_csv)["significance"].to_list()
    expected998 = [
        "high" if s == "High (0.001)" else "low" if s == "Low (0.001)" else "none" for s in labels
    ]
    assert result["outlier998"].to_list() == expected998
    data = json.loads(summary.read_text())
    assert data["phi"] is None and data["tau2"] is None
    assert data["overdispersion_adjusted"] is False


def test_benchmark_value_polarity_and_seed(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("practice,num,den\nA,90,100\nB,45,60\nC,160,200\nD,30,50\nE,700,800\n")
    out1, out2, js = tmp_path / "o1.csv", tmp_path / "o2.csv", tmp_path / "o.json"
    common = ["--unit-col", "practice", "--numerator-col", "num", "--denominator-col", "den"]
    run_ok(
        [
            "compare",
            str(src),
            *common,
            "--benchmark",
            "0.7",
            "--polarity",
            "low",
            "--seed",
            "5",
            "--out",
            str(out1),
            "--summary",
            str(js),
        ]
    )
    run_ok(
        [
            "compare",
            str(src),
            *common,
            "--benchmark",
            "0.7",
            "--polarity",
            "low",
            "--seed",
            "5",
            "--out",
            str(out2),
        ]
    )
    assert out1.read_text() == out2.read_text()
    result = pl.read_csv(out1)
    assert json.loads(js.read_text())["benchmark"] == 0.7
    assert result["rank"].to_list() == [5, 2, 3, 1, 4]  # low is good: 0.6 ranks first
    assert result["rag"].to_list() == ["none"] * 5
    assert result["quintile"].to_list() == [5, 2, 3, 1, 4]


def test_missing_values_written_as_empty(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("unit,numerator,denominator\nA,5,10\nB,,10\nC,7,20\n")
    out = tmp_path / "out.csv"
    run_ok(["compare", str(src), "--out", str(out)])
    line = out.read_text().splitlines()[2]
    assert line.startswith("B,,10,,")


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "unit,numerator,denominator\nA,5,10\nB,x,10\n",
            [],
            "line 3: numerator is not a number: 'x'",
        ),
        ("unit,numerator,denominator\nA,5,10\nB,12,10\n", [], "numerator above denominator"),
        ("unit,numerator,denominator\nA,-5,10\nB,1,10\n", [], "negative"),
        ("unit,numerator,denominator\nA,0,0\nB,1,10\n", [], "zero denominators"),
        ("unit,numerator,denominator\nA,5,10\n", [], "at least 2 units"),
        ("unit,numerator,denominator\nA,5,10\nA,6,10\n", [], "repeat"),
        ("unit,numerator,denominator\nA,5,10\nB,6,10\n", ["--unit-col", "x"], "no unit column"),
        ("unit,numerator,denominator\nA,5,10\nB,6,10\n", ["--target", "95"], "between 0 and 1"),
        ("unit,numerator,denominator\nA,5,10\nB,6,10\n", ["--benchmark", "abc"], "--benchmark"),
        ("", [], "empty"),
    ],
)
def test_bad_input_one_line_error_exit_2(tmp_path, capsys, content, extra, message):
    src = tmp_path / "in.csv"
    src.write_text(content)
    err = run_error(["compare", str(src), "--out", str(tmp_path / "o.csv"), *extra], capsys)
    assert message in err


def test_zero_denominator_error_names_the_unit_and_line(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("unit,numerator,denominator\nA,5,10\nB,0,0\nC,1,4\n")
    err = run_error(["compare", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert "unit 'B' (line 3)" in err


def test_missing_file(tmp_path, capsys):
    err = run_error(["compare", str(tmp_path / "nope.csv"), "--out", "o.csv"], capsys)
    assert "no such file" in err


def write_dataset(folder: Path) -> Path:
    folder.mkdir()
    (folder / "networks.csv").write_text("network_id,network_name\nN1,North\nN2,South\n")
    (folder / "practices.csv").write_text(
        "practice_id,practice_name,network_id\n"
        "P1,One,N1\nP2,Two,N1\nP3,Three,N2\nP4,Four,N2\nP5,Five,N2\n"
    )
    (folder / "indicators.csv").write_text(
        "indicator_id,name,care_package,polarity,target,amber_threshold,network_target\n"
        "IMM,MMR1,Immunisation,high,0.9,0.8,0.95\n"
        "SMK,Smokers,COPD,low,,,\n"
    )
    rows = ["practice_id,indicator_id,period,numerator,denominator"]
    for m in range(1, 15):
        period = f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-01"
        for i, (num, den) in enumerate([(88, 100), (70, 90), (150, 160), (40, 60), (95, 120)]):
            rows.append(f"P{i + 1},IMM,{period},{num + (m % 3)},{den}")
            rows.append(f"P{i + 1},SMK,{period},{den // 5 + i},{den}")
    (folder / "values.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_compare_on_loaded_dataset(tmp_path):
    data = write_dataset(tmp_path / "ds")
    out = tmp_path / "out.csv"
    run_ok(
        [
            "compare",
            "--data",
            str(data),
            "--indicator",
            "IMM",
            "--period",
            "2024-02-01",
            "--out",
            str(out),
        ]
    )
    result = pl.read_csv(out)
    assert result.columns == COLUMNS
    assert result["unit"].to_list() == ["P1", "P2", "P3", "P4", "P5"]
    # 2024-02: 90/100, 72/90, 152/160, 42/60, 97/120; target 0.9 and amber 0.8 come from
    # the indicators table
    assert result["rag"].to_list() == ["green", "amber", "green", "red", "amber"]


def test_compare_on_dataset_errors(tmp_path, capsys):
    data = write_dataset(tmp_path / "ds")
    args = ["compare", "--data", str(data), "--out", str(tmp_path / "o.csv")]
    assert "unknown indicator" in run_error(
        [*args, "--indicator", "X", "--period", "2024-01"], capsys
    )
    assert "no values" in run_error([*args, "--indicator", "IMM", "--period", "2030-01"], capsys)
    assert "--indicator" in run_error(args, capsys)


def test_module_entry_point(phe_csv, tmp_path):
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "netcompare",
            "compare",
            str(phe_csv),
            "--unit-col",
            "Area",
            "--out",
            str(out),
            "--draws",
            "100",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert pl.read_csv(out).height == 303
