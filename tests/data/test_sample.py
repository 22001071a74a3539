"""The sample generator: deterministic, committed as its default output, scales to England."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import polars as pl

from netcompare.data.load import load_dataset
from netcompare.data.sample import (
    HEAVY_EXCEPTIONS,
    NOT_SHARING,
    generate_sample,
)

ROOT = Path(__file__).resolve().parents[2]
TABLE_FILES = ["networks.csv", "practices.csv", "indicators.csv", "values.csv", "dataset.json"]


def run_sample(out: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netcompare", "sample", "--out", str(out), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_same_seed_gives_byte_identical_output(tmp_path: Path) -> None:
    run_sample(tmp_path / "a", "--seed", "7")
    run_sample(tmp_path / "b", "--seed", "7")
    match, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "a", tmp_path / "b", TABLE_FILES, shallow=False
    )
    assert mismatch == [] and errors == []
    assert len(match) == len(TABLE_FILES)


def test_other_seed_gives_other_values(tmp_path: Path) -> None:
    run_sample(tmp_path / "a", "--seed", "7")
    run_sample(tmp_path / "b", "--seed", "8")
    assert (tmp_path / "a" / "values.csv").read_bytes() != (
        tmp_path / "b" / "values.csv"
    ).read_bytes()


def test_committed_sample_is_the_default_output(tmp_path: Path) -> None:
    run_sample(tmp_path / "s")
    for name in TABLE_FILES:
        assert (tmp_path / "s" / name).read_bytes() == (ROOT / "sample_data" / name).read_bytes(), (
            name
        )


def test_sample_tells_the_borough_stories() -> None:
    data = load_dataset(ROOT / "sample_data")
    sizes = data.practices.group_by("network_id").len().get_column("len").sort().to_list()
    assert sizes == [4, 4, 4, 4, 5, 5, 5, 5]
    assert set(data.indicators.get_column("care_package")) == {
        "Childhood immunisation",
        "Type 2 diabetes",
        "COPD",
        "Cardiovascular",
    }
    hidden = data.practices.filter(~pl.col("share_name")).get_column("practice_id").to_list()
    assert hidden == [f"P{NOT_SHARING:03d}"]
    rates = data.values.group_by("practice_id").agg(
        (pl.col("exceptions").sum() / pl.col("denominator").sum()).alias("rate")
    )
    top = rates.sort("rate", descending=True).row(0, named=True)
    assert top["practice_id"] == f"P{HEAVY_EXCEPTIONS:03d}"
    assert top["rate"] > 3 * rates.get_column("rate").median()
    # Improving trends: the borough-wide level rises for every high-is-good indicator.
    first, last = data.periods()[0], data.periods()[-1]
    pooled = (
        data.values.filter(pl.col("period").is_in([first, last]))
        .group_by("indicator_id", "period")
        .agg((pl.col("numerator").sum() / pl.col("denominator").sum()).alias("p"))
        .pivot(on="period", index="indicator_id", values="p")
        .join(data.indicators.select("indicator_id", "polarity"), on="indicator_id")
    )
    change = pooled.select("polarity", (pl.col(str(last)) - pl.col(str(first))).alias("change"))
    assert change.filter(pl.col("polarity") == "high").get_column("change").min() > 0
    assert change.filter(pl.col("polarity") == "low").get_column("change").max() < 0


def test_england_scale_shape() -> None:
    tables = generate_sample(practices=6400, networks=1270, indicators=40, months=36)
    assert tables["practices"].height == 6400
    assert tables["networks"].height == 1270
    assert tables["indicators"].height == 40
    values = tables["values"]
    assert values.get_column("period").n_unique() == 36
    assert values.get_column("practice_id").n_unique() == 6400
    # Almost every practice × indicator × month has eligible patients.
    assert values.height > 0.95 * 6400 * 40 * 36
