"""An edited data set is reloaded: a corrected values.csv shows on the next rerun, no restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_reading import SAMPLE, latest_period
from tests.app.conftest import APP

INDICATOR = "IMM_MMR1"


def _league_numerator(at: AppTest, practice_name: str) -> int:
    shown = pl.from_pandas(at.dataframe[0].value.drop(columns=["Last 12 periods"]))
    row = shown.filter(pl.col("Practice") == practice_name)
    assert row.height == 1, f"{practice_name} not in the league table"
    return int(row.get_column("Numerator").item())


def test_a_changed_value_shows_on_the_next_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "borough"
    shutil.copytree(SAMPLE, folder)
    monkeypatch.setenv("NETCOMPARE_DATA", str(folder))
    period = latest_period()
    values = pl.read_csv(folder / "values.csv", try_parse_dates=True)
    target = values.filter(
        (pl.col("indicator_id") == INDICATOR) & (pl.col("period") == period)
    ).row(0, named=True)
    name = (
        pl.read_csv(folder / "practices.csv")
        .filter(pl.col("practice_id") == target["practice_id"])
        .get_column("practice_name")
        .item()
    )

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/league.py").run()
    assert not at.exception, at.exception
    assert _league_numerator(at, name) == target["numerator"]

    # A corrected numerator (one fewer patient vaccinated), written while the app runs.
    corrected = target["numerator"] - 1
    edited = values.with_columns(
        pl.when(
            (pl.col("indicator_id") == INDICATOR)
            & (pl.col("period") == period)
            & (pl.col("practice_id") == target["practice_id"])
        )
        .then(pl.lit(corrected))
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    )
    stat = (folder / "values.csv").stat()
    edited.write_csv(folder / "values.csv")
    # Same size and time is possible for a one-digit edit: make the time move for certain.
    os.utime(folder / "values.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    at.run()
    assert not at.exception, at.exception
    assert _league_numerator(at, name) == corrected
