"""Every change to a note is kept in ``note_audit`` (issue 16), in the same transaction as the
change, on SQLite and PostgreSQL: who (signed-in email and name, or no sign-in), what, when,
and the fields that changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import netcompare.notes.repository as repository
from netcompare.access.viewer import AccessRule, Viewer
from netcompare.cli import main
from netcompare.notes import (
    AuditEntry,
    NoteConflict,
    NotesRepository,
    NoteValidationError,
    notes_to_csv,
    open_notes_store,
    read_notes_csv,
)
from netcompare.notes.repository import NO_SIGN_IN

MO = Viewer("mo@nhs.net", "Mo Member", (AccessRule("mo@nhs.net", "N1", "member"),))
LENA = Viewer("lena@nhs.net", "Lena Lead", (AccessRule("lena@nhs.net", "N1", "lead"),))
ADA = Viewer("ada@nhs.net", None, (AccessRule("ada@nhs.net", None, "admin"),))


class Clock:
    """A clock moving one minute per reading, so every change has its own time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clocked(db_url):
    repo = open_notes_store(db_url, seed=False)
    timed = NotesRepository(repo.engine, clock=Clock())
    yield timed
    repo.close()


def add(store: NotesRepository, actor=None, **kw):
    fields = {
        "practice_id": "P003",
        "network_id": "N1",
        "indicator_id": "IMM_MMR1",
        "body": "Recall on Fridays",
        "author": "Practice nurse, P003",
        "tags": ["recall"],
    }
    fields.update(kw)
    return store.add_note(**fields, actor=actor)


def test_every_kind_of_change_is_recorded_newest_first(clocked):
    store = clocked
    note = add(store, MO)
    store.update_note(note.note_uid, body="Recall on Thursdays", actor=MO)
    store.delete_note(note.note_uid, actor=LENA)
    store.restore_note(note.note_uid, actor=ADA)
    action = store.add_action(
        network_id="N1",
        body="Share the script",
        owner="Practice manager, P003",
        due_date="2026-06-30",
        practice_ids=["P003", "P001"],
        actor=MO,
    )
    store.update_action(action.note_uid, owner="Nurse, P003", due_date="2026-07-31", actor=LENA)
    store.set_action_status(action.note_uid, "done", actor=MO)

    entries = store.audit(note.note_uid)
    assert all(isinstance(e, AuditEntry) for e in entries)
    assert [(e.action, e.actor_id, e.actor_name) for e in entries] == [
        ("restore", "ada@nhs.net", "ada@nhs.net"),  # no name: the email
        ("delete", "lena@nhs.net", "Lena Lead"),
        ("edit", "mo@nhs.net", "Mo Member"),
        ("add", "mo@nhs.net", "Mo Member"),
    ]
    restored, deleted, edited, added = entries
    assert added.detail == {
        "practice_id": "P003",
        "network_id": "N1",
        "kind": "practice_note",
        "body": "Recall on Fridays",
        "author": "Mo Member",
        "author_id": "mo@nhs.net",
        "indicator_id": "IMM_MMR1",
        "tags": ["recall"],
    }
    assert added.at == note.created_at
    assert edited.detail == {"body": {"from": "Recall on Fridays", "to": "Recall on Thursdays"}}
    deleted_at = store.audit(note.note_uid)[1].at
    assert deleted.detail == {"deleted_at": {"from": None, "to": deleted_at.isoformat()}}
    assert restored.detail == {"deleted_at": {"from": deleted_at.isoformat(), "to": None}}
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)

    status, edit, made = store.audit(action.note_uid)
    assert (made.action, made.detail["practice_ids"], made.detail["status"]) == (
        "add",
        ["P003", "P001"],
        "open",
    )
    assert made.detail["owner"] == "Practice manager, P003"
    assert made.detail["due_date"] == "2026-06-30"
    assert (edit.action, edit.actor_id) == ("edit", "lena@nhs.net")
    assert edit.detail == {
        "owner": {"from": "Practice manager, P003", "to": "Nurse, P003"},
        "due_date": {"from": "2026-06-30", "to": "2026-07-31"},
    }
    assert (status.action, status.detail) == ("status", {"status": {"from": "open", "to": "done"}})

    everything = store.audit()
    assert len(everything) == 7 and everything[0] == status
    assert store.audit(limit=2) == everything[:2]


def test_questions_answers_and_tags_are_recorded(store):
    question = store.ask_question(practice_id="P003", network_id="N1", body="How?", actor=MO)
    answer = store.answer_question(question.note_uid, body="Fridays", actor=LENA)
    store.update_note(answer.note_uid, tags=["recall", "phone"], actor=LENA)
    [asked] = store.audit(question.note_uid)
    assert (asked.action, asked.detail["kind"]) == ("add", "question")
    edited, answered = store.audit(answer.note_uid)
    assert answered.detail["parent_uid"] == question.note_uid
    assert edited.detail == {"tags": {"from": [], "to": ["phone", "recall"]}}


def test_changes_without_sign_in_are_recorded_too(store):
    note = add(store)
    store.update_note(note.note_uid, body="changed")
    [edit, made] = store.audit(note.note_uid)
    assert (made.actor_id, made.actor_name, made.detail["author"]) == (
        None,
        NO_SIGN_IN,
        "Practice nurse, P003",
    )
    assert (edit.actor_id, edit.actor_name) == (None, NO_SIGN_IN)


def test_nothing_changed_nothing_recorded(store):
    note = add(store, MO)
    action = store.add_action(network_id="N1", body="x", owner="y", due_date="2026-06-30", actor=MO)
    store.set_action_status(action.note_uid, "open", actor=MO)  # it is open already
    store.restore_note(note.note_uid, actor=MO)  # not deleted
    store.delete_note(note.note_uid, actor=MO)
    store.delete_note(note.note_uid, actor=MO)  # deleted already
    assert [e.action for e in store.audit()] == ["delete", "add", "add"]


def test_a_change_that_fails_records_nothing(store):
    note = add(store, MO)
    with pytest.raises(NoteValidationError):
        store.update_note(note.note_uid, body="", actor=MO)
    with pytest.raises(NoteConflict):
        store.update_note(
            note.note_uid,
            body="late",
            expected_updated_at=note.updated_at - timedelta(seconds=1),
            actor=MO,
        )
    with pytest.raises(NoteValidationError):
        add(store, MO, body="x" * 5000)
    assert [e.action for e in store.audit()] == ["add"]
    assert store.count() == 1


def test_the_audit_row_and_the_change_commit_together(store, monkeypatch):
    """If recording the change fails, the change is not saved either (one transaction)."""
    note = add(store, MO)
    real = repository.write_audit

    def failing(session, **kwargs):
        real(session, **kwargs)
        session.flush()  # the audit row is written...
        raise RuntimeError("disk full")  # ...then the transaction fails

    monkeypatch.setattr(repository, "write_audit", failing)
    with pytest.raises(RuntimeError):
        add(store, MO, body="never saved")
    with pytest.raises(RuntimeError):
        store.update_note(note.note_uid, body="never saved", actor=MO)
    with pytest.raises(RuntimeError):
        store.delete_note(note.note_uid, actor=MO)
    monkeypatch.setattr(repository, "write_audit", real)
    assert store.count() == 1 and store.get_note(note.note_uid) == note
    assert [e.action for e in store.audit()] == ["add"]


def test_an_import_records_each_note_added_or_updated(store, tmp_path):
    first = add(store, MO)
    second = add(store, MO, body="Another")
    exported = read_notes_csv(_write(tmp_path / "backup.csv", notes_to_csv([first, second])))
    assert [n.author_id for n in exported] == ["mo@nhs.net", "mo@nhs.net"]  # kept in the CSV

    other = open_notes_store(f"sqlite:///{tmp_path / 'other.db'}", seed=False)
    try:
        assert other.import_notes(exported, actor=LENA).added == 2
        entries = other.audit()
        assert {(e.action, e.note_uid, e.actor_id) for e in entries} == {
            ("import", first.note_uid, "lena@nhs.net"),
            ("import", second.note_uid, "lena@nhs.net"),
        }
        assert all(e.detail["author_id"] == "mo@nhs.net" for e in entries)
        assert other.get_note(first.note_uid).author_id == "mo@nhs.net"
        # again: nothing changes, nothing recorded; a newer copy: one "import" row, its changes
        assert other.import_notes(exported).unchanged == 2
        newer = store.update_note(second.note_uid, body="Changed", actor=MO)
        assert other.import_notes([newer]).updated == 1
        latest = other.audit()[0]
        assert (latest.action, latest.note_uid, latest.actor_id) == (
            "import",
            second.note_uid,
            None,
        )
        assert latest.detail == {"body": {"from": "Another", "to": "Changed"}}
        assert len(other.audit()) == 3
    finally:
        other.close()


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_the_first_run_sample_notes_are_not_audited(sqlite_url):
    store = open_notes_store(sqlite_url, seed=True)
    try:
        assert store.count() > 0 and store.audit() == []
    finally:
        store.close()


def test_audit_of_a_bad_id_is_not_found(store):
    from netcompare.notes import NoteNotFound

    with pytest.raises(NoteNotFound):
        store.audit("not a uid!")
    assert store.audit("0b7e3c1a-0000-4000-8000-000000000000") == []


def test_the_notes_audit_command(db_url, monkeypatch, capsys):
    monkeypatch.setenv("NETCOMPARE_DB_URL", db_url)
    store = open_notes_store(db_url, seed=False)
    try:
        note = add(store, MO)
        store.update_note(note.note_uid, body="changed", actor=LENA)
    finally:
        store.close()
    assert main(["notes", "audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1:] for line in lines] == [
        ["edit", note.note_uid, "Lena Lead <lena@nhs.net>", "body"],
        [
            "add",
            note.note_uid,
            "Mo Member <mo@nhs.net>",
            "author, author_id, body, indicator_id, kind, network_id, practice_id, tags",
        ],
    ]
    assert main(["notes", "audit", "--note", note.note_uid, "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["notes", "audit", "--limit", "0"]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
