"""The notes and access-rules database configured in the secrets file, as docs/deployment.md
shows it (``db_url`` in ``[netcompare]``), is the one the app and the CLI use: an operator
who follows the guide gets PostgreSQL, not the per-user SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from netcompare.notes import open_notes_store
from tests.app.conftest import APP, ROOT


def test_the_cli_uses_the_db_url_of_the_secrets_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[netcompare]\nmode = "shared"\ndb_url = "{url}"\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "NETCOMPARE_DB_URL"}
    env["HOME"] = str(tmp_path / "home")  # no user-level secrets, no user SQLite file
    env["PYTHONPATH"] = str(ROOT)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "netcompare", *args],
            cwd=tmp_path,  # the app's folder, holding .streamlit/secrets.toml
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    added = cli("users", "add", "lead@example.nhs.uk", "--network", "N1", "--role", "lead")
    assert added.returncode == 0, added.stderr
    listed = cli("users", "list")
    assert listed.returncode == 0 and "lead@example.nhs.uk" in listed.stdout
    assert (tmp_path / "configured.db").is_file()
    assert not (tmp_path / "home" / ".local").exists()  # not the per-user default


def test_the_app_reads_notes_from_the_db_url_of_the_secrets_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    store = open_notes_store(url, seed=False)
    store.add_note(
        practice_id="P001", network_id="N1", body="Kept in the configured db", author="A"
    )
    store.close()
    monkeypatch.delenv("NETCOMPARE_DB_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["netcompare"] = {"db_url": url}
    at.run()
    at.switch_page("pages/notes.py").run()
    assert not at.exception, at.exception
    assert any("Kept in the configured db" in t.value for t in at.text)
