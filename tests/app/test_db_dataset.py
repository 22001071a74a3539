"""The app serves a named data set from a database (issue 16, part 3), in shared mode, and
serves a new version loaded by ``db load`` on a later rerun without a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import netcompare.ui.dataset as ui_dataset
from netcompare.data.sqlstore import load_into_db
from tests.app.apptest_reading import no_exception
from tests.app.conftest import APP
from tests.app.test_shared_mode import everything_shown
from tests.app.tiny_datasets import write_tiny


def test_a_named_data_set_in_a_database_is_served_and_follows_new_versions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "srv" / "tiny")
    url = f"sqlite:///{(tmp_path / 'srv' / 'datasets.db').as_posix()}"
    load_into_db(folder, url, "tiny")
    monkeypatch.setenv("NETCOMPARE_MODE", "shared")
    monkeypatch.setenv("NETCOMPARE_ACCESS", "open")
    monkeypatch.setenv("NETCOMPARE_BUILTIN_DATASETS", "false")
    monkeypatch.setenv("NETCOMPARE_DATASETS", f"ics={url}#tiny")
    ui_dataset.cached_dataset.clear()
    ui_dataset.catalogue_version.clear()
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    no_exception(at)
    assert at.sidebar.selectbox(key="data").options == ["ics"]
    assert at.sidebar.caption[-1].value == "Data: Tiny test borough"
    assert str(tmp_path) not in everything_shown(at)
    # a new version, loaded while the app runs
    meta = folder / "dataset.json"
    meta.write_text(json.dumps({"name": "Tiny borough, version two", "source": "tests"}))
    assert load_into_db(folder, url, "tiny").version == 2
    ui_dataset.catalogue_version.clear()  # as if CATALOGUE_TTL_S had passed
    assert ui_dataset.dataset_version(f"{url}#tiny") == "db:2"
    at.run()
    no_exception(at)
    assert at.sidebar.caption[-1].value == "Data: Tiny borough, version two"
    assert str(tmp_path) not in everything_shown(at)
    ui_dataset.cached_dataset.clear()
    ui_dataset.catalogue_version.clear()
