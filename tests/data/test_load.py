"""Loading the same data set from CSV, Parquet and SQL gives the same validated frames."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from netcompare.data.load import load_dataset, write_dataset, write_dataset_sql
from netcompare.data.problems import DataValidationError
from netcompare.data.schema import TABLE_NAMES, schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def tables(data) -> dict[str, pl.DataFrame]:
    return {t: getattr(data, t) for t in TABLE_NAMES}


def assert_same(a, b) -> None:
    for t in TABLE_NAMES:
        assert_frame_equal(getattr(a, t), getattr(b, t))


def test_sample_loads_with_canonical_schema(sample) -> None:
    for t in TABLE_NAMES:
        assert getattr(sample, t).schema == schema(t)
    assert sample.networks.height == 8
    assert sample.practices.height == 36
    assert sample.indicators.height == 16
    assert len(sample.periods()) == 36
    assert sample.name == "Riverbank sample borough (fictional)"


def test_slice_returns_exactly_one_indicator_and_period(sample) -> None:
    period = sample.latest_period
    part = sample.slice("IMM_MMR1", period)
    expected = sample.values.filter(
        (pl.col("indicator_id") == "IMM_MMR1") & (pl.col("period") == period)
    )
    assert_frame_equal(part, expected)
    assert part.height == 36
    assert sample.slice("IMM_MMR1", dt.date(1990, 1, 1)).height == 0


def test_parquet_round_trip_gives_same_frames(sample, tmp_path: Path) -> None:
    write_dataset(tmp_path / "pq", tables(sample), fmt="parquet")
    assert_same(load_dataset(tmp_path / "pq"), sample)


def test_unsorted_values_are_sorted_and_indexed(sample, tmp_path: Path) -> None:
    shuffled = tables(sample) | {"values": sample.values.sample(fraction=1.0, shuffle=True, seed=3)}
    folder = tmp_path / "shuffled"
    folder.mkdir()
    for t, frame in shuffled.items():
        frame.write_parquet(folder / f"{t}.parquet")
    loaded = load_dataset(folder)
    assert_same(loaded, sample)
    assert loaded.slice("DM_CAREPLAN", sample.latest_period).height == 36


def test_sqlite_database_gives_same_frames(sample, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data.db'}"
    write_dataset_sql(url, tables(sample))
    assert_same(load_dataset(url), sample)


@pytest.mark.postgres
def test_postgresql_database_gives_same_frames(sample) -> None:
    schema_name = f"nc_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema_name}"
        write_dataset_sql(url, tables(sample))
        assert_same(load_dataset(url), sample)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


def test_sql_database_with_bad_rows_reports_table_and_row(sample, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    bad_values = sample.values.with_columns(
        pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.col("denominator") + 10_000)
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    )
    write_dataset_sql(url, tables(sample) | {"values": bad_values})
    with pytest.raises(DataValidationError) as info:
        load_dataset(url)
    (problem,) = info.value.errors
    assert problem.file.endswith("table values")
    assert problem.row == 5
    assert "numerator > denominator" in problem.message


def test_missing_sql_table_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    sa.create_engine(url).connect().close()
    with pytest.raises(DataValidationError) as info:
        load_dataset(url)
    assert {p.message for p in info.value.errors} >= {
        "missing table: the database has no 'values' table"
    }


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="no such folder"):
        load_dataset(tmp_path / "nowhere")


def test_write_dataset_keeps_other_files_in_the_folder(sample, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.csv").write_text("keep me\n")
    write_dataset(folder, tables(sample))
    assert (folder / "notes.csv").read_text() == "keep me\n"
    assert (folder / "values.csv").is_file()
