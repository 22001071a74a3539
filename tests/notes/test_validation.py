"""Validation rules for notes: clear messages naming the field and the limit."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from netcompare.errors import UserError
from netcompare.notes import MAX_BODY_CHARS, MAX_TAGS, NoteValidationError
from netcompare.notes.validation import clean_note, clean_tag, clean_tags

GOOD = {
    "practice_id": "P003",
    "network_id": "N1",
    "kind": "practice_note",
    "body": "Recall coordinator phones MMR defaulters every Friday",
    "author": "Shirin Begum",
}


def test_a_good_note_is_normalised():
    note = clean_note(
        **{**GOOD, "body": "  line one\r\nline two  ", "author": "  Dr   A  Khan "},
        indicator_id=" IMM_MMR1 ",
        period="2025-03",
        tags="Recall, MDT ,  recall",
    )
    assert note.body == "line one\nline two"
    assert note.author == "Dr A Khan"
    assert note.indicator_id == "IMM_MMR1"
    assert note.period == date(2025, 3, 1)
    assert note.tags == ("mdt", "recall")
    assert note.parent_uid is None


def test_validation_error_is_a_user_error():
    assert issubclass(NoteValidationError, UserError)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": "   "}, "the note text is empty"),
        ({"body": None}, "the note text is missing"),
        ({"body": "x" * (MAX_BODY_CHARS + 1)}, "the limit is 4,000"),
        ({"body": "null byte \x00 here"}, "control characters (U+0000)"),
        ({"body": "bell \x07"}, "U+0007"),
        ({"author": ""}, "the author's name is required"),
        ({"author": "a" * 81}, "the limit is 80"),
        ({"author": "Eve\x1b[31m"}, "control characters"),
        ({"practice_id": ""}, "the practice is required"),
        ({"practice_id": "P 003"}, "must not contain spaces"),
        ({"network_id": None}, "the network is required"),
        ({"kind": "rumour"}, "the kind 'rumour' is not one of"),
        ({"kind": "answer"}, "an answer must name the question it answers"),
    ],
)
def test_bad_fields_give_a_clear_message(change, message):
    with pytest.raises(NoteValidationError) as err:
        clean_note(**{**GOOD, **change})
    assert message in str(err.value)


def test_every_problem_is_listed_and_prefixed_with_where():
    with pytest.raises(NoteValidationError) as err:
        clean_note(**{**GOOD, "body": "", "author": ""}, where="notes.csv, row 4")
    text = str(err.value)
    assert text.startswith("notes.csv, row 4: ")
    assert "the note text is empty" in text and "the author's name is required" in text


def test_body_at_the_limit_is_accepted():
    assert len(clean_note(**{**GOOD, "body": "y" * MAX_BODY_CHARS}).body) == MAX_BODY_CHARS


def test_only_answers_reply_to_questions():
    with pytest.raises(NoteValidationError, match="only an answer can reply"):
        clean_note(**GOOD, parent_uid="abc-123")
    ok = clean_note(**{**GOOD, "kind": "answer"}, parent_uid="abc-123")
    assert ok.parent_uid == "abc-123"
    with pytest.raises(NoteValidationError, match="question id"):
        clean_note(**{**GOOD, "kind": "answer"}, parent_uid="'; DROP TABLE notes; --")


def test_kind_accepts_spaces_and_case():
    assert clean_note(**{**GOOD, "kind": "Meeting Action"}, stored=True).kind == "action"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("MDT", "mdt"),
        ("  Care plan ", "care-plan"),
        ("work_force", "work-force"),
        ("<script>", "script"),
        ("--a--b--", "a-b"),
        ("!!!", ""),
        ("x" * 40, "x" * 32),
        ("Ärzte", "rzte"),
    ],
)
def test_tags_are_sanitised(raw, clean):
    assert clean_tag(raw) == clean


def test_tags_limit_and_dedupe():
    assert clean_tags(["A", "a", " a "]) == ("a",)
    assert clean_tags("recall; workforce,template") == ("recall", "template", "workforce")
    assert clean_tags(None) == ()
    with pytest.raises(ValueError, match=f"at most {MAX_TAGS} tags"):
        clean_tags([f"t{i}" for i in range(MAX_TAGS + 1)])


def test_bad_period_is_named():
    with pytest.raises(NoteValidationError, match="the period '13/2025' is not a date"):
        clean_note(**GOOD, period="13/2025")


ACTION = {
    **GOOD,
    "kind": "action",
    "body": "P026 to book retinal screening at the bloods appointment",
    "owner": "Practice manager, P026",
    "due_date": "2025-06-30",
}


def test_a_good_action_is_normalised():
    action = clean_note(
        **{**ACTION, "practice_id": "P026", "owner": "  Practice   manager, P026 "},
        practice_ids=" P027 ; P026,P028;P027 ",
        intervention_date="2025-04",
    )
    assert action.kind == "action" and action.status == "open"  # open unless given
    assert action.owner == "Practice manager, P026"
    assert action.due_date == date(2025, 6, 30)
    assert action.intervention_date == date(2025, 4, 1)  # a month: its first day
    # practice_id first, then the others de-duplicated in the order given
    assert (action.practice_id, action.practice_ids) == ("P026", ("P026", "P027", "P028"))
    listed = clean_note(**{**ACTION, "practice_id": None}, practice_ids=["P009", "P002"])
    assert (listed.practice_id, listed.practice_ids) == ("P009", ("P009", "P002"))
    wide = clean_note(**{**ACTION, "practice_id": ""})
    assert (wide.practice_id, wide.practice_ids) == (None, ())  # the whole network


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 6, 30), date(2025, 6, 30)),
        (datetime(2025, 6, 30, 17, 0), date(2025, 6, 30)),
        ("2025-06-30", date(2025, 6, 30)),
        ("2025-06", date(2025, 6, 30)),  # due in June: by the month's end
        ("2024-02", date(2024, 2, 29)),
    ],
)
def test_due_dates(value, expected):
    assert clean_note(**{**ACTION, "due_date": value}).due_date == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [(None, "open"), ("", "open"), ("Done", "done"), (" dropped ", "dropped")],
)
def test_statuses(status, expected):
    assert clean_note(**ACTION, status=status).status == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"owner": None}, "an action needs an owner"),
        ({"owner": "   "}, "an action needs an owner"),
        ({"owner": "o" * 81}, "the action's owner is 81 characters long; the limit is 80"),
        ({"owner": "Eve\x1b[31m"}, "the action's owner contains control characters"),
        ({"due_date": None}, "an action needs a due date"),
        ({"due_date": "30/06/2025"}, "the due date '30/06/2025' is not a date like 2025-06-30"),
        ({"due_date": "2025-02-30"}, "the due date '2025-02-30' is not a date"),
        ({"due_date": 20250630}, "the due date int is not a date"),
        ({"status": "closed"}, "the status 'closed' is not one of: open, done, dropped"),
        ({"intervention_date": "soon"}, "the intervention date 'soon' is not a date"),
        ({"practice_ids": ["P 1"]}, "the practice 'P 1' must not contain spaces"),
        ({"practice_ids": 7}, "practice_ids must be text or a list of ids, not int"),
    ],
)
def test_bad_action_fields_give_a_clear_message(change, message):
    with pytest.raises(NoteValidationError) as err:
        clean_note(**{**ACTION, **change})
    assert message in str(err.value)


@pytest.mark.parametrize("kind", ["practice_note", "question", "answer"])
def test_only_actions_carry_action_fields(kind):
    fields = {**GOOD, "kind": kind, "parent_uid": "q-1" if kind == "answer" else None}
    clean_note(**fields)  # the note itself is fine
    article = "an" if kind == "answer" else "a"
    what = f"{article} {kind.replace('_', ' ')}"
    for change, message in [
        ({"owner": "Dr A"}, f"only an action has an owner, not {what}"),
        ({"due_date": "2025-06-30"}, f"only an action has a due date, not {what}"),
        ({"status": "open"}, f"only an action has a status, not {what}"),
        (
            {"practice_ids": ["P001"]},
            f"only an action has a list of practices it concerns (practice_ids), not {what}",
        ),
    ]:
        with pytest.raises(NoteValidationError) as err:
            clean_note(**fields, **change)
        assert str(err.value) == message  # one clear message each
    # empty values are not "carrying" anything
    assert clean_note(**fields, owner="", due_date=None, status=" ", practice_ids=[]).kind == kind


def test_intervention_date_only_on_actions_and_practice_notes():
    note = clean_note(**GOOD, intervention_date=date(2025, 1, 6))
    assert note.intervention_date == date(2025, 1, 6)
    assert clean_note(**ACTION, intervention_date="2025-04-01").intervention_date == date(
        2025, 4, 1
    )
    with pytest.raises(NoteValidationError, match="only an action or a practice note"):
        clean_note(**{**GOOD, "kind": "question"}, intervention_date="2025-01-06")


def test_only_an_action_may_be_about_the_whole_network():
    with pytest.raises(NoteValidationError, match=r"^the practice is required$"):
        clean_note(**{**GOOD, "practice_id": None})
    assert clean_note(**{**ACTION, "practice_id": None}).practice_id is None


def test_meeting_action_is_the_old_name_of_action():
    for old in ("meeting_action", "Meeting action", " MEETING_ACTION "):
        assert clean_note(**{**ACTION, "kind": old}).kind == "action"


def test_a_stored_action_may_lack_owner_and_due_date():
    # an action recorded before owners and due dates existed (migration 0003, old backups)
    old = clean_note(**{**GOOD, "kind": "meeting_action"}, stored=True)
    assert (old.kind, old.status, old.owner, old.due_date) == ("action", "open", None, None)
    assert old.practice_ids == ("P003",)
    # everything else is still checked
    with pytest.raises(NoteValidationError, match="the status 'later' is not one of"):
        clean_note(**{**GOOD, "kind": "action"}, status="later", stored=True)
    with pytest.raises(NoteValidationError, match="only an action has an owner"):
        clean_note(**GOOD, owner="x", stored=True)
