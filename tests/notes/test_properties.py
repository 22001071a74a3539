"""Property tests (hypothesis): escaping is lossless and complete; CSV round-trips any text."""

from __future__ import annotations

import re
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from netcompare.notes import Note, escape_markdown, read_notes_csv, write_notes_csv
from netcompare.notes.validation import clean_body
from netcompare.text import _ALWAYS, BIDI_CONTROLS, WORD_JOINER, literal

PUNCT = set(string.punctuation)
text_with_markup = st.text(
    alphabet=st.sampled_from(list("<>![]()*_`#-+=.:$&|~\\ \n\t1aZé💉")), max_size=60
) | st.text(max_size=60)


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in PUNCT:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@given(text_with_markup)
def test_escaping_is_lossless(raw):
    assert _unescape(escape_markdown(raw)) == raw


@given(text_with_markup)
def test_no_markup_character_is_left_unescaped(raw):
    escaped = escape_markdown(raw)
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        assert escaped[i] not in _ALWAYS, (raw, escaped, i)
        i += 1


def _valid_body(text: str) -> str | None:
    try:
        return clean_body(text)
    except ValueError:
        return None


@settings(max_examples=60, deadline=None)
@given(st.lists(text_with_markup.map(_valid_body).filter(bool), min_size=1, max_size=5))
def test_csv_round_trips_any_valid_text(bodies):
    now = datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    notes = [
        Note(
            note_uid=f"n{i}",
            practice_id="P1",
            network_id="N1",
            kind="practice_note",
            body=b,
            author="Nurse A",
            created_at=now,
            updated_at=now,
        )
        for i, b in enumerate(bodies)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.csv"
        write_notes_csv(notes, path)
        assert read_notes_csv(path) == notes


hostile_text = st.lists(
    st.sampled_from(
        list("<>![]()*_`#-+=.:@$&|~^\\ \n1aZw/é💉")
        + list(BIDI_CONTROLS)
        + ["material/", "www.", "http://", ":red[", ":smile:"]
    ),
    max_size=30,
).map("".join) | st.text(max_size=60)


@given(hostile_text)
def test_literal_shows_the_text_without_bidi_controls(raw):
    """What a reader sees of literal() is the text as typed, minus bidi controls."""
    seen = _unescape(literal(raw)).replace(WORD_JOINER, "")
    assert seen == "".join(ch for ch in raw.replace(WORD_JOINER, "") if ch not in BIDI_CONTROLS)


@given(hostile_text)
def test_literal_leaves_no_shortcode_directive_or_autolink(raw):
    """No colon or at-sign is followed by a word character, slash, sign or backslash (so no
    :material/…:, :smile:, :red[…] or mailto autolink), no "www." or "://" survives, no bidi
    control."""
    out = literal(raw)
    assert not re.search(r"[:@][\w/+\-\\]", out), (raw, out)
    assert "www." not in out.lower() and "www\\." not in out.lower()
    assert "://" not in out
    assert not set(out) & set(BIDI_CONTROLS)
