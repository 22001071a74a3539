"""The built-in "West Sussex childhood immunisations 2019/20–2021/22" data set (issue 14.6).

Every count and value is checked against the council's raw file read here with polars (the
repository's gzipped copy, never ../shared), not against the build script's own code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.builtin import builtin_datasets, builtin_path
from netcompare.data.importers import import_mapped_csv
from netcompare.data.load import load_dataset
from tests.importers.conftest import COVER, MAPPING
from tests.importers.test_mapped_csv import COVER_MAPPING

KEY = "west-sussex-imms-1922"
NAME = "West Sussex childhood immunisations 2019/20–2021/22"
LICENCE = "Open Government Licence v3.0"
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_west_sussex_dataset.py"
YEARS = [dt.date(2019, 4, 1), dt.date(2020, 4, 1), dt.date(2021, 4, 1)]


@pytest.fixture(scope="module")
def data():
    return load_dataset(builtin_path(KEY))


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    return pl.read_csv(COVER, infer_schema=False)


@pytest.fixture(scope="module")
def usable(raw: pl.DataFrame) -> pl.DataFrame:
    """The raw rows with a numerator and a denominator above 0, one per practice, measure
    and year (the file repeats some practices under a second PCN)."""
    return (
        raw.filter(
            pl.col("Numerator").is_not_null()
            & (pl.col("Denominator").cast(pl.Float64, strict=False) > 0)
        )
        .with_columns(
            pl.date(pl.col("Year").str.slice(0, 4).cast(pl.Int32), 4, 1).alias("period"),
            pl.col("Numerator").cast(pl.Float64).round(0).cast(pl.Int64).alias("numerator"),
            pl.col("Denominator").cast(pl.Int64).alias("denominator"),
        )
        .unique(["ODS_Code", "Age", "Item", "period"], keep="first", maintain_order=True)
    )


def test_it_is_offered_after_the_sample_and_england() -> None:
    offered = [(d.key, d.label) for d in builtin_datasets()]
    assert [k for k, _ in offered][:3] == ["sample", "england-prevalence-2223", KEY]
    assert dict(offered)[KEY] == NAME


def test_it_loads_with_only_the_warnings_the_file_explains(data, usable) -> None:
    """No error; warnings only for what the raw file shows, and each one in the README."""
    assert data.name == NAME
    assert data.licence == LICENCE
    latest = set(usable.filter(pl.col("period") == YEARS[-1])["ODS_Code"])
    absent = sorted(set(usable["ODS_Code"]) - latest)
    assert absent == ["H82015", "H82083"]
    small = usable.filter(pl.col("denominator") < 10).height
    messages = [w.message for w in data.warnings]
    assert len(messages) == len(absent) + 1
    for code in absent:
        assert any(m.startswith(f"practice {code} ") and "latest period" in m for m in messages)
    assert any(m.startswith(f"{small} rows have a denominator below 10") for m in messages)
    assert {w.severity for w in data.warnings} == {"warning"}
    readme = (builtin_path(KEY) / "README.md").read_text(encoding="utf-8")
    assert all(f"- {m}" in readme for m in messages)


def test_metadata_and_readme_name_source_and_licence() -> None:
    folder = builtin_path(KEY)
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    assert meta["name"] == NAME and meta["licence"] == LICENCE
    assert "West Sussex County Council public health" in meta["source"]
    assert "UKHSA COVER" in meta["source"]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0"
        in readme
    )
    assert "scripts/build_west_sussex_dataset.py" in readme
    tables = sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".parquet"))
    assert tables == ["indicators.csv", "networks.csv", "practices.csv", "values.csv"]


def test_counts_equal_the_raw_file(data, raw, usable) -> None:
    summary = data.summary()
    assert summary["practices"] == raw["ODS_Code"].n_unique() == 81
    assert summary["networks"] == raw["PCN_Code"].n_unique() == 21
    assert summary["indicators"] == raw.select("Age", "Item").n_unique() == 15
    assert summary["periods"] == raw["Year"].n_unique() == 3
    assert summary["values"] == usable.height == 3411


def test_periods_are_the_three_financial_years(data) -> None:
    assert data.periods() == YEARS
    assert set(data.indicators["period_type"]) == {"financial_year"}


def test_every_practice_is_in_its_real_pcn(data, raw) -> None:
    """A practice the file lists under one PCN is in it; one it lists under two (every year)
    is in the one NHS Digital's 2022-23 practice-to-PCN mapping gives."""
    listed = raw.group_by("ODS_Code").agg(pl.col("PCN_Code").unique().sort())
    nhs = dict(
        pl.read_csv(MAPPING, infer_schema=False).select("PRACTICE_CODE", "PCN_ODS_CODE").rows()
    )
    placed = dict(data.practices.select("practice_id", "network_id").rows())
    twice = []
    for code, pcns in listed.rows():
        if len(pcns) == 1:
            assert placed[code] == pcns[0], code
        else:
            twice.append(code)
            assert placed[code] in pcns and placed[code] == nhs[code], code
    assert sorted(twice) == ["H82014", "H82043", "H82058", "H82066", "H82099", "H82100"]
    # The two PCNs that have only such practices keep them.
    bognor = data.practices.filter(pl.col("network_id") == "U60757")["practice_id"].to_list()
    assert sorted(bognor) == ["H82043", "H82058", "H82099"]


def test_networks_and_practices_as_in_the_file(data, raw) -> None:
    names = dict(raw.select("PCN_Code", "PCN_Name").unique().rows())
    assert dict(data.networks.select("network_id", "network_name").rows()) == names
    assert set(data.networks["parent_area"]) == {"West Sussex"}
    practice_names = dict(raw.select("ODS_Code", "ODS_Name").unique().rows())
    assert dict(data.practices.select("practice_id", "practice_name").rows()) == practice_names
    assert data.practices["share_name"].all()


def test_targets_definitions_and_licence(data, raw) -> None:
    ind = data.indicators
    assert ind["target"].to_list() == [0.95] * 15
    assert ind["amber_threshold"].to_list() == [0.90] * 15
    assert ind["network_target"].to_list() == [0.95] * 15
    assert set(ind["polarity"]) == {"high"}
    assert set(ind["licence"]) == {LICENCE}
    assert set(ind["source"]) == {
        "West Sussex County Council public health, from UKHSA COVER GP annual data"
    }
    for column in ("name", "description", "numerator_definition", "denominator_definition"):
        assert ind[column].null_count() == 0 and ind[column].str.len_chars().min() > 10
    assert ind["indicator_id"].str.contains(r"^IMM_(12M|24M|5Y)_[A-Z0-9_]+$").all()
    mmr = data.indicator("IMM_24M_MMR1")
    assert mmr.name == "MMR1 by 24 months"
    # Each description quotes the file's Term for its vaccine and age.
    ages = {"12M": "12 months", "24M": "24 months", "5Y": "5 years"}
    terms = raw.select("Age", "Item", "Term").unique()
    for indicator_id, description in ind.select("indicator_id", "description").rows():
        age = ages[indicator_id.split("_")[1]]
        assert age in description
        quoted = terms.filter(pl.col("Age") == age)["Term"].to_list()
        assert any(f"“{t}”" in description for t in quoted), indicator_id


def test_values_are_the_file_numbers(data, usable) -> None:
    # Each indicator says which of the file's measures it is: "COVER 'MMR1' at 24 months".
    measure = data.indicators.select(
        "indicator_id",
        pl.col("description").str.extract_groups(r"COVER '(?<Item>[^']+)' at (?<Age>[^).]+)\)"),
    ).unnest("description")
    items = {(a, i): ind for ind, i, a in measure.select("indicator_id", "Item", "Age").rows()}
    assert len(items) == 15
    expected = usable.select(
        pl.col("ODS_Code").alias("practice_id"),
        pl.struct("Age", "Item")
        .map_elements(lambda m: items[(m["Age"], m["Item"])], return_dtype=pl.String)
        .alias("indicator_id"),
        "period",
        "numerator",
        "denominator",
        pl.col("Proportion").cast(pl.Float64),
    )
    joined = expected.join(
        data.values, on=["practice_id", "indicator_id", "period"], how="full", suffix="_built"
    )
    assert joined.height == usable.height == data.values.height
    assert (joined["numerator"] == joined["numerator_built"]).all()
    assert (joined["denominator"] == joined["denominator_built"]).all()
    gap = (joined["numerator_built"] / joined["denominator_built"] - joined["Proportion"]).abs()
    assert gap.max() < 1e-9


def readme_left_out(readme: str) -> dict[str, list[int]]:
    """The README's left-out section: reason -> the rows listed under it (and its count)."""
    section = readme.split("## Left out", 1)[1].split("\n## ", 1)[0]
    found: dict[str, list[int]] = {}
    for block in section.split("\n### ")[1:]:
        heading, *lines = block.splitlines()
        reason, count = re.fullmatch(r"(.+): (\d+) row\(s\)", heading).groups()
        rows = [int(m.group(1)) for m in map(re.compile(r"^- .+?, row (\d+): ").match, lines) if m]
        assert len(rows) == int(count), heading
        found[reason] = rows
    total = int(re.search(r"## Left out \((\d+) of ([\d,]+) rows\)", readme).group(1))
    assert total == sum(len(r) for r in found.values())
    return found


def test_readme_left_out_rows_are_the_importers_report() -> None:
    report = import_mapped_csv(COVER, COVER_MAPPING).report
    expected = {
        reason: sorted(rows)
        for reason, rows in report.left_out.group_by("reason").agg(pl.col("row")).rows()
    }
    readme = (builtin_path(KEY) / "README.md").read_text(encoding="utf-8")
    assert readme_left_out(readme) == expected
    assert {k: len(v) for k, v in expected.items()} == {
        "numerator and denominator are blank": 25,
        "numerator is blank": 18,
    }


def test_the_script_rebuilds_the_same_files(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    shipped = builtin_path(KEY)
    names = sorted(p.name for p in shipped.iterdir())
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names:
        assert (out / name).read_bytes() == (shipped / name).read_bytes(), name
