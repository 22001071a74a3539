"""Schema migrations: from an empty database, from the previous version with data, and the
models matching the newest migration, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from netcompare.notes import current_revision, head_revision, open_notes_store
from netcompare.notes.engine import make_engine
from netcompare.notes.models import Base
from netcompare.notes.store import VERSION_TABLE, downgrade, upgrade


def test_head_is_0004():
    assert head_revision() == "0004"


def test_empty_database_is_created_at_head(db_url):
    store = open_notes_store(db_url, seed=False)
    try:
        assert current_revision(store.engine) == "0004"
        tables = set(inspect(store.engine).get_table_names())
        assert {
            "notes",
            "tags",
            "note_tags",
            "note_practices",
            "access_rules",
            "note_audit",
            VERSION_TABLE,
        } <= tables
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
        assert current_revision(store.engine) == head_revision()
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


def _insert_0002_notes(engine) -> datetime:
    """A 0002 database holding a note of every kind: a practice note with tags, a question
    and its answer, a meeting action with a tag, a deleted note; ids given explicitly."""
    created = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)
    updated = datetime(2025, 3, 20, 9, 15, tzinfo=UTC)
    rows = [
        (1, "pn-1", "P025", "practice_note", None, "Reception books the retinal slot", None),
        (2, "q-1", "P025", "question", None, "How do you book it?", None),
        (3, "a-1", "P025", "answer", 2, "At the bloods visit", None),
        (4, "ma-1", "P026", "meeting_action", None, "P026 to try it for three months", None),
        (5, "del-1", "P027", "practice_note", None, "<b>withdrawn</b>", updated),
    ]
    with engine.begin() as conn:
        for note_id, uid, practice, kind, parent, body, deleted in rows:
            conn.execute(
                text(
                    "INSERT INTO notes (id, note_uid, practice_id, network_id, indicator_id, "
                    "period, kind, parent_id, body, author, created_at, updated_at, "
                    "deleted_at) VALUES (:id, :uid, :practice, 'N6', 'DM_RETINAL', :period, "
                    ":kind, :parent, :body, 'N6 learning set', :c, :u, :d)"
                ),
                {
                    "id": note_id,
                    "uid": uid,
                    "practice": practice,
                    "kind": kind,
                    "parent": parent,
                    "body": body,
                    "period": date(2025, 3, 1),
                    "c": created,
                    "u": updated,
                    "d": deleted,
                },
            )
        conn.execute(text("INSERT INTO tags (id, name) VALUES (1, 'recall'), (2, 'retinal')"))
        conn.execute(
            text(
                "INSERT INTO note_tags (note_id, tag_id) "
                "VALUES (1, 1), (1, 2), (3, 1), (4, 2), (5, 1)"
            )
        )
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences on
            conn.execute(text("SELECT setval('notes_id_seq', 5)"))
            conn.execute(text("SELECT setval('tags_id_seq', 2)"))
    return created


def test_upgrade_from_0002_keeps_every_note_and_field(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    created = _insert_0002_notes(engine)
    engine.dispose()

    store = open_notes_store(db_url, seed=False)  # upgrades to the head on start-up
    try:
        assert current_revision(store.engine) == head_revision()
        notes = {n.note_uid: n for n in store.list_notes(include_deleted=True)}
        assert set(notes) == {"pn-1", "q-1", "a-1", "ma-1", "del-1"}
        assert {uid: n.kind for uid, n in notes.items()} == {
            "pn-1": "practice_note",
            "q-1": "question",
            "a-1": "answer",
            "ma-1": "action",
            "del-1": "practice_note",
        }
        # Tags and the answer's link survive the table rebuild (no cascade on SQLite).
        assert notes["pn-1"].tags == ("recall", "retinal")
        assert notes["a-1"].tags == ("recall",) and notes["a-1"].parent_uid == "q-1"
        assert notes["ma-1"].tags == ("retinal",)
        assert notes["del-1"].is_deleted and notes["del-1"].tags == ("recall",)
        assert notes["del-1"].body == "<b>withdrawn</b>"
        for note in notes.values():
            assert note.created_at == created
            assert note.network_id == "N6" and note.indicator_id == "DM_RETINAL"
            assert note.period == date(2025, 3, 1) and note.author == "N6 learning set"
            assert note.intervention_date is None
        # The meeting action: an open action concerning its practice, owner and due unknown.
        action = notes["ma-1"]
        assert (action.status, action.practice_id, action.practice_ids) == (
            "open",
            "P026",
            ("P026",),
        )
        assert action.owner is None and action.due_date is None
        assert store.list_actions(practice_ids=["P026"]) == [action]
        for uid in ("pn-1", "q-1", "a-1", "del-1"):
            n = notes[uid]
            assert (n.status, n.owner, n.due_date, n.practice_ids) == (None, None, None, ())
        assert store.note_counts(["P025", "P026"]).rows() == [("P025", 3, 0), ("P026", 1, 0)]

        # The new schema works on the old data.
        done = store.update_action(
            "ma-1", owner="Practice manager, P026", due_date="2025-06-30", status="done"
        )
        assert done.owner == "Practice manager, P026" and done.tags == ("retinal",)
        wide = store.add_action(
            network_id="N6", body="All N6", author="x", owner="y", due_date="2025-09-30"
        )
        assert store.get_note(wide.note_uid).practice_id is None
        with store.engine.connect() as conn:
            if conn.dialect.name == "sqlite":  # foreign keys are back on after the upgrade
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_downgrade_to_0002_and_back_keeps_the_notes(db_url):
    store = open_notes_store(db_url, seed=False)
    q = store.ask_question(practice_id="P003", network_id="N1", body="How?", author="x")
    store.answer_question(q.note_uid, body="Fridays", author="y", tags=["recall"])
    store.add_note(
        practice_id="P003",
        network_id="N1",
        body="Recall on Fridays",
        author="z",
        intervention_date="2025-01-06",
        tags=["recall"],
    )
    store.add_action(
        network_id="N1",
        body="P003 and P001 to share the script",
        author="N1 learning set",
        owner="Practice manager, P003",
        due_date="2025-06-30",
        status="done",
        practice_ids=["P003", "P001"],
        tags=["script"],
    )
    store.close()

    engine = make_engine(db_url)
    downgrade(engine, "0002")
    assert current_revision(engine) == "0002"
    columns = {c["name"] for c in inspect(engine).get_columns("notes")}
    assert not {"owner", "due_date", "status", "intervention_date"} & columns
    assert "note_practices" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT body, kind FROM notes")).all())
        assert kinds["P003 and P001 to share the script"] == "meeting_action"
        n_tags = conn.execute(text("SELECT count(*) FROM note_tags")).scalar_one()
        assert n_tags == 3
        nullable = {c["name"]: c["nullable"] for c in inspect(conn).get_columns("notes")}
        assert nullable["practice_id"] is False
    upgrade(engine)
    engine.dispose()

    store = open_notes_store(db_url, seed=False)
    try:
        notes = {n.body: n for n in store.list_notes()}
        assert set(notes) == {
            "How?",
            "Fridays",
            "Recall on Fridays",
            "P003 and P001 to share the script",
        }
        action = notes["P003 and P001 to share the script"]
        # What 0002 could not keep is gone (documented in 0003's downgrade): back as open,
        # concerning its own practice only, without owner or due date.
        assert (action.kind, action.status, action.practice_ids, action.owner) == (
            "action",
            "open",
            ("P003",),
            None,
        )
        assert action.tags == ("script",)
        assert notes["Fridays"].parent_uid == q.note_uid and notes["Fridays"].tags == ("recall",)
        assert notes["Recall on Fridays"].intervention_date is None
    finally:
        store.close()


def test_downgrade_refuses_while_network_wide_actions_exist(db_url):
    store = open_notes_store(db_url, seed=False)
    wide = store.add_action(
        network_id="N1", body="Every N1 practice", author="x", owner="y", due_date="2025-06-30"
    )
    store.close()
    engine = make_engine(db_url)
    try:
        with pytest.raises(RuntimeError, match=r"1 action\(s\) are about a whole network"):
            downgrade(engine, "0002")
        assert current_revision(engine) == head_revision()  # rolled back: nothing changed
    finally:
        engine.dispose()
    store = open_notes_store(db_url, seed=False)
    try:
        assert store.get_note(wide.note_uid).practice_id is None
    finally:
        store.close()


def test_upgrade_from_0003_keeps_every_note_and_starts_the_audit_empty(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    created = _insert_0002_notes(engine)
    upgrade(engine, "0003")  # the 0003 database a user of the previous version has
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE notes SET owner = 'Practice manager, P026', due_date = :due, "
                "intervention_date = :started WHERE note_uid = 'ma-1'"
            ),
            {"due": date(2025, 6, 30), "started": date(2025, 4, 1)},
        )
        conn.execute(text("INSERT INTO note_practices (note_id, practice_id) VALUES (4, 'P027')"))
    engine.dispose()

    store = open_notes_store(db_url, seed=False)  # upgrades to 0004 on start-up
    try:
        assert current_revision(store.engine) == "0004"
        notes = {n.note_uid: n for n in store.list_notes(include_deleted=True)}
        assert set(notes) == {"pn-1", "q-1", "a-1", "ma-1", "del-1"}
        assert all(n.author_id is None for n in notes.values())  # written before sign-in
        assert all(
            n.author == "N6 learning set" and n.created_at == created for n in notes.values()
        )
        assert notes["pn-1"].tags == ("recall", "retinal")
        assert notes["a-1"].parent_uid == "q-1" and notes["del-1"].is_deleted
        action = notes["ma-1"]
        assert (action.owner, action.due_date, action.intervention_date) == (
            "Practice manager, P026",
            date(2025, 6, 30),
            date(2025, 4, 1),
        )
        assert action.practice_ids == ("P026", "P027")
        assert store.audit() == []
        tables = set(inspect(store.engine).get_table_names())
        assert {"access_rules", "note_audit"} <= tables
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM access_rules")).scalar_one() == 0
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # The new schema works on the old data.
        edited = store.update_note("pn-1", body="Reception books it at the bloods visit")
        assert edited.tags == ("recall", "retinal")
        assert [e.action for e in store.audit("pn-1")] == ["edit"]
    finally:
        store.close()


def test_downgrade_to_0003_and_back_keeps_the_notes(db_url):
    from netcompare.access.rules import AccessRepository
    from netcompare.access.viewer import AccessRule, Viewer

    store = open_notes_store(db_url, seed=False)
    mo = Viewer("mo@nhs.net", "Mo", (AccessRule("mo@nhs.net", "N1", "member"),))
    q = store.ask_question(practice_id="P003", network_id="N1", body="How?", actor=mo)
    store.answer_question(q.note_uid, body="Fridays", author="y", tags=["recall"])
    store.add_action(
        network_id="N1",
        body="Every N1 practice",
        author="x",
        owner="y",
        due_date="2025-06-30",
        practice_ids=["P003", "P001"],
    )
    AccessRepository(store).add("mo@nhs.net", "N1", "member")
    store.close()

    engine = make_engine(db_url)
    downgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    tables = set(inspect(engine).get_table_names())
    assert not {"access_rules", "note_audit"} & tables
    assert "author_id" not in {c["name"] for c in inspect(engine).get_columns("notes")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar_one() == 3
        assert conn.execute(text("SELECT count(*) FROM note_practices")).scalar_one() == 2
        assert conn.execute(text("SELECT count(*) FROM note_tags")).scalar_one() == 1
    upgrade(engine)
    engine.dispose()

    store = open_notes_store(db_url, seed=False)
    try:
        notes = {n.body: n for n in store.list_notes()}
        assert set(notes) == {"How?", "Fridays", "Every N1 practice"}
        assert notes["How?"].author == "Mo" and notes["How?"].author_id is None  # id lost
        assert notes["Fridays"].parent_uid == q.note_uid and notes["Fridays"].tags == ("recall",)
        assert notes["Every N1 practice"].practice_ids == ("P003", "P001")
        assert store.audit() == [] and AccessRepository(store).list() == []
    finally:
        store.close()
