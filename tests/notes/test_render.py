"""The safe renderer: note text is escaped so Markdown and HTML show literally."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from netcompare.notes import Note, escape_markdown, note_header_markdown, note_markdown
from netcompare.notes.render import escape_markdown_lines

T = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def _note(**kw) -> Note:
    fields = dict(
        note_uid="u1",
        practice_id="P003",
        network_id="N1",
        kind="practice_note",
        body="Recall on Fridays.",
        author="Shirin",
        created_at=T,
        updated_at=T,
    )
    fields.update(kw)
    return Note(**fields)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("![img](http://e.x/p.png)", "!\\[img\\](http://e.x/p.png)"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"),
        ("# Heading", "\\# Heading"),
        ("- item", "\\- item"),
        ("  + item", "  \\+ item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("===", "\\==="),
        ("> quote", "\\> quote"),
        ("| a | b |", "\\| a \\| b \\|"),
        ("$x^2$ and :red[colour]", "\\$x^2\\$ and :red\\[colour\\]"),
        ("&lt; &amp;", "\\&lt; \\&amp;"),
        ("back\\slash", "back\\\\slash"),
        ("~~strike~~", "\\~\\~strike\\~\\~"),
        ("Recall on Fridays, 95% - well-run.", "Recall on Fridays, 95% - well-run."),
    ],
)
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == escaped


def test_line_breaks_are_kept_as_hard_breaks():
    assert escape_markdown_lines("one\ntwo\n\nthree", "  ") == "  one\\\n  two\n\n  three"


def test_note_markdown_is_safe_and_complete():
    note = _note(
        body="<script>steal()</script>\n![x](http://evil.example/t.png)",
        author="<b>Mallory</b>",
        indicator_id="IMM_MMR1",
        period=date(2025, 2, 1),
        tags=("recall", "mdt"),
    )
    md = note_markdown(note, indicator_name="MMR1 by 24 months [sample]")
    assert md == (
        "**What we do** · \\<b\\>Mallory\\</b\\> · 14 Mar 2025 · MMR1 by 24 months \\[sample\\]"
        " · Feb 2025 · #recall #mdt\n\n"
        "\\<script\\>steal()\\</script\\>\\\n"
        "!\\[x\\](http:\u2060//evil.example/t.png)"
    )
    assert "<" not in md.replace("\\<", "")
    assert "![" not in md


def test_header_with_practice_and_deleted_flag():
    note = _note(kind="question", deleted_at=T, practice_id="P0_1")
    header = note_header_markdown(note, practice_name="St *Mary*", show_practice=True)
    assert header == "**Question** · Shirin · 14 Mar 2025 · St \\*Mary\\* (P0\\_1) · *deleted*"


def test_action_header_shows_status_owner_due_practices_and_start():
    action = _note(
        kind="action",
        practice_id="P026",
        owner="**Practice** manager <b>",
        due_date=date(2025, 6, 30),
        status="done",
        practice_ids=("P026", "P0_27"),
        intervention_date=date(2025, 4, 1),
    )
    assert note_header_markdown(action) == (
        "**Action** · Shirin · 14 Mar 2025 · **Done** · owner \\*\\*Practice\\*\\* manager "
        "\\<b\\> · due 30 Jun 2025 · practices P026, P0\\_27 · started 01 Apr 2025"
    )
    shown = note_header_markdown(action, practice_name="Foundry", show_practice=True)
    assert "Foundry (P026)" in shown and "also P0\\_27" in shown and "practices" not in shown


def test_network_wide_action_and_dated_practice_note_headers():
    wide = _note(kind="action", practice_id=None, owner="N3 lead", due_date=date(2025, 6, 30))
    header = note_header_markdown(wide, show_practice=True)
    assert header == (
        "**Action** · Shirin · 14 Mar 2025 · **Open** · owner N3 lead · due 30 Jun 2025 · "
        "whole network"
    )
    dated = _note(intervention_date=date(2024, 11, 4))
    assert note_header_markdown(dated).endswith(" · started 04 Nov 2024")
    gone = _note(intervention_date=date(2024, 11, 4), deleted_at=T)
    assert "started" not in note_header_markdown(gone)  # a deleted note is no intervention
