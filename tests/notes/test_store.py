"""Where the store lives, first-run seeding, and clear messages when it cannot be used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netcompare.errors import UserError
from netcompare.notes import (
    NotesUnavailable,
    current_revision,
    default_db_path,
    default_db_url,
    get_repository,
    open_notes_store,
    read_notes_csv,
    resolve_db_url,
)
from netcompare.notes.engine import describe_url, make_engine
from netcompare.notes.store import upgrade

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "notes.csv"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty user data directory and no NETCOMPARE_DB_URL."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("NETCOMPARE_DB_URL", raising=False)
    return tmp_path / "data"


def test_url_resolution_order(home, monkeypatch):
    assert default_db_path() == home / "netcompare" / "notes.db"
    assert resolve_db_url() == default_db_url() == f"sqlite:///{home}/netcompare/notes.db"
    monkeypatch.setenv("NETCOMPARE_DB_URL", "  postgresql+psycopg://u@h/db  ")
    assert resolve_db_url() == "postgresql+psycopg://u@h/db"
    assert resolve_db_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_store_is_created_and_seeded_once(home):
    assert not (home / "netcompare").exists()
    store = get_repository()
    try:
        assert (home / "netcompare" / "notes.db").is_file()
        sample = read_notes_csv(SAMPLE)
        assert store.count() == len(sample)
        assert {n.note_uid for n in store.list_notes()} == {n.note_uid for n in sample}
        gone = store.list_notes()[0]
        for note in store.list_notes():
            store.delete_note(note.note_uid)
        store.restore_note(gone.note_uid)
    finally:
        store.close()
    again = get_repository()  # not empty (deleted notes count): no second seed
    try:
        assert again.count() == 1
        assert again.count(include_deleted=True) == len(sample)
    finally:
        again.close()


def test_a_configured_database_is_not_seeded(home, tmp_path, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", f"sqlite:///{tmp_path}/shared.db")
    store = get_repository()
    try:
        assert store.count() == 0
    finally:
        store.close()
    seeded = open_notes_store(f"sqlite:///{tmp_path}/demo.db", seed=SAMPLE)
    try:
        assert seeded.count() == len(read_notes_csv(SAMPLE))
    finally:
        seeded.close()


def test_invalid_seed_file_is_a_user_error_and_nothing_is_written(tmp_path):
    bad = tmp_path / "seed.csv"
    bad.write_text("practice_id,network_id,kind,author,body\nP1,N1,gossip,A,b\n", "utf-8")
    url = f"sqlite:///{tmp_path}/s.db"
    with pytest.raises(UserError, match=re.escape("seed.csv, row 2: the kind 'gossip'")):
        open_notes_store(url, seed=bad)
    engine = make_engine(url)
    assert current_revision(engine) is None  # the upgrade was rolled back with the seed
    engine.dispose()


def test_read_only_sqlite_reads_but_refuses_writes_clearly(tmp_path):
    path = tmp_path / "notes.db"
    store = open_notes_store(f"sqlite:///{path}", seed=False)
    note = store.add_note(practice_id="P1", network_id="N1", body="kept", author="A")
    store.close()
    read_only = open_notes_store(f"sqlite:///file:{path}?mode=ro&uri=true", seed=False)
    try:
        assert [n.body for n in read_only.list_notes()] == ["kept"]
        with pytest.raises(NotesUnavailable) as err:
            read_only.add_note(practice_id="P1", network_id="N1", body="new", author="A")
        message = str(err.value)
        assert "is read-only: notes can be read but not saved" in message
        assert "Could not save the note" in message
        with pytest.raises(NotesUnavailable, match="read-only"):
            read_only.delete_note(note.note_uid)
    finally:
        read_only.close()


def test_read_only_sqlite_that_needs_an_upgrade(tmp_path):
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(NotesUnavailable, match=r"is read-only.*open or upgrade the notes store"):
        open_notes_store(f"sqlite:///file:{path}?mode=ro&uri=true", seed=False)


def test_sqlite_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(NotesUnavailable, match="Cannot create the folder"):
        open_notes_store(f"sqlite:///{blocker}/sub/notes.db", seed=False)


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NotesUnavailable, match="is not a readable SQLite database"):
        open_notes_store(f"sqlite:///{path}", seed=False)


def test_unreachable_postgresql_is_a_clear_message():
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere"
    with pytest.raises(NotesUnavailable) as err:
        open_notes_store(url, seed=False)
    message = str(err.value)
    assert "cannot be reached" in message
    assert "secret" not in message and "***" in message
    assert "the rest of netcompare still works" in message


@pytest.mark.postgres
def test_read_only_postgresql_role_refuses_writes_clearly(pg_url):
    store = open_notes_store(pg_url, seed=False)
    store.add_note(practice_id="P1", network_id="N1", body="kept", author="A")
    store.close()
    ro_url = (
        pg_url + ("&" if "?" in pg_url else "?") + "options=-cdefault_transaction_read_only%3Don"
    )
    read_only = open_notes_store(ro_url, seed=False)
    try:
        assert read_only.count() == 1
        with pytest.raises(NotesUnavailable, match="is read-only"):
            read_only.add_note(practice_id="P1", network_id="N1", body="new", author="A")
    finally:
        read_only.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql+nosuchdriver://u@h/db", "needs a database driver that is not installed"),
    ],
)
def test_bad_urls(url, message):
    with pytest.raises(NotesUnavailable, match=message):
        open_notes_store(url, seed=False)


def test_describe_url_hides_the_password():
    assert (
        describe_url("postgresql+psycopg://me:pw@host/db") == "postgresql+psycopg://me:***@host/db"
    )
