"""Actions in the repository: add, edit, close, list; interventions for the charts; on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from netcompare.notes import (
    NOT_GIVEN,
    NoteConflict,
    NoteNotFound,
    NotesRepository,
    NoteValidationError,
    import_notes_csv,
    notes_frame,
    open_notes_store,
)

from .conftest import make_note


def add_action(store: NotesRepository, **overrides):
    fields = {
        "network_id": "N6",
        "body": "P026 to book retinal screening at the bloods appointment, as P025 does",
        "author": "N6 learning set",
        "owner": "Practice manager, P026",
        "due_date": "2025-06-30",
        "practice_ids": ["P026"],
        "indicator_id": "DM_RETINAL",
    }
    fields.update(overrides)
    return store.add_action(**fields)


@pytest.fixture
def clocked(db_url):
    """A store whose clock moves one minute per call, from 1 Mar 2025 09:00 UTC."""
    t0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    ticks = iter(t0 + timedelta(minutes=i) for i in range(1000))
    plain = open_notes_store(db_url, seed=False)
    repo = NotesRepository(plain.engine, url=db_url, clock=lambda: next(ticks))
    yield repo
    plain.close()


def test_add_action_round_trips_every_field(store):
    action = add_action(
        store,
        practice_ids=["P026", "P028", "P027", "P028"],
        intervention_date="2025-04-01",
        status="Done",
        period="2025-03",
        tags=["Retinal"],
    )
    assert action.kind == "action" and action.is_action
    assert action.owner == "Practice manager, P026"
    assert action.due_date == date(2025, 6, 30)
    assert action.status == "done"
    assert action.intervention_date == date(2025, 4, 1)
    assert action.period == date(2025, 3, 1)
    assert action.tags == ("retinal",)
    # the first practice is the action's practice_id; the others follow in id order
    assert action.practice_id == "P026"
    assert action.practice_ids == ("P026", "P027", "P028")
    assert action.concerns == action.practice_ids
    assert store.get_note(action.note_uid) == action
    assert store.list_notes(kinds=["action"]) == [action]
    assert store.list_notes(kinds=["meeting_action"]) == [action]  # the old name still filters


def test_practice_order_is_practice_id_then_id_order(store):
    action = add_action(store, practice_ids=["P030", "P010", "P020"])
    assert action.practice_ids == ("P030", "P010", "P020")
    assert store.get_note(action.note_uid).practice_ids == ("P030", "P010", "P020")


def test_add_action_needs_owner_and_due_date(store):
    with pytest.raises(NoteValidationError) as err:
        add_action(store, owner="", due_date=None)
    assert str(err.value) == "an action needs an owner (who will do it); an action needs a due date"
    with pytest.raises(NoteValidationError, match="the status 'closed' is not one of"):
        add_action(store, status="closed")
    # add_note cannot make an action without them either
    with pytest.raises(NoteValidationError, match="an action needs an owner"):
        make_note(store, kind="action")
    assert store.count() == 0


def test_network_wide_action(store):
    wide = add_action(store, practice_ids=(), body="Every N6 practice to book at the bloods")
    assert wide.practice_id is None and wide.practice_ids == () and wide.concerns == ()
    assert store.get_note(wide.note_uid) == wide
    # counted for no practice; listed for the network
    assert store.note_counts().height == 0
    assert store.note_counts(["P026"]).rows() == [("P026", 0, 0)]
    assert store.list_notes(network_ids=["N6"]) == [wide]
    assert store.list_notes(practice_ids=["P026"]) == []
    frame = notes_frame([wide])
    assert frame["practice_id"].to_list() == [None] and frame["practice_ids"].to_list() == [[]]


def test_a_multi_practice_action_is_found_by_each_of_its_practices(store):
    own = make_note(store, practice_id="P027", network_id="N6", body="P027's own note")
    action = add_action(store, practice_ids=["P026", "P027"])
    other = add_action(store, practice_ids=["P025"])
    uids = lambda notes: {n.note_uid for n in notes}  # noqa: E731
    assert uids(store.list_notes(practice_ids=["P027"])) == {own.note_uid, action.note_uid}
    assert uids(store.list_notes(practice_ids=["P026"])) == {action.note_uid}
    assert uids(store.list_notes(practice_ids=["P025", "P026"])) == {
        action.note_uid,
        other.note_uid,
    }
    # counts stay per practice_id: the action counts once, for its first practice
    assert store.note_counts(["P026", "P027"]).rows() == [("P026", 1, 0), ("P027", 1, 0)]
    frame = notes_frame([action])
    assert frame["practice_ids"].to_list() == [["P026", "P027"]]
    assert frame["owner"].to_list() == ["Practice manager, P026"]
    assert frame["due_date"].to_list() == [date(2025, 6, 30)]


def test_add_note_with_an_intervention_date(store):
    note = make_note(store, intervention_date="2024-11-04")
    assert note.intervention_date == date(2024, 11, 4) and note.intervention == date(2024, 11, 4)
    assert store.get_note(note.note_uid).intervention_date == date(2024, 11, 4)
    with pytest.raises(NoteValidationError, match="only an action or a practice note"):
        make_note(store, kind="question", intervention_date="2024-11-04")


def test_update_action_changes_what_is_given(clocked):
    action = add_action(clocked, intervention_date="2025-04-01", tags=["retinal"])
    changed = clocked.update_action(
        action.note_uid,
        owner="Dr Kemi Ade, P026",
        due_date="2025-07",
        status="done",
        practice_ids=["P027", "P026"],
        expected_updated_at=action.updated_at,
    )
    assert changed.owner == "Dr Kemi Ade, P026"
    assert changed.due_date == date(2025, 7, 31)
    assert changed.status == "done"
    assert (changed.practice_id, changed.practice_ids) == ("P027", ("P027", "P026"))
    # not given: kept
    assert changed.body == action.body and changed.tags == ("retinal",)
    assert changed.intervention_date == date(2025, 4, 1)
    assert changed.indicator_id == "DM_RETINAL"
    assert changed.created_at == action.created_at and changed.updated_at > action.updated_at
    assert clocked.get_note(action.note_uid) == changed

    # NOT_GIVEN is the default; None clears the intervention date and the indicator
    same = clocked.update_action(action.note_uid, body="Booked at bloods", tags=[])
    assert same.intervention_date == date(2025, 4, 1) and same.tags == ()
    cleared = clocked.update_action(
        action.note_uid, intervention_date=None, indicator_id=None, practice_ids=()
    )
    assert cleared.intervention_date is None and cleared.indicator_id is None
    assert cleared.practice_id is None and cleared.practice_ids == ()  # now network-wide
    dated = clocked.update_action(
        action.note_uid, intervention_date="2025-05-06", indicator_id=NOT_GIVEN
    )
    assert dated.intervention_date == date(2025, 5, 6) and dated.indicator_id is None
    assert clocked.list_notes(practice_ids=["P026", "P027"]) == []


def test_update_action_conflict_and_bad_input(clocked):
    action = add_action(clocked)
    clocked.set_action_status(action.note_uid, "done")  # someone else closes it meanwhile
    with pytest.raises(NoteConflict, match="was changed at"):
        clocked.update_action(
            action.note_uid, owner="Somebody else", expected_updated_at=action.updated_at
        )
    assert clocked.get_note(action.note_uid).owner == "Practice manager, P026"
    with pytest.raises(NoteValidationError, match="the due date 'tomorrow' is not a date"):
        clocked.update_action(action.note_uid, due_date="tomorrow")
    with pytest.raises(NoteValidationError, match="the action's owner is 81 characters"):
        clocked.update_action(action.note_uid, owner="o" * 81)
    question = make_note(clocked, kind="question")
    with pytest.raises(NoteValidationError, match="is a question, not an action"):
        clocked.update_action(question.note_uid, status="done")
    with pytest.raises(NoteNotFound):
        clocked.update_action("no-such-note", status="done")


def test_set_action_status(clocked):
    action = add_action(clocked)
    done = clocked.set_action_status(action.note_uid, "Done")
    assert done.status == "done" and done.updated_at > action.updated_at
    again = clocked.set_action_status(action.note_uid, "done")
    assert again == done  # the same status: nothing changes, not even the time
    dropped = clocked.set_action_status(action.note_uid, "dropped")
    assert dropped.status == "dropped" and dropped.owner == action.owner
    with pytest.raises(NoteValidationError, match="the status 'finished' is not one of"):
        clocked.set_action_status(action.note_uid, "finished")
    with pytest.raises(NoteValidationError, match="the status is required"):
        clocked.set_action_status(action.note_uid, " ")
    note = make_note(clocked)
    with pytest.raises(NoteValidationError, match="is a practice note, not an action"):
        clocked.set_action_status(note.note_uid, "done")
    assert clocked.get_note(note.note_uid).status is None


def test_update_note_leaves_an_old_action_as_it_is(store, tmp_path):
    """An action carried over from before owners and due dates can still have its text
    edited and be closed; editing it as an action asks for the missing owner and due date."""
    path = tmp_path / "old.csv"
    path.write_text(
        "note_uid,practice_id,network_id,kind,author,body\n"
        "old-1,P017,N4,meeting_action,N4 learning set,Refer every smoker\n",
        encoding="utf-8",
    )
    import_notes_csv(store, path)
    edited = store.update_note("old-1", body="Refer every smoker (opt-out)")
    assert (edited.body, edited.owner, edited.due_date) == (
        "Refer every smoker (opt-out)",
        None,
        None,
    )
    assert store.set_action_status("old-1", "done").status == "done"
    with pytest.raises(NoteValidationError) as err:
        store.update_action("old-1", status="open")
    assert "an action needs an owner" in str(err.value) and "a due date" in str(err.value)
    fixed = store.update_action("old-1", owner="COPD nurse, P017", due_date="2025-10-31")
    assert (fixed.owner, fixed.due_date, fixed.status) == (
        "COPD nurse, P017",
        date(2025, 10, 31),
        "done",
    )


def test_list_actions_filters_and_order(clocked):
    late = add_action(clocked, network_id="N1", practice_ids=["P003"], due_date="2025-09-30")
    soon = add_action(
        clocked,
        network_id="N1",
        practice_ids=["P001", "P003"],
        due_date="2025-05-31",
        indicator_id="IMM_MMR1",
    )
    wide = add_action(clocked, network_id="N1", practice_ids=[], due_date="2025-07-31")
    closed = add_action(
        clocked, network_id="N1", practice_ids=["P002"], due_date="2025-04-30", status="done"
    )
    elsewhere = add_action(clocked, network_id="N2", practice_ids=["P007"], due_date="2025-05-31")
    gone = add_action(clocked, network_id="N1", practice_ids=["P003"], due_date="2025-05-01")
    clocked.delete_note(gone.note_uid)
    make_note(clocked, practice_id="P003", network_id="N1")  # not an action

    uids = lambda notes: [n.note_uid for n in notes]  # noqa: E731
    # soonest due first; the same due date: the older first; deleted ones left out
    assert uids(clocked.list_actions()) == uids([closed, soon, elsewhere, wide, late])
    assert uids(clocked.list_actions(network_ids=["N1"], statuses=["open"])) == uids(
        [soon, wide, late]
    )
    assert uids(clocked.list_actions(statuses=["done", "dropped"])) == uids([closed])
    # practices: any practice the action concerns, plus network-wide unless excluded
    assert uids(clocked.list_actions(network_ids=["N1"], practice_ids=["P001"])) == uids(
        [soon, wide]
    )
    assert uids(clocked.list_actions(practice_ids=["P003"], include_network_wide=False)) == uids(
        [soon, late]
    )
    assert uids(clocked.list_actions(network_ids=["N1"], include_network_wide=False)) == uids(
        [closed, soon, late]
    )
    assert uids(clocked.list_actions(indicator_ids=["IMM_MMR1"])) == uids([soon])
    # overdue on 1 Aug 2025: open and due before that day
    overdue = clocked.list_actions(statuses=["open"], due_before=date(2025, 8, 1))
    assert uids(overdue) == uids([soon, elsewhere, wide])
    assert all(n.is_overdue(date(2025, 8, 1)) for n in overdue)
    assert not late.is_overdue(date(2025, 8, 1))
    with pytest.raises(NoteValidationError, match="the status 'late' is not one of"):
        clocked.list_actions(statuses=["late"])


def test_list_interventions(clocked):
    dated_note = make_note(
        clocked, practice_id="P003", indicator_id="IMM_MMR1", intervention_date="2024-11-04"
    )
    general = make_note(
        clocked, practice_id="P003", indicator_id=None, intervention_date="2025-02-03"
    )
    make_note(clocked, practice_id="P003", indicator_id="IMM_MMR1")  # not dated
    make_note(clocked, practice_id="P003", indicator_id="DM_CAREPLAN", intervention_date="2025-01")
    gone = make_note(clocked, practice_id="P003", intervention_date="2025-01-01")
    clocked.delete_note(gone.note_uid)
    shared = add_action(
        clocked,
        network_id="N1",
        practice_ids=["P001", "P003"],
        indicator_id="IMM_MMR1",
        intervention_date="2025-01-06",
        status="done",
    )
    add_action(clocked, network_id="N1", practice_ids=["P003"], indicator_id="IMM_MMR1")
    wide = add_action(
        clocked,
        network_id="N1",
        practice_ids=[],
        indicator_id="IMM_MMR1",
        intervention_date="2025-03-03",
    )
    add_action(
        clocked,
        network_id="N2",
        practice_ids=[],
        indicator_id="IMM_MMR1",
        intervention_date="2025-03-03",
    )
    dropped_wide = add_action(
        clocked, network_id="N1", practice_ids=[], indicator_id=None, intervention_date="2024-12"
    )
    question = make_note(clocked, practice_id="P003", kind="question")

    uids = lambda notes: [n.note_uid for n in notes]  # noqa: E731
    practice = clocked.list_interventions(
        network_id="N1", indicator_id="IMM_MMR1", practice_id="P003"
    )
    # oldest intervention first: its own dated notes and the actions concerning it
    assert uids(practice) == uids([dated_note, shared, general])
    assert question.note_uid not in uids(practice)
    assert uids(
        clocked.list_interventions(network_id="N1", indicator_id="IMM_MMR1", practice_id="P001")
    ) == uids([shared])
    network = clocked.list_interventions(network_id="N1", indicator_id="IMM_MMR1", practice_id=None)
    assert uids(network) == uids([dropped_wide, wide])  # N1's network-wide actions only
    assert all(n.intervention is not None for n in practice + network)
