"""The note as the rest of netcompare sees it: a frozen, plain value (no database session).

A note belongs to one practice in one network and may be about one indicator and one period.
Its ``kind`` is one of:

- ``practice_note``: "what we do" — a practice telling its peers what works;
- ``question``: "how do you …?" — asked of a practice by anyone;
- ``answer``: a reply, linked to a question by ``parent_uid``;
- ``meeting_action``: an action agreed at a learning-set meeting.

``note_uid`` is a stable UUID string: it survives export and import, so importing a file twice
never duplicates a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

KINDS: tuple[str, ...] = ("practice_note", "question", "answer", "meeting_action")

KIND_LABELS: dict[str, str] = {
    "practice_note": "What we do",
    "question": "Question",
    "answer": "Answer",
    "meeting_action": "Meeting action",
}


@dataclass(frozen=True, slots=True)
class Note:
    """One stored note, question, answer or meeting action."""

    note_uid: str
    practice_id: str
    network_id: str
    kind: str
    body: str
    author: str
    created_at: datetime  # timezone-aware, UTC
    updated_at: datetime  # timezone-aware, UTC
    indicator_id: str | None = None
    period: date | None = None
    parent_uid: str | None = None  # the question an answer replies to
    tags: tuple[str, ...] = ()
    deleted_at: datetime | None = None  # soft delete: set, the note is hidden but kept

    @property
    def is_deleted(self) -> bool:
        """Whether the note has been (soft) deleted."""
        return self.deleted_at is not None

    @property
    def kind_label(self) -> str:
        """The kind as shown to people ("What we do", "Question", …)."""
        return KIND_LABELS.get(self.kind, self.kind)
