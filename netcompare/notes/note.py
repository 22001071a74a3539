"""The note as the rest of netcompare sees it: a frozen, plain value (no database session).

A note belongs to one practice in one network and may be about one indicator and one period.
Its ``kind`` is one of:

- ``practice_note``: "what we do" — a practice telling its peers what works;
- ``question``: "how do you …?" — asked of a practice by anyone;
- ``answer``: a reply, linked to a question by ``parent_uid``;
- ``action``: an action agreed at a learning-set meeting, with an ``owner``, a ``due_date``, a
  ``status`` (open / done / dropped), the practice(s) it concerns (``practice_ids``; none: the
  network as a whole) and, once the change has started, its ``intervention_date``. (Stores
  before migration 0003 called it ``meeting_action``; the migration renames it.)

A practice note ("what we do") may also carry an ``intervention_date`` (when the practice
started doing it): dated actions and dated practice notes are drawn on the trend and SPC charts
as interventions, and judged "did it work?".

``note_uid`` is a stable UUID string: it survives export and import, so importing a file twice
never duplicates a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

KINDS: tuple[str, ...] = ("practice_note", "question", "answer", "action")
# The kind's name before migration 0003 (still read from old exported files).
OLD_KIND_NAMES: dict[str, str] = {"meeting_action": "action"}

ACTION_STATUSES: tuple[str, ...] = ("open", "done", "dropped")
STATUS_LABELS: dict[str, str] = {"open": "Open", "done": "Done", "dropped": "Dropped"}

KIND_LABELS: dict[str, str] = {
    "practice_note": "What we do",
    "question": "Question",
    "answer": "Answer",
    "action": "Action",
}


@dataclass(frozen=True, slots=True)
class Note:
    """One stored note, question, answer or action."""

    note_uid: str
    practice_id: str | None  # None only for an action about the network as a whole
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
    intervention_date: date | None = None  # when the change started (actions, practice notes)
    # Actions only (None / () for every other kind):
    owner: str | None = None  # who will do it ("Practice manager, P003")
    due_date: date | None = None
    status: str | None = None  # one of ACTION_STATUSES
    practice_ids: tuple[str, ...] = ()  # every practice an action concerns; practice_id first
    # The author's signed-in email (since migration 0004); None before sign-in / on a laptop.
    author_id: str | None = None

    @property
    def is_deleted(self) -> bool:
        """Whether the note has been (soft) deleted."""
        return self.deleted_at is not None

    @property
    def kind_label(self) -> str:
        """The kind as shown to people ("What we do", "Question", …)."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_action(self) -> bool:
        """Whether this is an action agreed at a meeting."""
        return self.kind == "action"

    @property
    def concerns(self) -> tuple[str, ...]:
        """The practices the note is about: an action's ``practice_ids``, else its practice."""
        if self.is_action:
            return self.practice_ids
        return (self.practice_id,) if self.practice_id else ()

    def is_overdue(self, today: date) -> bool:
        """An open action whose due date has passed."""
        return (
            self.is_action
            and self.status == "open"
            and self.due_date is not None
            and self.due_date < today
            and not self.is_deleted
        )

    @property
    def intervention(self) -> date | None:
        """When the change this note records started (an action's or a practice note's
        ``intervention_date``); None for questions, answers, undated and deleted notes."""
        if self.is_deleted or self.kind not in ("action", "practice_note"):
            return None
        return self.intervention_date
