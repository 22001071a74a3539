"""Who may change which note once people sign in (issue 16), on SQLite and PostgreSQL.

A lead edits and deletes anyone's notes about their own network only; a member writes notes
and changes only their own; a viewer (or someone with no rule) cannot add anything; an admin
may do anything. A signed-in author's name and email are the note's author, whatever author
text was passed. Without an actor (the command line, a laptop) nothing is checked.
"""

from __future__ import annotations

import pytest

from netcompare.access.rules import AccessRepository, viewer_for
from netcompare.access.viewer import LOCAL, AccessRule, Viewer
from netcompare.errors import UserError
from netcompare.notes import Note, NotePermissionError, NotesRepository


def person(email: str, name: str | None, *rules: tuple[str | None, str]) -> Viewer:
    return Viewer(
        email=email,
        name=name,
        rules=tuple(AccessRule(email, net, role) for net, role in rules),  # type: ignore[arg-type]
    )


LEAD_N1 = person("lena@nhs.net", "Lena Lead", ("N1", "lead"))
MEMBER_N1 = person("mo@nhs.net", "Mo Member", ("N1", "member"))
OTHER_MEMBER_N1 = person("meg@nhs.net", "Meg Member", ("N1", "member"))
VIEWER_N1 = person("vic@nhs.net", "Vic Viewer", ("N1", "viewer"))
NO_NETWORK = person("nobody@nhs.net", "No Network", (None, "viewer"))
STRANGER = person("stranger@example.org", "Stranger")  # signed in, no rule at all
LEAD_N2 = person("lou@nhs.net", "Lou Lead", ("N2", "lead"))
ADMIN = person("ada@nhs.net", "Ada Admin", (None, "admin"))
# Writes notes about N1 as a member and leads N2: leading N2 gives nothing in N1.
MEMBER_N1_LEAD_N2 = person("max@nhs.net", "Max", ("N1", "member"), ("N2", "lead"))


def note_by(store: NotesRepository, actor: Viewer | None, network_id: str = "N1", **kw) -> Note:
    fields = {
        "practice_id": "P003",
        "network_id": network_id,
        "body": "Recall coordinator phones MMR defaulters every Friday",
        "author": "typed author",
    }
    fields.update(kw)
    return store.add_note(**fields, actor=actor)


def action_by(store: NotesRepository, actor: Viewer | None, network_id: str = "N1") -> Note:
    return store.add_action(
        network_id=network_id,
        body="Share the call script",
        author="typed author",
        owner="Practice manager, P003",
        due_date="2026-06-30",
        practice_ids=["P003"],
        actor=actor,
    )


def refused(store: NotesRepository, note: Note, fn, *args, **kwargs) -> NotePermissionError:
    """``fn`` raises NotePermissionError and leaves the note and the audit as they were."""
    audit_before = store.audit()
    with pytest.raises(NotePermissionError) as caught:
        fn(*args, **kwargs)
    assert isinstance(caught.value, UserError)  # pages show it as a readable message
    assert store.get_note(note.note_uid) == note
    assert store.audit() == audit_before
    return caught.value


def test_a_signed_in_author_is_their_identity_not_the_typed_text(store):
    note = note_by(store, MEMBER_N1, author="Dr Somebody Else")
    assert (note.author, note.author_id) == ("Mo Member", "mo@nhs.net")
    assert store.get_note(note.note_uid).author_id == "mo@nhs.net"
    no_name = note_by(store, person("Quiet@NHS.net", None, ("N1", "member")))
    assert (no_name.author, no_name.author_id) == ("quiet@nhs.net", "quiet@nhs.net")
    # a long name is clipped to the author limit; the email is kept whole in author_id
    long_name = note_by(store, person("l@nhs.net", "L" * 200, ("N1", "member")), author=None)
    assert long_name.author == "L" * 80 and long_name.author_id == "l@nhs.net"
    question = store.ask_question(
        practice_id="P001", network_id="N1", body="How?", author="x", actor=LEAD_N1
    )
    answer = store.answer_question(question.note_uid, body="Fridays", author="y", actor=MEMBER_N1)
    action = action_by(store, ADMIN)
    assert [(n.author, n.author_id) for n in (question, answer, action)] == [
        ("Lena Lead", "lena@nhs.net"),
        ("Mo Member", "mo@nhs.net"),
        ("Ada Admin", "ada@nhs.net"),
    ]


def test_without_an_actor_nothing_is_checked_and_the_typed_author_is_kept(store):
    note = note_by(store, None, author="Practice nurse, P003")
    assert (note.author, note.author_id) == ("Practice nurse, P003", None)
    local = note_by(store, LOCAL, author="On a laptop")
    assert (local.author, local.author_id) == ("On a laptop", None)
    assert store.update_note(note.note_uid, body="changed", actor=LOCAL).body == "changed"
    assert store.delete_note(note.note_uid).is_deleted


@pytest.mark.parametrize("actor", [VIEWER_N1, NO_NETWORK, STRANGER, LEAD_N2])
def test_who_does_not_write_about_n1_cannot_add_anything_about_it(store, actor):
    question = note_by(store, LEAD_N1, kind="question", body="How do you do it?")
    before = store.audit()
    attempts = [
        lambda: note_by(store, actor),
        lambda: store.ask_question(practice_id="P003", network_id="N1", body="?", actor=actor),
        lambda: store.answer_question(question.note_uid, body="Like this", actor=actor),
        lambda: action_by(store, actor),
    ]
    for attempt in attempts:
        with pytest.raises(NotePermissionError, match=f"You \\({actor.email}\\) may not"):
            attempt()
    assert store.count() == 1 and store.audit() == before


def test_the_refusal_says_why(store):
    with pytest.raises(NotePermissionError) as caught:
        note_by(store, VIEWER_N1)
    assert str(caught.value) == (
        "You (vic@nhs.net) may not add notes about network N1: your role in network N1 is "
        "viewer, and only its leads and members (or an admin) write notes"
    )
    with pytest.raises(NotePermissionError, match="you are not a lead or member of network N1"):
        note_by(store, LEAD_N2)
    note = note_by(store, OTHER_MEMBER_N1)
    error = refused(store, note, store.update_note, note.note_uid, body="x", actor=MEMBER_N1)
    assert str(error) == (
        f"You (mo@nhs.net) may not edit note {note.note_uid}: only its author, a lead of "
        "network N1 or an admin may"
    )


def test_a_member_changes_only_their_own_notes(store):
    mine = note_by(store, MEMBER_N1)
    theirs = note_by(store, OTHER_MEMBER_N1)
    edited = store.update_note(
        mine.note_uid, body="Now on Thursdays", tags=["recall"], actor=MEMBER_N1
    )
    assert edited.body == "Now on Thursdays" and edited.author == "Mo Member"
    assert store.delete_note(mine.note_uid, actor=MEMBER_N1).is_deleted
    assert not store.restore_note(mine.note_uid, actor=MEMBER_N1).is_deleted
    refused(store, theirs, store.update_note, theirs.note_uid, body="x", actor=MEMBER_N1)
    refused(store, theirs, store.delete_note, theirs.note_uid, actor=MEMBER_N1)
    store.delete_note(theirs.note_uid, actor=OTHER_MEMBER_N1)
    deleted = store.get_note(theirs.note_uid)
    refused(store, deleted, store.restore_note, theirs.note_uid, actor=MEMBER_N1)


def test_a_members_own_actions_and_others(store):
    mine = action_by(store, MEMBER_N1)
    theirs = action_by(store, OTHER_MEMBER_N1)
    assert store.set_action_status(mine.note_uid, "done", actor=MEMBER_N1).status == "done"
    assert store.update_action(mine.note_uid, owner="Nurse", actor=MEMBER_N1).owner == "Nurse"
    refused(store, theirs, store.set_action_status, theirs.note_uid, "dropped", actor=MEMBER_N1)
    refused(store, theirs, store.update_action, theirs.note_uid, owner="x", actor=MEMBER_N1)


def test_a_lead_changes_anyones_notes_in_their_network_only(store):
    n1_note = note_by(store, MEMBER_N1)
    n1_action = action_by(store, OTHER_MEMBER_N1)
    n2_note = note_by(store, LEAD_N2, network_id="N2")
    assert store.update_note(n1_note.note_uid, body="Tidied", actor=LEAD_N1).body == "Tidied"
    assert store.get_note(n1_note.note_uid).author_id == "mo@nhs.net"  # still Mo's note
    assert store.set_action_status(n1_action.note_uid, "dropped", actor=LEAD_N1).status == "dropped"
    assert store.update_action(n1_action.note_uid, body="Changed", actor=LEAD_N1).body == "Changed"
    assert store.delete_note(n1_note.note_uid, actor=LEAD_N1).is_deleted
    assert not store.restore_note(n1_note.note_uid, actor=LEAD_N1).is_deleted
    refused(store, n2_note, store.update_note, n2_note.note_uid, body="x", actor=LEAD_N1)
    refused(store, n2_note, store.delete_note, n2_note.note_uid, actor=LEAD_N1)


def test_leading_another_network_gives_nothing_in_this_one(store):
    own = note_by(store, MEMBER_N1_LEAD_N2)
    others = note_by(store, MEMBER_N1)
    in_n2 = note_by(store, LEAD_N2, network_id="N2")
    assert store.update_note(own.note_uid, body="mine", actor=MEMBER_N1_LEAD_N2).body == "mine"
    refused(store, others, store.update_note, others.note_uid, body="x", actor=MEMBER_N1_LEAD_N2)
    refused(store, others, store.delete_note, others.note_uid, actor=MEMBER_N1_LEAD_N2)
    assert store.delete_note(in_n2.note_uid, actor=MEMBER_N1_LEAD_N2).is_deleted


def test_an_admin_may_do_anything(store):
    n1 = note_by(store, MEMBER_N1)
    n3 = note_by(store, ADMIN, network_id="N3")  # a network nobody else is in
    assert n3.author_id == "ada@nhs.net"
    assert store.update_note(n1.note_uid, body="by the admin", actor=ADMIN).body == "by the admin"
    assert store.delete_note(n1.note_uid, actor=ADMIN).is_deleted
    action = action_by(store, LEAD_N1)
    assert store.set_action_status(action.note_uid, "done", actor=ADMIN).status == "done"


def test_notes_from_before_sign_in_are_changed_only_by_a_lead_or_admin(store):
    old = note_by(store, None, author="Practice nurse, P003")  # author_id None
    assert old.author_id is None
    refused(store, old, store.update_note, old.note_uid, body="x", actor=MEMBER_N1)
    assert store.update_note(old.note_uid, body="ok", actor=LEAD_N1).body == "ok"
    assert store.delete_note(old.note_uid, actor=ADMIN).is_deleted


def test_a_member_who_left_the_network_no_longer_changes_their_notes(store):
    note = note_by(store, MEMBER_N1)
    left = person("mo@nhs.net", "Mo Member", ("N1", "viewer"))
    refused(store, note, store.update_note, note.note_uid, body="x", actor=left)


def test_importing_needs_a_lead_of_every_network_in_the_file(store, sqlite_url, tmp_path):
    n1 = note_by(store, None, author="a")
    n2 = note_by(store, None, network_id="N2", author="b")
    copy = [
        Note(**{**{f: getattr(n, f) for f in Note.__slots__}, "note_uid": n.note_uid + "-copy"})
        for n in (n1, n2)
    ]
    for actor in (MEMBER_N1, LEAD_N1, VIEWER_N1):
        with pytest.raises(NotePermissionError, match="may not import notes about network N"):
            store.import_notes(copy, actor=actor)
    assert store.count() == 2
    assert store.import_notes(copy[:1], actor=LEAD_N1).added == 1
    assert store.import_notes(copy, actor=ADMIN).added == 1
    assert store.count() == 4


def test_rules_from_the_database_end_to_end(store):
    rules = AccessRepository(store)
    rules.add("Lena@nhs.net", "N1", "lead")
    rules.add("mo@nhs.net", "N1", "member")
    rules.add("vic@nhs.net", "N1", "viewer")
    mo = viewer_for("MO@nhs.net", "Mo", rules)
    lena = viewer_for("lena@nhs.net", "Lena", rules)
    vic = viewer_for("vic@nhs.net", "Vic", rules)
    note = note_by(store, mo)
    assert (note.author, note.author_id) == ("Mo", "mo@nhs.net")
    with pytest.raises(NotePermissionError):
        note_by(store, vic)
    assert store.delete_note(note.note_uid, actor=lena).is_deleted
    rules.remove("lena@nhs.net")
    demoted = viewer_for("lena@nhs.net", "Lena", rules)
    with pytest.raises(NotePermissionError):
        store.restore_note(note.note_uid, actor=demoted)
