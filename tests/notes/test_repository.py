"""The notes repository against a temporary SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import inspect

from netcompare.notes import (
    NoteConflict,
    NoteNotFound,
    NotesRepository,
    NoteValidationError,
    count_notes,
    with_note_counts,
)

from .conftest import make_note


def test_add_and_get_round_trip_every_field(store):
    note = make_note(store, period="2025-03-01", tags=["Recall", "MDT"])
    assert len(note.note_uid) == 36
    assert note.kind == "practice_note"
    assert note.tags == ("mdt", "recall")
    assert note.created_at.tzinfo is not None and note.created_at.utcoffset() == timedelta(0)
    assert note.created_at == note.updated_at
    again = store.get_note(note.note_uid)
    assert again == note
    assert again.period == date(2025, 3, 1)


def test_list_filters(store):
    a = make_note(store, practice_id="P001", network_id="N1", tags=["recall"])
    b = make_note(
        store,
        practice_id="P006",
        network_id="N2",
        indicator_id="DM_CAREPLAN",
        tags=["template"],
        body="Care plan template",
    )
    c = make_note(
        store,
        practice_id="P006",
        network_id="N2",
        indicator_id=None,
        tags=[],
        body="Weekly dashboard huddle",
    )
    uids = lambda notes: {n.note_uid for n in notes}  # noqa: E731
    assert uids(store.list_notes()) == {a.note_uid, b.note_uid, c.note_uid}
    assert uids(store.list_notes(practice_ids=["P006"])) == {b.note_uid, c.note_uid}
    assert uids(store.list_notes(network_ids=["N1"])) == {a.note_uid}
    assert uids(store.list_notes(indicator_ids=["DM_CAREPLAN"])) == {b.note_uid}
    assert uids(store.list_notes(indicator_ids=["DM_CAREPLAN"], include_general=True)) == {
        b.note_uid,
        c.note_uid,
    }
    assert uids(store.list_notes(tags=["TEMPLATE"])) == {b.note_uid}
    assert uids(store.list_notes(tags="recall, template")) == {a.note_uid, b.note_uid}
    assert uids(store.list_notes(text="HUDDLE")) == {c.note_uid}
    assert uids(store.list_notes(kinds=["question"])) == set()
    assert len(store.list_notes(limit=2)) == 2


def test_newest_first_and_oldest_first(db_url):
    from netcompare.notes import open_notes_store

    t0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    times = iter(t0 + timedelta(minutes=i) for i in range(10))
    repo = open_notes_store(db_url, seed=False)
    clocked = NotesRepository(repo.engine, url=db_url, clock=lambda: next(times))
    first = make_note(clocked, body="first")
    second = make_note(clocked, body="second")
    assert first.created_at == t0
    assert [n.body for n in clocked.list_notes()] == ["second", "first"]
    assert [n.body for n in clocked.list_notes(newest_first=False)] == ["first", "second"]
    assert second.created_at - first.created_at == timedelta(minutes=1)
    repo.close()


def test_question_answer_thread_and_open_question_counts(store):
    q = store.ask_question(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        period="2025-01",
        body="How many hours does the recall role take?",
        author="Dr Tom Hale, P007",
    )
    counts = store.note_counts(["P003"])
    assert counts.row(0) == ("P003", 1, 1)
    a = store.answer_question(q.note_uid, body="About six hours a week", author="Shirin")
    assert a.kind == "answer" and a.parent_uid == q.note_uid
    assert (a.practice_id, a.network_id, a.indicator_id, a.period) == (
        "P003",
        "N1",
        "IMM_MMR1",
        date(2025, 1, 1),
    )
    assert [n.note_uid for n in store.answers_to(q.note_uid)] == [a.note_uid]
    assert store.note_counts(["P003"]).row(0) == ("P003", 2, 0)
    store.delete_note(a.note_uid)  # a deleted answer leaves the question open again
    assert store.note_counts(["P003"]).row(0) == ("P003", 1, 1)


def test_an_answer_needs_an_existing_question(store):
    note = make_note(store)
    with pytest.raises(NoteValidationError, match="does not exist"):
        store.add_note(
            practice_id="P003",
            network_id="N1",
            kind="answer",
            body="x",
            author="y",
            parent_uid="00000000-0000-0000-0000-000000000000",
        )
    with pytest.raises(NoteValidationError, match="is a practice_note, not a question"):
        store.add_note(
            practice_id="P003",
            network_id="N1",
            kind="answer",
            body="x",
            author="y",
            parent_uid=note.note_uid,
        )
    with pytest.raises(NoteNotFound):
        store.answer_question("no-such-question", body="x", author="y")
    assert store.count() == 1  # nothing half-written


def test_note_counts_frame(store):
    make_note(store, practice_id="P001", indicator_id="IMM_MMR1")
    make_note(store, practice_id="P001", indicator_id="DM_CAREPLAN")
    make_note(store, practice_id="P001", indicator_id=None)
    make_note(store, practice_id="P002", indicator_id="DM_CAREPLAN")
    gone = make_note(store, practice_id="P002", indicator_id="IMM_MMR1")
    store.delete_note(gone.note_uid)

    every = store.note_counts()
    expected = pl.DataFrame(
        {"practice_id": ["P001", "P002"], "n_notes": [3, 1], "n_open_questions": [0, 0]}
    )
    assert_frame_equal(every, expected)

    asked = store.note_counts(["P009", "P002", "P001"], indicator_id="IMM_MMR1")
    assert asked["practice_id"].to_list() == ["P009", "P002", "P001"]
    assert asked["n_notes"].to_list() == [0, 0, 2]  # P001: the MMR1 note and the general one
    strict = store.note_counts(["P001"], indicator_id="IMM_MMR1", include_general=False)
    assert strict["n_notes"].to_list() == [1]
    # Many ids: filtered in polars instead of one bound parameter per id.
    many = store.note_counts([f"X{i}" for i in range(600)] + ["P001"])
    assert many.height == 601 and many["n_notes"].sum() == 3

    table = pl.DataFrame({"practice_id": ["P002", "P001", "P005"], "value": [0.8, 0.9, 0.7]})
    joined = with_note_counts(table, every)
    assert joined["practice_id"].to_list() == ["P002", "P001", "P005"]
    assert joined["n_notes"].to_list() == [1, 3, 0]


def test_soft_delete_and_restore(store):
    note = make_note(store)
    deleted = store.delete_note(note.note_uid)
    assert deleted.is_deleted and deleted.updated_at >= note.updated_at
    assert store.list_notes() == []
    assert store.count() == 0 and store.count(include_deleted=True) == 1
    assert [n.note_uid for n in store.list_notes(include_deleted=True)] == [note.note_uid]
    assert store.get_note(note.note_uid).is_deleted
    restored = store.restore_note(note.note_uid)
    assert not restored.is_deleted
    assert store.count() == 1


def test_update_with_optimistic_check(store):
    note = make_note(store)
    edited = store.update_note(
        note.note_uid,
        body="Now on Thursdays",
        tags=["recall", "mdt"],
        expected_updated_at=note.updated_at,
    )
    assert edited.body == "Now on Thursdays" and edited.tags == ("mdt", "recall")
    assert edited.updated_at >= note.updated_at
    assert edited.created_at == note.created_at
    with pytest.raises(NoteConflict, match="was changed"):
        store.update_note(
            note.note_uid,
            body="stale edit",
            expected_updated_at=note.updated_at - timedelta(seconds=1),
        )
    with pytest.raises(NoteValidationError, match="empty"):
        store.update_note(note.note_uid, body="  ")
    assert store.get_note(note.note_uid).body == "Now on Thursdays"


def test_tags_are_shared_and_counted(store):
    make_note(store, tags=["recall", "mdt"])
    make_note(store, tags=["recall"])
    gone = make_note(store, tags=["workforce"])
    store.delete_note(gone.note_uid)
    counts = store.tag_counts()
    assert counts.rows() == [("recall", 2), ("mdt", 1)]
    tables = inspect(store.engine).get_table_names()
    assert {"notes", "tags", "note_tags"} <= set(tables)


HOSTILE = [
    "<script>alert('x')</script>",
    "![tracker](http://evil.example/pixel.png)",
    "Robert'); DROP TABLE notes;--",
    "' OR '1'='1",
    "100% of _under_ 5s; \\ back\\slash",
    '=HYPERLINK("http://evil.example","click")',
    "<img src=x onerror=alert(1)> & &amp; &lt;",
    "Emoji 💉 and Bengali: টিকা, Somali: tallaal, RTL: تطعيم",
    "$x^2$ :red[colour] [link](javascript:alert(1))",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_returned_literally(store, text):
    note = make_note(store, body=text, author=text[:80], tags=[text])
    again = store.get_note(note.note_uid)
    assert again.body == text
    assert again.author == " ".join(text[:80].split())
    assert all(set(t) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for t in again.tags)
    # Filters are bound parameters: the hostile text matches itself and breaks nothing.
    assert [n.note_uid for n in store.list_notes(text=text)] == [note.note_uid]
    assert store.list_notes(practice_ids=[text]) == []
    assert store.note_counts([text]).row(0) == (text, 0, 0)
    assert store.count() == 1


def test_like_wildcards_in_search_are_literal(store):
    make_note(store, body="Reached 95% of children")
    make_note(store, body="Reached 95 of 100 children")
    assert [n.body for n in store.list_notes(text="95%")] == ["Reached 95% of children"]
    assert store.list_notes(text="_") == []


def test_nul_byte_is_rejected_before_the_database(store):
    with pytest.raises(NoteValidationError, match="U\\+0000"):
        make_note(store, body="abc\x00def")
    assert store.count() == 0


def test_bad_ids_are_not_found(store):
    with pytest.raises(NoteNotFound):
        store.get_note("' OR 1=1 --")
    with pytest.raises(NoteNotFound):
        store.delete_note("00000000-0000-0000-0000-000000000000")


def test_counting_read_notes_agrees_with_the_database_counts(store):
    """count_notes (a signed-in viewer's counts, from the notes they read) counts as
    note_counts does in SQL: filed-under practice, deleted notes out, open questions."""
    rng = random.Random(16)
    practices = ["P001", "P002", "P003", "P004"]
    indicators = ["IMM_MMR1", "DM_CARE", None]
    questions = []
    for i in range(60):
        kind = rng.choice(["practice_note", "question", "answer", "action"])
        indicator = rng.choice(indicators)
        if kind == "answer" and questions:
            note = store.answer_question(rng.choice(questions).note_uid, body=f"a{i}", author="A")
        elif kind == "action":
            concerns = rng.sample(practices, rng.choice([0, 1, 2]))
            note = store.add_action(
                network_id="N1",
                practice_ids=concerns,
                body=f"act{i}",
                author="B",
                owner="C",
                due_date="2027-01-31",
                indicator_id=indicator,
            )
        else:
            kind = "question" if kind == "answer" else kind
            note = make_note(
                store, practice_id=rng.choice(practices), kind=kind, indicator_id=indicator
            )
            if kind == "question":
                questions.append(note)
        if rng.random() < 0.15:
            store.delete_note(note.note_uid)
    ids = ["P004", "P001", "P009", "P002", "P003"]
    for indicator in indicators:
        for general in (True, False):
            read = store.list_notes(
                practice_ids=ids,
                indicator_ids=None if indicator is None else [indicator],
                include_general=general,
            )
            expected = store.note_counts(ids, indicator_id=indicator, include_general=general)
            assert count_notes(read, ids).equals(expected), (indicator, general)
    assert store.note_counts(ids)["n_open_questions"].sum() > 0  # the case is exercised
