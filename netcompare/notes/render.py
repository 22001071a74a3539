"""Notes as safe Markdown: whatever a note says is shown literally, never as markup.

Notes are typed by anyone, so their text is untrusted: every part of a note (author, tags,
practice and indicator names, body) goes through :func:`netcompare.text.literal`, which
escapes Markdown and HTML and stops Streamlit's shortcodes, directives and autolinks (the
sources are cited there).
"""

from __future__ import annotations

from netcompare.notes.note import STATUS_LABELS, Note
from netcompare.text import escape_markdown, escape_markdown_lines, literal, literal_lines

__all__ = [
    "escape_markdown",
    "escape_markdown_lines",
    "note_header_markdown",
    "note_markdown",
]


def note_header_markdown(
    note: Note,
    *,
    practice_name: str | None = None,
    indicator_name: str | None = None,
    show_practice: bool = False,
) -> str:
    """One line about a note — kind, author, date, practice, indicator, period, tags; for an
    action its status, owner, due date and the other practices it concerns (or "whole
    network"); when the change started — safely escaped."""
    parts = [f"**{literal(note.kind_label)}**", literal(note.author)]
    parts.append(f"{note.created_at:%d %b %Y}")
    if show_practice and note.practice_id is not None:
        pid = literal(note.practice_id)
        parts.append(f"{literal(practice_name)} ({pid})" if practice_name else pid)
    if note.is_action:
        status = note.status or "open"
        parts.append(f"**{literal(STATUS_LABELS.get(status, status))}**")
        if note.owner:
            parts.append(f"owner {literal(note.owner)}")
        if note.due_date is not None:
            parts.append(f"due {note.due_date:%d %b %Y}")
        if not note.practice_ids:
            parts.append("whole network")
        elif len(note.practice_ids) > 1 and show_practice:
            parts.append("also " + ", ".join(literal(p) for p in note.practice_ids[1:]))
        elif len(note.practice_ids) > 1:
            parts.append("practices " + ", ".join(literal(p) for p in note.practice_ids))
    if note.intervention is not None:
        parts.append(f"started {note.intervention:%d %b %Y}")
    if note.indicator_id:
        parts.append(literal(indicator_name or note.indicator_id))
    if note.period is not None:
        parts.append(f"{note.period:%b %Y}")
    if note.tags:
        parts.append(" ".join(f"#{literal(t)}" for t in note.tags))
    if note.is_deleted:
        parts.append("*deleted*")
    return " · ".join(parts)


def note_markdown(
    note: Note,
    *,
    practice_name: str | None = None,
    indicator_name: str | None = None,
    show_practice: bool = False,
) -> str:
    """A note as safe Markdown: the header line, then the body shown literally."""
    header = note_header_markdown(
        note,
        practice_name=practice_name,
        indicator_name=indicator_name,
        show_practice=show_practice,
    )
    return f"{header}\n\n{literal_lines(note.body)}"
