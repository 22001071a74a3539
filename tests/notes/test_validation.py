"""Validation rules for notes: clear messages naming the field and the limit."""

from __future__ import annotations

from datetime import date

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
