"""`python -m bench.db_load` runs at a tiny size, reports every number, and leaves no scratch
data set behind (results, not timings: a benchmark's speed is never what a test asserts)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import db_load
from tests.data.db_fixtures import table_names

pytestmark = pytest.mark.postgres


def test_the_db_load_bench_reports_each_step_and_drops_its_data_set(
    pg_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    argv = ["--url", pg_db, "--rounds", "2", "--json", str(out), "--markdown", str(md)]
    tiny = ["--practices", "30", "--networks", "6", "--indicators", "3", "--months", "13"]
    assert db_load.main([*argv, *tiny]) == 0
    results = json.loads(out.read_text())
    for key in db_load.KEYS:
        assert isinstance(results[key], float) and math.isfinite(results[key]), key
        assert results[key] > 0 and len(results["details"]["samples_ms"][key]) == 2, key
    assert results["details"]["rows"] == 30 * 3 * 13
    assert results["db_read_over_folder_load"] > 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:2] == ["step", "median"]
    assert {line.split()[0] for line in printed[1:-1]} == {
        k.removesuffix("_ms") for k in db_load.KEYS
    }
    assert printed[-1].startswith("db_read / folder_load")
    assert "| db_read_ms |" in md.read_text()
    # the scratch data set is gone: its tables and its catalogue row
    assert table_names(pg_db) <= {"netcompare_datasets"}
    from netcompare.data.sqlstore import list_datasets

    assert list_datasets(pg_db) == []
