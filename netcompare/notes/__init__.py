"""Peer notes: "what are they doing?" next to every practice.

A practice's notes on what works, questions from its peers and their answers, and actions from
learning-set meetings, kept in a SQL database (SQLite file by default, PostgreSQL for a network
that shares one store) through SQLAlchemy 2.0, with Alembic migrations run on opening.

Typical use::

    from netcompare.notes import open_notes_store
    store = open_notes_store()            # NETCOMPARE_DB_URL or the user's SQLite file
    note = store.add_note(practice_id="P003", network_id="N1", indicator_id="IMM_MMR1",
                          body="Recall coordinator phones MMR defaulters every Friday",
                          author="Practice nurse, P003", tags=["recall"])
    counts = store.note_counts(["P001", "P003"])   # practice_id, n_notes, n_open_questions
    action = store.add_action(network_id="N1", body="Share the call script with P001",
                              author="N1 learning set", owner="Practice manager, P003",
                              due_date="2025-06-30", practice_ids=["P003", "P001"],
                              indicator_id="IMM_MMR1")
    store.set_action_status(action.note_uid, "done")
    overdue = store.list_actions(network_ids=["N1"], statuses=["open"], due_before=date.today())
    dated = store.list_interventions(network_id="N1", indicator_id="IMM_MMR1",
                                     practice_id="P003")   # drawn on the charts

This package never imports streamlit; the app's helpers are in :mod:`netcompare.ui.notes`.
"""

from __future__ import annotations

from netcompare.notes.errors import (
    NoteConflict,
    NoteNotFound,
    NotePermissionError,
    NotesUnavailable,
    NoteValidationError,
)
from netcompare.notes.exchange import (
    CSV_COLUMNS,
    export_csv,
    export_markdown,
    import_notes_csv,
    notes_to_csv,
    notes_to_markdown,
    read_notes_csv,
    write_notes_csv,
)
from netcompare.notes.note import (
    ACTION_STATUSES,
    KIND_LABELS,
    KINDS,
    OLD_KIND_NAMES,
    STATUS_LABELS,
    Note,
)
from netcompare.notes.render import escape_markdown, note_header_markdown, note_markdown
from netcompare.notes.repository import (
    NOT_GIVEN,
    AuditEntry,
    NotesImportResult,
    NotesRepository,
)
from netcompare.notes.store import (
    ENV_VAR,
    current_revision,
    default_db_path,
    default_db_url,
    get_repository,
    head_revision,
    open_notes_store,
    resolve_db_url,
)
from netcompare.notes.tables import count_notes, notes_frame, with_note_counts
from netcompare.notes.validation import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_OWNER_CHARS,
    MAX_TAGS,
)

__all__ = [
    "ACTION_STATUSES",
    "CSV_COLUMNS",
    "ENV_VAR",
    "KINDS",
    "KIND_LABELS",
    "MAX_AUTHOR_CHARS",
    "MAX_BODY_CHARS",
    "MAX_OWNER_CHARS",
    "MAX_TAGS",
    "NOT_GIVEN",
    "OLD_KIND_NAMES",
    "STATUS_LABELS",
    "AuditEntry",
    "Note",
    "NoteConflict",
    "NoteNotFound",
    "NotePermissionError",
    "NoteValidationError",
    "NotesImportResult",
    "NotesRepository",
    "NotesUnavailable",
    "count_notes",
    "current_revision",
    "default_db_path",
    "default_db_url",
    "escape_markdown",
    "export_csv",
    "export_markdown",
    "get_repository",
    "head_revision",
    "import_notes_csv",
    "note_header_markdown",
    "note_markdown",
    "notes_frame",
    "notes_to_csv",
    "notes_to_markdown",
    "open_notes_store",
    "read_notes_csv",
    "resolve_db_url",
    "with_note_counts",
    "write_notes_csv",
]
