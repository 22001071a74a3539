"""CSV downloads are safe to open in a spreadsheet (issue 13, point 4): a practice, network or
indicator name starting with = + - @, a tab or a carriage return is written with a leading
quote (OWASP, CSV injection), on the league table's and the Data page's downloads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.load import write_dataset
from tests.app.apptest_reading import no_exception
from tests.app.conftest import APP
from tests.app.tiny_datasets import tiny_tables

FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "+1 Surgery", "-2+3", "@SUM(A1)"]
RISKY = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = tiny_tables()
    names = tables["practices"]["practice_name"].to_list()
    names[: len(FORMULAS)] = FORMULAS
    tables["practices"] = tables["practices"].with_columns(practice_name=pl.Series(names))
    tables["networks"] = tables["networks"].with_columns(network_name=pl.lit("=1+1 network"))
    folder = write_dataset(tmp_path / "formulas", tables, metadata={"name": "Formula borough"})
    monkeypatch.setenv("NETCOMPARE_DATA", str(folder))


def _cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode())) for cell in row]


@pytest.mark.parametrize(
    ("page", "stem"), [("pages/league.py", "league_"), ("pages/data.py", "practices")]
)
def test_every_downloaded_cell_is_safe_in_a_spreadsheet(
    formula_names: None, downloads: dict[str, bytes], page: str, stem: str
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["network"] = "ALL"
    at.run()
    at.switch_page(page).run()
    no_exception(at)
    [name] = [n for n in downloads if n.startswith(stem) and n.endswith(".csv")]
    cells = _cells(downloads[name])
    # Every formula-like name on the page is there, quoted (the tiny data set's first
    # practice has no value for the league's indicator in the latest period).
    quoted = [f for f in FORMULAS if "'" + f in cells]
    assert len(quoted) >= len(FORMULAS) - 1, downloads[name].decode()[:800]
    assert "'=1+1 network" in cells
    assert not [c for c in cells if c.startswith(RISKY)], name
