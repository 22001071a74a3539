"""Schema migrations: from an empty database, from the previous version with data, and the
models matching the newest migration, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from netcompare.notes import current_revision, head_revision, open_notes_store
from netcompare.notes.engine import make_engine
from netcompare.notes.models import Base
from netcompare.notes.store import VERSION_TABLE, downgrade, upgrade


def test_head_is_0003():
    assert head_revision() == "0003"


def test_empty_database_is_created_at_head(db_url):
    store = open_notes_store(db_url, seed=False)
    try:
        assert current_revision(store.engine) == "0003"
        tables = set(inspect(store.engine).get_table_names())
        assert {"notes", "tags", "note_tags", "note_practices", VERSION_TABLE} <= tables
        assert "alembic_version" not in tables  # its own version table, to share a database
    finally:
        store.close()


def test_models_match_the_newest_migration(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_from_0001_keeps_every_note(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "tags" not in inspect(engine).get_table_names()
    created = datetime(2024, 6, 1, 9, 30, tzinfo=UTC)
    rows = [
        {"id": 1, "uid": "q-1", "kind": "question", "parent": None, "body": "How do you do it?"},
        {"id": 2, "uid": "a-1", "kind": "answer", "parent": 1, "body": "We phone on Fridays"},
        {"id": 3, "uid": "n-1", "kind": "practice_note", "parent": None, "body": "<b>bold</b>"},
    ]
    with engine.begin() as conn:
        for r in rows:
            conn.execute(
                text(
                    "INSERT INTO notes (id, note_uid, practice_id, network_id, indicator_id, "
                    "period, kind, parent_id, body, author, created_at, updated_at, deleted_at) "
                    "VALUES (:id, :uid, 'P003', 'N1', 'IMM_MMR1', :period, :kind, :parent, "
                    ":body, 'Old author', :t, :t, NULL)"
                ),
                {**r, "period": date(2024, 5, 1), "t": created},
            )
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequence on
            conn.execute(text("SELECT setval('notes_id_seq', 3)"))
    engine.dispose()

    store = open_notes_store(db_url, seed=False)  # runs the upgrade on start-up
    try:
        assert current_revision(store.engine) == "0003"
        notes = {n.note_uid: n for n in store.list_notes()}
        assert set(notes) == {"q-1", "a-1", "n-1"}
        assert notes["a-1"].parent_uid == "q-1"
        assert notes["n-1"].body == "<b>bold</b>"
        assert notes["q-1"].created_at == created
        assert notes["q-1"].period == date(2024, 5, 1)
        assert all(n.tags == () for n in notes.values())
        # The new schema works on the old data.
        tagged = store.update_note("n-1", tags=["recall"])
        assert tagged.tags == ("recall",)
        fresh = store.add_note(practice_id="P003", network_id="N1", body="new", author="x")
        assert store.get_note(fresh.note_uid).body == "new"
        assert store.note_counts(["P003"]).row(0) == ("P003", 4, 0)
    finally:
        store.close()


def test_downgrade_and_upgrade_again_keep_notes(db_url):
    store = open_notes_store(db_url, seed=False)
    store.add_note(practice_id="P001", network_id="N1", body="kept", author="x", tags=["t"])
    store.close()
    engine = make_engine(db_url)
    downgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    upgrade(engine)
    engine.dispose()
    store = open_notes_store(db_url, seed=False)
    try:
        [note] = store.list_notes()
        assert note.body == "kept" and note.tags == ()  # tags live in 0002's tables
    finally:
        store.close()


def test_opening_twice_is_a_no_op(db_url):
    first = open_notes_store(db_url, seed=False)
    first.add_note(practice_id="P001", network_id="N1", body="one", author="x")
    second = open_notes_store(db_url, seed=False)
    try:
        assert second.count() == 1
        assert current_revision(second.engine) == head_revision()
    finally:
        first.close()
        second.close()
