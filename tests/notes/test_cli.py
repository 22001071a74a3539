"""``python -m netcompare notes export|import|status`` against the configured database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from netcompare.cli import main
from netcompare.notes import open_notes_store, read_notes_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "notes.csv"


def test_import_export_round_trip_between_databases(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NETCOMPARE_DB_URL", db_url)
    assert main(["notes", "import", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "33 added, 0 updated, 0 already there" in out
    assert main(["notes", "import", str(SAMPLE)]) == 0
    assert "0 added, 0 updated, 33 already there" in capsys.readouterr().out

    store = open_notes_store(db_url, seed=False)
    q = next(n for n in store.list_notes() if n.kind == "question")
    store.delete_note(q.note_uid)
    store.close()

    backup = tmp_path / "backup.csv"
    assert main(["notes", "export", "--out", str(backup)]) == 0
    assert "Exported 33 notes" in capsys.readouterr().out
    exported = read_notes_csv(backup)
    assert sum(n.is_deleted for n in exported) == 1

    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["notes", "import", "--db-url", other, str(backup)]) == 0
    capsys.readouterr()
    moved = open_notes_store(other, seed=False)
    try:
        assert moved.list_notes(include_deleted=True, newest_first=False) == exported
    finally:
        moved.close()


def test_export_filters_and_markdown(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'n.db'}"
    monkeypatch.setenv("NETCOMPARE_DB_URL", url)
    main(["notes", "import", str(SAMPLE)])
    capsys.readouterr()
    assert main(["notes", "export", "--out", "-", "--practice", "P003"]) == 0
    csv_text = capsys.readouterr().out
    assert csv_text.startswith("note_uid,practice_id,")
    # the P003 note, question and answer, and the N1 action that concerns every N1 practice
    assert len(csv_text.strip().splitlines()) == 1 + 4
    assert "Practice manager, P001" in csv_text
    minutes = tmp_path / "minutes.md"
    assert main(["notes", "export", "--out", str(minutes), "--tag", "template"]) == 0
    text = minutes.read_text(encoding="utf-8")
    assert text.startswith("# Peer notes")
    assert "care-planning template" in text and "MMR" not in text
    assert main(["notes", "status"]) == 0
    status = capsys.readouterr().out
    assert "schema:   0004 (newest 0004)" in status and "notes:    33 (0 deleted)" in status


def test_errors_are_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", f"sqlite:///{tmp_path / 'n.db'}")
    bad = tmp_path / "bad.csv"
    bad.write_text("practice_id,network_id,kind,author,body\nP1,N1,question,,b\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "netcompare", "notes", "import", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "NETCOMPARE_DB_URL": f"sqlite:///{tmp_path / 'n.db'}"},
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: bad.csv, row 2: the author's name is required"
    assert "Traceback" not in proc.stderr

    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/x"
    assert main(["notes", "status", "--db-url", unreachable]) == 2
