"""The notes repository: every read and write of notes goes through :class:`NotesRepository`.

Writes validate their input (:mod:`netcompare.notes.validation`), run in one short transaction
each and use bound parameters only (SQLAlchemy ``select()``/``insert()`` constructs; no SQL is
built from text). Two people saving at once both keep their notes: each note is a new row with
its own UUID, tags are created with ``INSERT … ON CONFLICT DO NOTHING`` in a fixed (sorted)
order, and SQLite writers queue on ``BEGIN IMMEDIATE`` (see :mod:`netcompare.notes.engine`).

Permissions and the audit (issue 16): every method that changes notes takes ``actor``, the
:class:`~netcompare.access.viewer.Viewer` making the change. None (the command line, a laptop)
is not checked. A signed-in actor's new notes carry their identity — ``author`` is their name
(or email) and ``author_id`` their email, whatever author text was passed — adding needs
:meth:`Viewer.can_write` for the note's network, and editing, deleting, restoring or changing
an action's status needs :meth:`Viewer.can_change` (the author, the network's lead or an
admin); otherwise :class:`~netcompare.notes.errors.NotePermissionError`. Every change writes
one ``note_audit`` row (who, what, when, the fields that changed as JSON) in the same
transaction as the change, read back with :meth:`NotesRepository.audit`.

Every database failure becomes :class:`~netcompare.notes.errors.NotesUnavailable`, so a page
can show a warning and carry on. Every public method runs under the deadline of
:func:`netcompare.dbwait.bounded_call` (connect + statement timeout + a margin): a database that
does not answer — a frozen server, a network partition — makes the call raise
:class:`NotesUnavailable` within seconds instead of holding the page.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import ColumnElement, Engine, and_, case, exists, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from netcompare.access.viewer import Viewer, normalise_email
from netcompare.dbwait import DatabaseTimeout, bounded_call, deadline_s
from netcompare.notes.engine import describe_url, unavailable_error, writer
from netcompare.notes.errors import (
    NoteConflict,
    NoteNotFound,
    NotePermissionError,
    NotesUnavailable,
    NoteValidationError,
)
from netcompare.notes.models import NoteAuditRow, NotePracticeRow, NoteRow, TagRow, note_tags
from netcompare.notes.note import OLD_KIND_NAMES, Note
from netcompare.notes.validation import (
    MAX_AUTHOR_CHARS,
    CleanNote,
    clean_note,
    clean_status,
    clean_tag,
    clean_uid,
)

# Above this many practice ids, counts are computed for all practices and filtered in polars
# rather than sent as one bound parameter per id.
MAX_BOUND_IDS = 500

T = TypeVar("T")

COUNTS_SCHEMA = pl.Schema(
    {"practice_id": pl.String(), "n_notes": pl.Int64(), "n_open_questions": pl.Int64()}
)


class _NotGiven:
    """The type of :data:`NOT_GIVEN`."""

    _instance: _NotGiven | None = None

    def __new__(cls) -> _NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


# The default of update_action's fields that None would clear: "leave it as it is".
NOT_GIVEN = _NotGiven()

# note_audit.action values.
AUDIT_ACTIONS: tuple[str, ...] = ("add", "edit", "status", "delete", "restore", "import")
# note_audit.actor_name of a change made without sign-in (the command line, a laptop).
NO_SIGN_IN = "(no sign-in)"
MAX_ACTOR_NAME_CHARS = 120
DEFAULT_AUDIT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change to a note, as recorded in ``note_audit``.

    ``action`` is one of :data:`AUDIT_ACTIONS`. ``actor_id`` is the signed-in email (None
    without sign-in); ``actor_name`` their name as shown (:data:`NO_SIGN_IN` without sign-in).
    ``detail``: for ``add`` (and a newly imported note) the note's fields; for every other
    change ``{field: {"from": old, "to": new}}`` for each field that changed. Dates and times
    are ISO 8601 strings, tags and practices lists.
    """

    id: int
    note_uid: str
    action: str
    actor_id: str | None
    actor_name: str
    at: datetime  # timezone-aware, UTC
    detail: dict[str, Any]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NotesImportResult:
    """What an import did: notes added, updated (the file's copy was newer), left as they were."""

    added: int
    updated: int
    unchanged: int


def _ordered_practices(practice_id: str | None, practice_ids: Iterable[str]) -> tuple[str, ...]:
    """An action's practices as stored and returned: ``practice_id`` first, then the others
    in id order (the link table keeps no order), each once."""
    rest = sorted(set(practice_ids) - {practice_id})
    return (practice_id, *rest) if practice_id is not None else tuple(rest)


def _to_note(row: NoteRow) -> Note:
    is_action = row.kind == "action"
    return Note(
        note_uid=row.note_uid,
        practice_id=row.practice_id,
        network_id=row.network_id,
        kind=row.kind,
        body=row.body,
        author=row.author,
        created_at=row.created_at,
        updated_at=row.updated_at,
        indicator_id=row.indicator_id,
        period=row.period,
        parent_uid=row.parent.note_uid if row.parent is not None else None,
        tags=tuple(sorted(t.name for t in row.tags)),
        deleted_at=row.deleted_at,
        intervention_date=row.intervention_date,
        owner=row.owner,
        due_date=row.due_date,
        status=row.status,
        practice_ids=(
            _ordered_practices(row.practice_id, (p.practice_id for p in row.practices))
            if is_action
            else ()
        ),
        author_id=row.author_id,
    )


# -- permissions and the audit ----------------------------------------------------------------


def _signed_in(actor: Viewer | None) -> bool:
    return actor is not None and actor.signed_in


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit].strip()


def actor_name(actor: Viewer | None) -> str:
    """How ``actor`` is named in the audit: their name, else email; :data:`NO_SIGN_IN`."""
    if actor is None or actor.email is None:
        return NO_SIGN_IN
    email = normalise_email(actor.email)
    return _one_line(actor.name or "", MAX_ACTOR_NAME_CHARS) or email[:MAX_ACTOR_NAME_CHARS]


def signed_in_author(actor: Viewer) -> str:
    """The author a signed-in actor's notes carry: their name (else email), one line, clipped
    to the author limit (``author_id`` keeps the full email)."""
    assert actor.email is not None
    email = normalise_email(actor.email)
    return _one_line(actor.name or "", MAX_AUTHOR_CHARS) or email[:MAX_AUTHOR_CHARS]


def _who(actor: Viewer) -> str:
    return f"You ({actor.email})"


def check_can_write(actor: Viewer | None, network_id: str, what: str = "add notes") -> None:
    """:class:`NotePermissionError` unless ``actor`` may write about ``network_id``."""
    if actor is None or actor.can_write(network_id):
        return
    role = actor.role_in(network_id)
    why = (
        f"your role in network {network_id} is {role}, and only its leads and members (or an "
        "admin) write notes"
        if role
        else f"you are not a lead or member of network {network_id}"
    )
    raise NotePermissionError(f"{_who(actor)} may not {what} about network {network_id}: {why}")


def check_can_change(actor: Viewer | None, row: NoteRow | Note, what: str) -> None:
    """:class:`NotePermissionError` unless ``actor`` may change the note ``row``."""
    if actor is None or actor.can_change(row.author_id, row.network_id):
        return
    raise NotePermissionError(
        f"{_who(actor)} may not {what} {row.note_uid}: only its author, a lead of network "
        f"{row.network_id} or an admin may"
    )


def _audit_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


# The fields of a note the audit records (its times of creation and update are the audit's).
_AUDITED = (
    "practice_id",
    "network_id",
    "kind",
    "body",
    "author",
    "author_id",
    "indicator_id",
    "period",
    "parent_uid",
    "tags",
    "intervention_date",
    "owner",
    "due_date",
    "status",
    "practice_ids",
    "deleted_at",
)


def audit_fields(note: Note) -> dict[str, object]:
    """A note's recorded fields as JSON-ready values, leaving out the empty ones."""
    values = {f: _audit_value(getattr(note, f)) for f in _AUDITED}
    return {k: v for k, v in values.items() if v not in (None, [], "")}


def audit_changes(before: Note, after: Note) -> dict[str, dict[str, object]]:
    """``{field: {"from": old, "to": new}}`` for each recorded field that differs."""
    changes: dict[str, dict[str, object]] = {}
    for f in _AUDITED:
        old, new = _audit_value(getattr(before, f)), _audit_value(getattr(after, f))
        if old != new:
            changes[f] = {"from": old, "to": new}
    return changes


def write_audit(
    session: Session,
    *,
    note_uid: str,
    action: str,
    actor: Viewer | None,
    at: datetime,
    detail: dict[str, Any],
) -> None:
    """Add one ``note_audit`` row to ``session`` (so it commits or rolls back with the change)."""
    assert action in AUDIT_ACTIONS, action
    session.add(
        NoteAuditRow(
            note_uid=note_uid,
            action=action,
            actor_id=normalise_email(actor.email) if _signed_in(actor) else None,  # type: ignore[union-attr]
            actor_name=actor_name(actor),
            at=at,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )


def _to_audit_entry(row: NoteAuditRow) -> AuditEntry:
    try:
        detail = json.loads(row.detail) if row.detail else {}
    except ValueError:
        detail = {"text": row.detail}
    return AuditEntry(
        id=row.id,
        note_uid=row.note_uid,
        action=row.action,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        at=row.at,
        detail=detail if isinstance(detail, dict) else {"value": detail},
    )


def _set_practices(row: NoteRow, practice_ids: Iterable[str]) -> None:
    """Make ``row``'s link rows exactly ``practice_ids`` (plus its ``practice_id`` for an
    action), changing only what differs, so a row is never deleted and inserted again."""
    wanted = set(practice_ids)
    if row.kind == "action" and row.practice_id is not None:
        wanted.add(row.practice_id)
    if row.kind != "action":
        wanted = set()
    have = {p.practice_id for p in row.practices}
    if wanted == have:
        return
    row.practices = [p for p in row.practices if p.practice_id in wanted] + [
        NotePracticeRow(practice_id=pid) for pid in sorted(wanted - have)
    ]


def _concerning(practice_ids: Sequence[str]) -> ColumnElement[bool]:
    """Notes whose practice is one of ``practice_ids``, or actions concerning one of them."""
    linked = select(NotePracticeRow.note_id).where(NotePracticeRow.practice_id.in_(practice_ids))
    return or_(NoteRow.practice_id.in_(practice_ids), NoteRow.id.in_(linked))


def _tag_rows(session: Session, names: Iterable[str]) -> list[TagRow]:
    """The rows of these tags, creating any that do not exist yet (safe under concurrency)."""
    wanted = sorted(set(names))  # one fixed order, so concurrent writers never deadlock
    if not wanted:
        return []
    table = TagRow.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        ins = sqlite_insert(table) if dialect == "sqlite" else pg_insert(table)
        session.execute(
            ins.values([{"name": n} for n in wanted]).on_conflict_do_nothing(
                index_elements=["name"]
            )
        )
    else:
        for name in wanted:
            if session.scalar(select(TagRow.id).where(TagRow.name == name)) is None:
                try:
                    with session.begin_nested():
                        session.execute(insert(table).values(name=name))
                except IntegrityError:
                    pass  # created by someone else just now
    rows = session.scalars(select(TagRow).where(TagRow.name.in_(wanted))).all()
    return sorted(rows, key=lambda r: r.name)


def _rows_by_uid(session: Session, uids: Sequence[str]) -> dict[str, NoteRow]:
    found: dict[str, NoteRow] = {}
    for start in range(0, len(uids), MAX_BOUND_IDS):
        chunk = uids[start : start + MAX_BOUND_IDS]
        for row in session.scalars(select(NoteRow).where(NoteRow.note_uid.in_(chunk))):
            found[row.note_uid] = row
    return found


def _check_parent(parent: Note | NoteRow | None, who: str, parent_uid: str) -> None:
    """``who`` (e.g. ``"note 1234"``) must answer an existing question ``parent_uid``."""
    if parent is None:
        raise NoteValidationError(f"{who}: it answers question {parent_uid}, which does not exist")
    if parent.kind != "question":
        raise NoteValidationError(
            f"{who}: it answers {parent_uid}, which is a {parent.kind}, not a question"
        )


def write_notes(
    session: Session,
    notes: Iterable[Note],
    *,
    actor: Viewer | None = None,
    audit: bool = True,
    now: datetime | None = None,
) -> NotesImportResult:
    """Insert notes that are new (by ``note_uid``), update those the input has newer copies of.

    ``notes`` are complete, already validated notes (e.g. from
    :func:`netcompare.notes.exchange.read_notes_csv`); their ids, times, authors and deleted
    flags are kept as they are. An answer must reply to a question in ``notes`` or in the
    database. Runs in the caller's transaction; raises :class:`NoteValidationError` before
    writing anything if the input is inconsistent.

    A signed-in ``actor`` must be a lead (or an admin) of every network the notes are about
    and of every stored note they replace, since an import keeps the file's authors; else
    :class:`NotePermissionError`, nothing written. With ``audit``, each note added or
    updated gets an ``import`` row in ``note_audit`` at ``now`` (the first-run seed of sample
    notes is not audited: nobody made that change).
    """
    incoming = list(notes)
    by_uid: dict[str, Note] = {}
    for note in incoming:
        if note.note_uid in by_uid:
            raise NoteValidationError(f"note {note.note_uid} appears more than once")
        by_uid[note.note_uid] = note
    parent_uids = sorted({n.parent_uid for n in incoming if n.parent_uid} - by_uid.keys())
    existing = _rows_by_uid(session, sorted(by_uid.keys() | set(parent_uids)))
    if actor is not None:
        replaced = {existing[u].network_id for u in by_uid if u in existing}
        for network_id in sorted({n.network_id for n in incoming} | replaced):
            if not actor.can_moderate(network_id):
                raise NotePermissionError(
                    f"{_who(actor)} may not import notes about network {network_id}: an "
                    "import keeps the file's authors, so only a lead of that network or an "
                    "admin may import them"
                )
    for note in incoming:
        if note.parent_uid:
            parent = by_uid.get(note.parent_uid) or existing.get(note.parent_uid)
            _check_parent(parent, f"note {note.note_uid}", note.parent_uid)

    tags = {t.name: t for t in _tag_rows(session, {t for n in incoming for t in n.tags})}
    added = updated = unchanged = 0
    pending: list[tuple[Note | None, NoteRow]] = []  # (the note before, its row) to audit
    # Questions (and everything that is not an answer) first, so answers can link to them.
    for note in sorted(incoming, key=lambda n: n.parent_uid is not None):
        row = existing.get(note.note_uid)
        if row is not None and row.updated_at >= note.updated_at:
            unchanged += 1
            continue
        before = None
        if row is None:
            row = NoteRow(note_uid=note.note_uid)
            session.add(row)
            existing[note.note_uid] = row
            added += 1
        else:
            before = _to_note(row) if audit else None
            updated += 1
        row.practice_id = note.practice_id
        row.network_id = note.network_id
        row.indicator_id = note.indicator_id
        row.period = note.period
        row.kind = note.kind
        row.body = note.body
        row.author = note.author
        row.created_at = note.created_at
        row.updated_at = note.updated_at
        row.deleted_at = note.deleted_at
        row.parent = existing[note.parent_uid] if note.parent_uid else None
        row.tags = [tags[t] for t in note.tags]
        row.intervention_date = note.intervention_date
        row.owner = note.owner
        row.due_date = note.due_date
        row.status = note.status
        row.author_id = note.author_id
        _set_practices(row, note.practice_ids)
        if audit:
            pending.append((before, row))
    session.flush()
    at = now or utc_now()
    for before, row in pending:
        after = _to_note(row)
        detail = audit_fields(after) if before is None else audit_changes(before, after)
        write_audit(
            session, note_uid=row.note_uid, action="import", actor=actor, at=at, detail=detail
        )
    session.flush()
    return NotesImportResult(added=added, updated=updated, unchanged=unchanged)


def _bounded(action: str, *, write: bool = False) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run the method under the repository's deadline; past it, :class:`NotesUnavailable`
    saying the database did not answer (for a write: it may still be saved later)."""

    def decorate(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def bounded(self: NotesRepository, *args: object, **kwargs: object) -> T:
            return self._call(action, write, functools.partial(method, self, *args, **kwargs))

        return bounded

    return decorate


class NotesRepository:
    """Notes, questions, answers and actions in one database.

    Methods return :class:`~netcompare.notes.note.Note` values (never live ORM objects), so
    results can be cached and passed around freely. Thread-safe: each call uses its own
    session from the engine's pool.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        url: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        deadline: float | None = None,
    ) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._url = url or engine.url.render_as_string(hide_password=False)
        self._clock = clock
        self.deadline = deadline_s() if deadline is None else deadline

    @property
    def url(self) -> str:
        """The database URL (with any password: do not show it; see ``describe_url``)."""
        return self._url

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self._engine.dispose()

    # -- sessions -------------------------------------------------------------------------

    @contextmanager
    def _session(self, action: str, *, write: bool) -> Iterator[Session]:
        try:
            with Session(self._writer if write else self._engine) as session, session.begin():
                yield session
        except (
            NoteValidationError,
            NoteNotFound,
            NoteConflict,
            NotesUnavailable,
            NotePermissionError,
        ):
            raise
        except IntegrityError as exc:
            raise NoteConflict(
                f"Could not {action}: someone saved a conflicting note at the same moment "
                f"({str(exc.orig).splitlines()[0] if exc.orig else exc}); please try again"
            ) from exc
        except SQLAlchemyError as exc:
            raise unavailable_error(exc, self._engine.url, action) from exc

    def _call(self, action: str, write: bool, fn: Callable[[], T]) -> T:
        where = f"The notes database {describe_url(self._engine.url)}"
        try:
            return bounded_call(fn, url=self._engine.url, timeout=self.deadline, what=where)
        except DatabaseTimeout as exc:
            later = (
                " If it comes back, it may still be saved: look before saving again."
                if write
                else ""
            )
            raise NotesUnavailable(
                f"{exc}. Could not {action}; the rest of netcompare still works.{later}"
            ) from None

    def _now(self) -> datetime:
        now = self._clock()
        return (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC)

    # -- writes ---------------------------------------------------------------------------

    @_bounded("save the note", write=True)
    def add_note(
        self,
        *,
        practice_id: str,
        network_id: str,
        body: str,
        author: str | None = None,
        kind: str = "practice_note",
        indicator_id: str | None = None,
        period: date | str | None = None,
        tags: Iterable[str] | str | None = None,
        parent_uid: str | None = None,
        intervention_date: date | str | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Save a new note and return it (with its new ``note_uid`` and times).

        ``intervention_date``: for a practice note ("what we do"), when the practice started
        doing it (drawn on the charts as an intervention). Actions are added with
        :meth:`add_action`. Raises :class:`NoteValidationError` listing every problem with the
        input, e.g. an empty body, a body over 4,000 characters, no author, an unknown kind,
        too many tags, or an answer whose question does not exist.

        ``actor``: who is adding it (see the module docstring); a signed-in actor's name and
        email replace ``author``, and they must be able to write about ``network_id``
        (:class:`NotePermissionError`).
        """
        clean = clean_note(
            practice_id=practice_id,
            network_id=network_id,
            kind=kind,
            body=body,
            author=signed_in_author(actor) if _signed_in(actor) else author,  # type: ignore[arg-type]
            indicator_id=indicator_id,
            period=period,
            parent_uid=parent_uid,
            tags=tags,
            intervention_date=intervention_date,
        )
        what = {"question": "ask questions", "answer": "answer questions"}.get(kind, "add notes")
        check_can_write(actor, clean.network_id, what)
        return self._insert(clean, "save the note", actor)

    @_bounded("save the action", write=True)
    def add_action(
        self,
        *,
        network_id: str,
        body: str,
        author: str | None = None,
        owner: str,
        due_date: date | str,
        practice_ids: Sequence[str] = (),
        indicator_id: str | None = None,
        intervention_date: date | str | None = None,
        status: str = "open",
        period: date | str | None = None,
        tags: Iterable[str] | str | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Save an action agreed at a meeting and return it.

        ``practice_ids``: every practice it concerns, the first being its ``practice_id``
        (returned first, the others in id order); none: the network as a whole. ``owner``
        (who will do it) and ``due_date`` are required; ``status`` is open, done or dropped;
        ``intervention_date`` is when the change started, if it has. Raises
        :class:`NoteValidationError` listing every problem; ``actor`` as in :meth:`add_note`.
        """
        clean = clean_note(
            practice_id=None,
            network_id=network_id,
            kind="action",
            body=body,
            author=signed_in_author(actor) if _signed_in(actor) else author,  # type: ignore[arg-type]
            indicator_id=indicator_id,
            period=period,
            tags=tags,
            owner=owner,
            due_date=due_date,
            status=status,
            intervention_date=intervention_date,
            practice_ids=practice_ids,
        )
        check_can_write(actor, clean.network_id, "add actions")
        return self._insert(clean, "save the action", actor)

    def _insert(self, clean: CleanNote, action: str, actor: Viewer | None) -> Note:
        now = self._now()
        with self._session(action, write=True) as session:
            parent_row = None
            if clean.parent_uid is not None:
                parent_row = session.scalar(
                    select(NoteRow).where(
                        NoteRow.note_uid == clean.parent_uid, NoteRow.deleted_at.is_(None)
                    )
                )
                _check_parent(parent_row, "The answer", clean.parent_uid)
            row = NoteRow(
                note_uid=str(uuid.uuid4()),
                practice_id=clean.practice_id,
                network_id=clean.network_id,
                indicator_id=clean.indicator_id,
                period=clean.period,
                kind=clean.kind,
                body=clean.body,
                author=clean.author,
                created_at=now,
                updated_at=now,
                parent=parent_row,
                tags=_tag_rows(session, clean.tags),
                intervention_date=clean.intervention_date,
                owner=clean.owner,
                due_date=clean.due_date,
                status=clean.status,
                author_id=normalise_email(actor.email) if _signed_in(actor) else None,  # type: ignore[union-attr]
            )
            _set_practices(row, clean.practice_ids)
            session.add(row)
            session.flush()
            note = _to_note(row)
            write_audit(
                session,
                note_uid=note.note_uid,
                action="add",
                actor=actor,
                at=now,
                detail=audit_fields(note),
            )
            return note

    @_bounded("save the question", write=True)
    def ask_question(
        self,
        *,
        practice_id: str,
        network_id: str,
        body: str,
        author: str | None = None,
        indicator_id: str | None = None,
        period: date | str | None = None,
        tags: Iterable[str] | str | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Ask a practice a question ("how do you …?"); see :meth:`add_note`."""
        return self.add_note(
            practice_id=practice_id,
            network_id=network_id,
            body=body,
            author=author,
            kind="question",
            indicator_id=indicator_id,
            period=period,
            tags=tags,
            actor=actor,
        )

    @_bounded("save the answer", write=True)
    def answer_question(
        self,
        question_uid: str,
        *,
        body: str,
        author: str | None = None,
        tags: Iterable[str] | str | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Answer a question; the answer is filed under the question's practice and indicator."""
        question = self.get_note(question_uid)
        return self.add_note(
            practice_id=question.practice_id,
            network_id=question.network_id,
            body=body,
            author=author,
            kind="answer",
            indicator_id=question.indicator_id,
            period=question.period,
            tags=tags,
            parent_uid=question.note_uid,
            actor=actor,
        )

    @_bounded("update the note", write=True)
    def update_note(
        self,
        note_uid: str,
        *,
        body: str | None = None,
        tags: Iterable[str] | str | None = None,
        expected_updated_at: datetime | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Change a note's text and/or tags.

        With ``expected_updated_at`` (the ``updated_at`` the editor started from), a note
        changed by someone else in the meantime raises :class:`NoteConflict` instead of
        silently overwriting their change. A signed-in ``actor`` must be the note's author,
        a lead of its network or an admin (:class:`NotePermissionError`).
        """
        uid = self._uid(note_uid)
        with self._session("update the note", write=True) as session:
            row = self._row(session, uid)
            check_can_change(actor, row, "edit note")
            _check_unchanged(row, uid, expected_updated_at)
            before = _to_note(row)
            fields = _stored_fields(row)
            if body is not None:
                fields["body"] = body
            if tags is not None:
                fields["tags"] = tags
            # Only the text and tags change: an action from before owners may stay as it is.
            clean = clean_note(**fields, stored=True)
            row.body = clean.body
            row.tags = _tag_rows(session, clean.tags)
            row.updated_at = max(self._now(), row.updated_at)
            return self._audited(session, row, "edit", actor, before)

    @_bounded("update the action", write=True)
    def update_action(
        self,
        note_uid: str,
        *,
        body: str | None = None,
        owner: str | None = None,
        due_date: date | str | None = None,
        status: str | None = None,
        intervention_date: date | str | _NotGiven | None = NOT_GIVEN,
        practice_ids: Sequence[str] | None = None,
        indicator_id: str | _NotGiven | None = NOT_GIVEN,
        tags: Iterable[str] | str | None = None,
        expected_updated_at: datetime | None = None,
        actor: Viewer | None = None,
    ) -> Note:
        """Change an action: each field given replaces the stored one, the rest are kept.

        ``intervention_date`` and ``indicator_id`` are left alone unless given (None clears
        them); ``practice_ids=()`` makes it an action about the whole network. The result must
        be a complete action (an owner and a due date: an action carried over from before they
        existed gets them now). ``expected_updated_at`` as in :meth:`update_note`: a change by
        someone else since raises :class:`NoteConflict`. Raises :class:`NoteValidationError`
        if the note is not an action or the result is invalid; ``actor`` as in
        :meth:`update_note`.
        """
        uid = self._uid(note_uid)
        with self._session("update the action", write=True) as session:
            row = self._row(session, uid)
            check_can_change(actor, row, "edit action")
            _check_unchanged(row, uid, expected_updated_at)
            _check_action(row, uid)
            before = _to_note(row)
            stored = _stored_fields(row)
            if practice_ids is not None:
                stored["practice_id"] = None
            clean = clean_note(
                **{
                    **stored,
                    "body": row.body if body is None else body,
                    "tags": [t.name for t in row.tags] if tags is None else tags,
                    "owner": row.owner if owner is None else owner,
                    "due_date": row.due_date if due_date is None else due_date,
                    "status": row.status if status is None else status,
                    "intervention_date": (
                        row.intervention_date
                        if isinstance(intervention_date, _NotGiven)
                        else intervention_date
                    ),
                    "indicator_id": (
                        row.indicator_id if isinstance(indicator_id, _NotGiven) else indicator_id
                    ),
                    "practice_ids": stored["practice_ids"]
                    if practice_ids is None
                    else practice_ids,
                }
            )
            row.body = clean.body
            row.tags = _tag_rows(session, clean.tags)
            row.owner = clean.owner
            row.due_date = clean.due_date
            row.status = clean.status
            row.intervention_date = clean.intervention_date
            row.indicator_id = clean.indicator_id
            row.practice_id = clean.practice_id
            _set_practices(row, clean.practice_ids)
            row.updated_at = max(self._now(), row.updated_at)
            return self._audited(session, row, "edit", actor, before)

    @_bounded("change the action's status", write=True)
    def set_action_status(self, note_uid: str, status: str, *, actor: Viewer | None = None) -> Note:
        """Mark an action open, done or dropped (nothing else changes; the same status again
        changes nothing). Raises :class:`NoteValidationError` for another kind of note or an
        unknown status, :class:`NoteNotFound` if there is no such note; ``actor`` as in
        :meth:`update_note`."""
        uid = self._uid(note_uid)
        if not isinstance(status, str) or not status.strip():
            raise NoteValidationError("the status is required (open, done or dropped)")
        try:
            wanted = clean_status(status)
        except ValueError as exc:
            raise NoteValidationError(str(exc)) from None
        with self._session("change the action's status", write=True) as session:
            row = self._row(session, uid)
            check_can_change(actor, row, "change the status of action")
            _check_action(row, uid)
            if row.status != wanted:
                before = _to_note(row)
                row.status = wanted
                row.updated_at = max(self._now(), row.updated_at)
                return self._audited(session, row, "status", actor, before)
            return _to_note(row)

    @_bounded("delete the note", write=True)
    def delete_note(self, note_uid: str, *, actor: Viewer | None = None) -> Note:
        """Soft-delete a note: hidden from lists and counts, kept (and exported) for undo.
        ``actor`` as in :meth:`update_note`."""
        return self._set_deleted(note_uid, deleted=True, actor=actor)

    @_bounded("restore the note", write=True)
    def restore_note(self, note_uid: str, *, actor: Viewer | None = None) -> Note:
        """Undo :meth:`delete_note` (``actor`` as there)."""
        return self._set_deleted(note_uid, deleted=False, actor=actor)

    def _set_deleted(self, note_uid: str, *, deleted: bool, actor: Viewer | None) -> Note:
        uid = self._uid(note_uid)
        action = "delete the note" if deleted else "restore the note"
        with self._session(action, write=True) as session:
            row = self._row(session, uid)
            check_can_change(actor, row, "delete note" if deleted else "restore note")
            now = max(self._now(), row.updated_at)
            before = _to_note(row)
            if deleted and row.deleted_at is None:
                row.deleted_at = now
                row.updated_at = now
            elif not deleted and row.deleted_at is not None:
                row.deleted_at = None
                row.updated_at = now
            else:
                return before  # nothing changes, nothing to record
            return self._audited(session, row, "delete" if deleted else "restore", actor, before)

    def _audited(
        self, session: Session, row: NoteRow, action: str, actor: Viewer | None, before: Note
    ) -> Note:
        """Flush the change to ``row`` and record it in ``note_audit`` (same transaction)."""
        session.flush()
        after = _to_note(row)
        write_audit(
            session,
            note_uid=after.note_uid,
            action=action,
            actor=actor,
            at=row.updated_at,
            detail=audit_changes(before, after),
        )
        return after

    @_bounded("import the notes", write=True)
    def import_notes(
        self, notes: Iterable[Note], *, actor: Viewer | None = None
    ) -> NotesImportResult:
        """Import complete notes (from a backup or another database) in one transaction.

        A note whose ``note_uid`` is already stored is never duplicated: it is updated if the
        imported copy is newer (``updated_at``) and otherwise left alone. Each note added or
        updated is recorded in the audit. A signed-in ``actor`` must be a lead (or an admin)
        of every network in the import (:func:`write_notes`).
        """
        with self._session("import the notes", write=True) as session:
            return write_notes(session, notes, actor=actor, now=self._now())

    # -- reads ----------------------------------------------------------------------------

    @staticmethod
    def _uid(note_uid: str) -> str:
        try:
            return clean_uid(note_uid)
        except ValueError as exc:
            raise NoteNotFound(str(exc)) from None

    @staticmethod
    def _row(session: Session, uid: str) -> NoteRow:
        row = session.scalar(select(NoteRow).where(NoteRow.note_uid == uid))
        if row is None:
            raise NoteNotFound(f"There is no note with id {uid}")
        return row

    @_bounded("read the note")
    def get_note(self, note_uid: str) -> Note:
        """The note with this id (deleted or not); :class:`NoteNotFound` if there is none."""
        uid = self._uid(note_uid)
        with self._session("read the note", write=False) as session:
            return _to_note(self._row(session, uid))

    @_bounded("read the notes")
    def list_notes(
        self,
        *,
        practice_ids: Iterable[str] | None = None,
        network_ids: Iterable[str] | None = None,
        indicator_ids: Iterable[str] | None = None,
        include_general: bool = False,
        kinds: Iterable[str] | None = None,
        tags: Iterable[str] | str | None = None,
        period: date | None = None,
        text: str | None = None,
        include_deleted: bool = False,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[Note]:
        """Notes matching every filter given (each filter matches any of its values).

        ``indicator_ids`` with ``include_general=True`` also returns notes not tied to any
        indicator (a practice's general "what we do"). ``tags`` matches notes carrying any of
        the tags; ``text`` a case-insensitive substring of the body. Deleted notes are left
        out unless ``include_deleted``. ``practice_ids`` also matches actions that concern one of
        those practices (not only those filed under it).
        """
        stmt = select(NoteRow)
        if not include_deleted:
            stmt = stmt.where(NoteRow.deleted_at.is_(None))
        if practice_ids is not None:
            stmt = stmt.where(_concerning(sorted(set(practice_ids))))
        if network_ids is not None:
            stmt = stmt.where(NoteRow.network_id.in_(sorted(set(network_ids))))
        if indicator_ids is not None:
            match = NoteRow.indicator_id.in_(sorted(set(indicator_ids)))
            stmt = stmt.where(
                or_(match, NoteRow.indicator_id.is_(None)) if include_general else match
            )
        if kinds is not None:
            stmt = stmt.where(NoteRow.kind.in_(sorted({OLD_KIND_NAMES.get(k, k) for k in kinds})))
        if tags is not None:
            wanted = _filter_tags(tags)
            tagged = (
                select(note_tags.c.note_id)
                .join(TagRow, TagRow.id == note_tags.c.tag_id)
                .where(TagRow.name.in_(wanted))
            )
            stmt = stmt.where(NoteRow.id.in_(tagged))
        if period is not None:
            stmt = stmt.where(NoteRow.period == period)
        if text:
            stmt = stmt.where(func.lower(NoteRow.body).contains(text.lower(), autoescape=True))
        order = NoteRow.created_at.desc() if newest_first else NoteRow.created_at.asc()
        stmt = stmt.order_by(order, NoteRow.id.desc() if newest_first else NoteRow.id.asc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session("read the notes", write=False) as session:
            return [_to_note(row) for row in session.scalars(stmt)]

    @_bounded("read the answers")
    def answers_to(self, question_uid: str) -> list[Note]:
        """The (not deleted) answers to a question, oldest first."""
        uid = self._uid(question_uid)
        parent = aliased(NoteRow)
        stmt = (
            select(NoteRow)
            .join(parent, NoteRow.parent_id == parent.id)
            .where(parent.note_uid == uid, NoteRow.deleted_at.is_(None))
            .order_by(NoteRow.created_at, NoteRow.id)
        )
        with self._session("read the answers", write=False) as session:
            return [_to_note(row) for row in session.scalars(stmt)]

    @_bounded("read the actions")
    def list_actions(
        self,
        *,
        network_ids: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        practice_ids: Iterable[str] | None = None,
        indicator_ids: Iterable[str] | None = None,
        include_network_wide: bool = True,
        due_before: date | None = None,
    ) -> list[Note]:
        """Actions (not deleted) matching every filter given, soonest due first (then oldest).

        ``practice_ids`` matches any practice an action concerns; actions about a whole network
        are included too unless ``include_network_wide=False``. ``due_before`` keeps actions
        due before that day (with ``statuses=["open"]`` and today: the overdue ones); actions
        without a due date come last and never match it.
        """
        stmt = select(NoteRow).where(NoteRow.kind == "action", NoteRow.deleted_at.is_(None))
        if network_ids is not None:
            stmt = stmt.where(NoteRow.network_id.in_(sorted(set(network_ids))))
        if statuses is not None:
            try:
                wanted = sorted({clean_status(s) for s in statuses})
            except ValueError as exc:
                raise NoteValidationError(str(exc)) from None
            stmt = stmt.where(NoteRow.status.in_(wanted))
        network_wide = NoteRow.practice_id.is_(None)
        if practice_ids is not None:
            concerning = _concerning(sorted(set(practice_ids)))
            stmt = stmt.where(or_(concerning, network_wide) if include_network_wide else concerning)
        elif not include_network_wide:
            stmt = stmt.where(~network_wide)
        if indicator_ids is not None:
            stmt = stmt.where(NoteRow.indicator_id.in_(sorted(set(indicator_ids))))
        if due_before is not None:
            stmt = stmt.where(NoteRow.due_date < due_before)
        stmt = stmt.order_by(
            NoteRow.due_date.is_(None), NoteRow.due_date, NoteRow.created_at, NoteRow.id
        )
        with self._session("read the actions", write=False) as session:
            return [_to_note(row) for row in session.scalars(stmt)]

    @_bounded("read the interventions")
    def list_interventions(
        self, *, network_id: str, indicator_id: str, practice_id: str | None
    ) -> list[Note]:
        """The dated changes to draw on one chart, oldest intervention first.

        Not-deleted actions and practice notes with an intervention date, about
        ``indicator_id`` or about no indicator. For a practice: its practice notes and the
        actions concerning it (whichever network's meeting agreed them: practice ids are
        unique); for the network (``practice_id=None``): ``network_id``'s actions about the
        network as a whole.
        """
        stmt = select(NoteRow).where(
            NoteRow.deleted_at.is_(None),
            NoteRow.intervention_date.is_not(None),
            or_(NoteRow.indicator_id == indicator_id, NoteRow.indicator_id.is_(None)),
        )
        if practice_id is None:
            stmt = stmt.where(
                NoteRow.kind == "action",
                NoteRow.practice_id.is_(None),
                NoteRow.network_id == network_id,
            )
        else:
            linked = select(NotePracticeRow.note_id).where(
                NotePracticeRow.practice_id == practice_id
            )
            stmt = stmt.where(
                or_(
                    and_(NoteRow.kind == "practice_note", NoteRow.practice_id == practice_id),
                    and_(
                        NoteRow.kind == "action",
                        or_(NoteRow.practice_id == practice_id, NoteRow.id.in_(linked)),
                    ),
                )
            )
        stmt = stmt.order_by(NoteRow.intervention_date, NoteRow.created_at, NoteRow.id)
        with self._session("read the interventions", write=False) as session:
            return [_to_note(row) for row in session.scalars(stmt)]

    @_bounded("count the notes")
    def note_counts(
        self,
        practice_ids: Iterable[str] | None = None,
        *,
        indicator_id: str | None = None,
        include_general: bool = True,
        network_ids: Iterable[str] | None = None,
    ) -> pl.DataFrame:
        """Per practice: ``n_notes`` (not deleted, every kind) and ``n_open_questions``.

        A note counts for the practice it is filed under (``practice_id``): an action about
        several practices counts once, for its first; one about a whole network, for none.

        A question is open while it has no (not deleted) answer. With ``indicator_id``, only
        notes about that indicator count (plus general notes if ``include_general``). With
        ``practice_ids``, one row per id in that order, zeros where a practice has no notes;
        otherwise one row per practice that has notes.
        """
        ids = None if practice_ids is None else list(dict.fromkeys(practice_ids))
        answer = aliased(NoteRow)
        answered = exists().where(
            answer.parent_id == NoteRow.id,
            answer.kind == "answer",
            answer.deleted_at.is_(None),
        )
        is_open = case((and_(NoteRow.kind == "question", ~answered), 1), else_=0)
        stmt = (
            select(
                NoteRow.practice_id,
                func.count().label("n_notes"),
                func.coalesce(func.sum(is_open), 0).label("n_open_questions"),
            )
            .where(NoteRow.deleted_at.is_(None), NoteRow.practice_id.is_not(None))
            .group_by(NoteRow.practice_id)
        )
        if indicator_id is not None:
            match = NoteRow.indicator_id == indicator_id
            stmt = stmt.where(
                or_(match, NoteRow.indicator_id.is_(None)) if include_general else match
            )
        if network_ids is not None:
            stmt = stmt.where(NoteRow.network_id.in_(sorted(set(network_ids))))
        if ids is not None and len(ids) <= MAX_BOUND_IDS:
            stmt = stmt.where(NoteRow.practice_id.in_(ids))
        with self._session("count the notes", write=False) as session:
            rows = session.execute(stmt).all()
        counts = pl.DataFrame(
            [(r[0], int(r[1]), int(r[2])) for r in rows], schema=COUNTS_SCHEMA, orient="row"
        )
        if ids is None:
            return counts.sort("practice_id")
        wanted = pl.DataFrame({"practice_id": ids}, schema={"practice_id": pl.String()})
        return wanted.join(
            counts, on="practice_id", how="left", maintain_order="left"
        ).with_columns(pl.col("n_notes", "n_open_questions").fill_null(0))

    @_bounded("read the tags")
    def tag_counts(self) -> pl.DataFrame:
        """Tags in use on notes that are not deleted: ``tag``, ``n_notes``, most used first."""
        stmt = (
            select(TagRow.name, func.count(NoteRow.id))
            .join(note_tags, note_tags.c.tag_id == TagRow.id)
            .join(NoteRow, NoteRow.id == note_tags.c.note_id)
            .where(NoteRow.deleted_at.is_(None))
            .group_by(TagRow.name)
        )
        with self._session("read the tags", write=False) as session:
            rows = session.execute(stmt).all()
        frame = pl.DataFrame(
            [(r[0], int(r[1])) for r in rows],
            schema={"tag": pl.String(), "n_notes": pl.Int64()},
            orient="row",
        )
        return frame.sort(["n_notes", "tag"], descending=[True, False])

    @_bounded("count the notes")
    def count(self, *, include_deleted: bool = False) -> int:
        """How many notes are stored."""
        stmt = select(func.count()).select_from(NoteRow)
        if not include_deleted:
            stmt = stmt.where(NoteRow.deleted_at.is_(None))
        with self._session("count the notes", write=False) as session:
            return int(session.execute(stmt).scalar_one())

    @_bounded("read the audit")
    def audit(
        self, note_uid: str | None = None, limit: int = DEFAULT_AUDIT_LIMIT
    ) -> list[AuditEntry]:
        """The recorded changes, newest first: of one note (``note_uid``), or of every note;
        at most ``limit`` of them."""
        stmt = select(NoteAuditRow)
        if note_uid is not None:
            stmt = stmt.where(NoteAuditRow.note_uid == self._uid(note_uid))
        stmt = stmt.order_by(NoteAuditRow.id.desc()).limit(max(0, int(limit)))
        with self._session("read the audit", write=False) as session:
            return [_to_audit_entry(row) for row in session.scalars(stmt)]

    def check(self) -> None:
        """Raise :class:`NotesUnavailable` unless the database answers a simple query now."""
        self.count()


def _check_unchanged(row: NoteRow, uid: str, expected_updated_at: datetime | None) -> None:
    """:class:`NoteConflict` if the note was saved since the editor read it."""
    if expected_updated_at is not None and row.updated_at != expected_updated_at:
        raise NoteConflict(
            f"Note {uid} was changed at {row.updated_at:%Y-%m-%d %H:%M} UTC since you "
            "opened it; reload it and make your change again"
        )


def _check_action(row: NoteRow, uid: str) -> None:
    if row.kind != "action":
        raise NoteValidationError(
            f"Note {uid} is a {row.kind.replace('_', ' ')}, not an action: only actions have "
            "an owner, a due date and a status"
        )


def _stored_fields(row: NoteRow) -> dict[str, object]:
    """A stored note's fields as :func:`clean_note` takes them."""
    return {
        "practice_id": row.practice_id,
        "network_id": row.network_id,
        "kind": row.kind,
        "body": row.body,
        "author": row.author,
        "indicator_id": row.indicator_id,
        "period": row.period,
        "parent_uid": row.parent.note_uid if row.parent is not None else None,
        "tags": [t.name for t in row.tags],
        "owner": row.owner,
        "due_date": row.due_date,
        "status": row.status,
        "intervention_date": row.intervention_date,
        "practice_ids": list(_to_note(row).practice_ids) if row.kind == "action" else None,
    }


def _filter_tags(tags: Iterable[str] | str) -> list[str]:
    """Tags to filter by, sanitised like stored tags (no limit on how many)."""
    items = re.split(r"[,;]", tags) if isinstance(tags, str) else list(tags)
    return sorted({clean_tag(t) for t in items if isinstance(t, str)} - {""})
