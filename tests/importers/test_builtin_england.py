"""The built-in "England QOF prevalence 2022-23" data set (in datasets/)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from netcompare.data.builtin import builtin_datasets, builtin_path
from netcompare.data.importers import import_qof
from netcompare.data.load import load_dataset
from tests.importers.conftest import MAPPING, PREVALENCE

KEY = "england-prevalence-2223"


@pytest.fixture(scope="module")
def england():
    return load_dataset(builtin_path(KEY))


def test_it_is_offered_next_to_the_sample() -> None:
    keys = [d.key for d in builtin_datasets()]
    assert keys[:2] == ["sample", KEY]


def test_metadata_names_source_and_licence(england) -> None:
    folder = builtin_path(KEY)
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    assert meta == {
        "name": "England QOF prevalence 2022-23",
        "source": "NHS Digital, Quality and Outcomes Framework 2022-23: PREVALENCE_2223.csv "
        "and MAPPING_NHS_GEOGRAPHIES_2223.csv",
        "licence": "Open Government Licence v3.0",
    }
    assert england.name == "England QOF prevalence 2022-23"
    assert england.licence == "Open Government Licence v3.0"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in readme and "7.45%" in readme
    assert (
        sorted(
            p.suffix
            for p in folder.iterdir()
            if p.stem in ("networks", "practices", "indicators", "values")
        )
        == [".parquet"] * 4
    )


def test_every_practice_in_england(england) -> None:
    summary = england.summary()
    assert summary["practices"] == 6378
    assert summary["networks"] == 1300
    assert summary["indicators"] == 21
    assert summary["values"] == 133937
    assert england.periods() == [dt.date(2022, 4, 1)]


def test_england_totals(england) -> None:
    def total(indicator: str) -> float:
        part = england.slice(indicator, dt.date(2022, 4, 1))
        return 100 * part["numerator"].sum() / part["denominator"].sum()

    assert round(total("PREV_DM"), 2) == 7.45
    assert round(total("PREV_HYP"), 2) == 14.42


def test_a_pcn_and_its_practices_on_diabetes_prevalence(england) -> None:
    network = england.networks.filter(pl.col("network_name") == "Tower Hamlets Network 1 PCN")
    assert network.get_column("parent_area").to_list() == ["NHS North East London ICB - A3A8R"]
    members = england.practices.filter(pl.col("network_id") == network["network_id"].item())
    dm = england.slice("PREV_DM", dt.date(2022, 4, 1)).join(members, on="practice_id")
    assert sorted(dm.get_column("practice_name").to_list()) == [
        "Bethnal Green Health Centre",
        "Strouts Place Medical Centre",
        "Suttons Wharf Health Centre",
        "The Mission Practice",
    ]
    assert (dm["numerator"] <= dm["denominator"]).all()


def test_values_are_stored_sorted(england) -> None:
    stored = pl.read_parquet(builtin_path(KEY) / "values.parquet")
    assert_frame_equal(stored, stored.sort("indicator_id", "period", "practice_id"))


def test_it_is_what_the_importer_makes_of_the_raw_files(england) -> None:
    """Rebuilding from the unmodified public files gives the same tables."""
    result = import_qof(prevalence=PREVALENCE, mapping=MAPPING)
    for table in ("networks", "practices", "indicators", "values"):
        assert_frame_equal(
            getattr(england, table).sort(england_key(table)),
            result.tables[table].sort(england_key(table)),
        )


def england_key(table: str) -> list[str]:
    return {
        "networks": ["network_id"],
        "practices": ["practice_id"],
        "indicators": ["indicator_id"],
        "values": ["indicator_id", "period", "practice_id"],
    }[table]
