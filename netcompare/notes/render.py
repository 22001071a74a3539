"""Notes as safe Markdown: whatever a note says is shown literally, never as markup.

Notes are typed by anyone, so their text is untrusted. :func:`escape_markdown` backslash-escapes
every character that CommonMark / GitHub-flavoured Markdown (and Streamlit's extensions:
``$`` maths, ``:color[…]`` directives) would act on, so ``<script>`` shows as ``<script>`` and
``![x](http://…)`` shows as that text instead of loading an image. CommonMark allows a
backslash before any ASCII punctuation character to make it literal (CommonMark spec 0.31,
section 2.4 "Backslash escapes"); raw HTML is never produced because ``<`` is always escaped.
"""

from __future__ import annotations

import re

from netcompare.notes.note import Note

# Escaped wherever they appear.
_ALWAYS = set("\\`*_{}[]()<>#!|~$&")
# Escaped only where they would start a list, heading underline or numbered list item.
_LINE_START = re.compile(r"^(\s*)([-+=])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


def escape_markdown(text: str) -> str:
    """``text`` with Markdown syntax escaped, so it renders exactly as typed (one paragraph
    per blank-line-separated block; see :func:`escape_markdown_lines` for line breaks)."""
    lines = []
    for line in text.split("\n"):
        escaped = "".join("\\" + ch if ch in _ALWAYS else ch for ch in line)
        escaped = _LINE_START.sub(r"\1\\\2", escaped)
        escaped = _NUMBERED.sub(r"\1\\\2", escaped)
        lines.append(escaped)
    return "\n".join(lines)


def escape_markdown_lines(text: str, indent: str = "") -> str:
    """Escaped ``text`` keeping its line breaks (hard breaks), each line prefixed ``indent``."""
    out = []
    lines = escape_markdown(text.replace("\r\n", "\n")).split("\n")
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        # A backslash at the end of a line is a hard line break in CommonMark; not before a
        # blank line or at the end, where it would show.
        hard = "\\" if line.strip() and nxt.strip() else ""
        out.append(f"{indent}{line.lstrip()}{hard}" if line.strip() else "")
    return "\n".join(out)


def note_header_markdown(
    note: Note,
    *,
    practice_name: str | None = None,
    indicator_name: str | None = None,
    show_practice: bool = False,
) -> str:
    """One line about a note — kind, author, date, indicator, period, tags — safely escaped."""
    parts = [f"**{escape_markdown(note.kind_label)}**", escape_markdown(note.author)]
    parts.append(f"{note.created_at:%d %b %Y}")
    if show_practice:
        pid = escape_markdown(note.practice_id)
        parts.append(f"{escape_markdown(practice_name)} ({pid})" if practice_name else pid)
    if note.indicator_id:
        parts.append(escape_markdown(indicator_name or note.indicator_id))
    if note.period is not None:
        parts.append(f"{note.period:%b %Y}")
    if note.tags:
        parts.append(" ".join(f"#{escape_markdown(t)}" for t in note.tags))
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
    return f"{header}\n\n{escape_markdown_lines(note.body)}"
