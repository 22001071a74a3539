"""Notes in and out of files: CSV (backups, moving between databases) and Markdown (minutes).

The CSV has one row per note and the columns in :data:`CSV_COLUMNS`; it round-trips every field
(id, times, deleted flag, tags, the answer → question link, an action's owner, due date, status
and practices, intervention dates), so exporting from one database and importing into another
gives the same notes, and importing the same file twice adds nothing. ``author_id`` (since
0004: the author's signed-in email) is optional, like every column but
:data:`REQUIRED_COLUMNS`. Files written before actions existed (no ``owner`` …
``practice_ids`` columns, kind ``meeting_action``) still read: a meeting action becomes an
open action concerning its practice, as migration 0003 does.

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or CR)
are written with a leading apostrophe, as OWASP advises for CSV injection; reading the file
removes exactly that apostrophe again, so the round trip is exact.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from netcompare.access.viewer import normalise_email
from netcompare.data.inputs import ROW, InputError, read_csv
from netcompare.errors import UserError
from netcompare.notes.errors import NoteValidationError
from netcompare.notes.note import KIND_LABELS, OLD_KIND_NAMES, STATUS_LABELS, Note
from netcompare.notes.render import escape_markdown, escape_markdown_lines
from netcompare.notes.validation import clean_note, clean_uid

CSV_COLUMNS: tuple[str, ...] = (
    "note_uid",
    "practice_id",
    "network_id",
    "indicator_id",
    "period",
    "kind",
    "parent_uid",
    "author",
    "body",
    "tags",
    "created_at",
    "updated_at",
    "deleted_at",
    # since migration 0003 (files without them still read):
    "owner",
    "due_date",
    "status",
    "intervention_date",
    "practice_ids",
    # since migration 0004 (files without it still read): the author's signed-in email
    "author_id",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("practice_id", "network_id", "kind", "author", "body")
MAX_AUTHOR_ID_CHARS = 254
TAG_SEPARATOR = ";"
PRACTICE_SEPARATOR = ";"
# Names the ids made for rows without a note_uid (uuid5 of the row's content).
NOTE_UID_NAMESPACE = uuid.UUID("6f1d6c1e-3a52-4d3e-9a4b-6e6574636f6d")

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def _cell_out(value: str) -> str:
    return "'" + value if _FORMULA.match(value) else value


def _cell_in(value: str) -> str:
    return value[1:] if _ESCAPED_FORMULA.match(value) else value


def _time_out(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _date_out(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def note_to_row(note: Note) -> dict[str, str]:
    """One note as CSV cells (strings), keyed by :data:`CSV_COLUMNS`."""
    row = {
        "note_uid": note.note_uid,
        "practice_id": note.practice_id or "",
        "network_id": note.network_id,
        "indicator_id": note.indicator_id or "",
        "period": note.period.isoformat() if note.period else "",
        "kind": note.kind,
        "parent_uid": note.parent_uid or "",
        "author": note.author,
        "body": note.body,
        "tags": TAG_SEPARATOR.join(note.tags),
        "created_at": _time_out(note.created_at),
        "updated_at": _time_out(note.updated_at),
        "deleted_at": _time_out(note.deleted_at),
        "owner": note.owner or "",
        "due_date": _date_out(note.due_date),
        "status": note.status or "",
        "intervention_date": _date_out(note.intervention_date),
        "practice_ids": PRACTICE_SEPARATOR.join(note.practice_ids),
        "author_id": note.author_id or "",
    }
    return {k: _cell_out(v) for k, v in row.items()}


def notes_to_csv(notes: Iterable[Note]) -> str:
    """Notes as CSV text (UTF-8, header row, ``\\n`` line ends, quotes where needed)."""
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    out.writeheader()
    for note in notes:
        out.writerow(note_to_row(note))
    return buffer.getvalue()


def write_notes_csv(notes: Iterable[Note], path: str | Path) -> int:
    """Write notes to a CSV file; return how many. Raises :class:`UserError` if it cannot."""
    items = list(notes)
    text = notes_to_csv(items)
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise UserError(f"Cannot write the notes file {path}: {exc.strerror or exc}") from exc
    return len(items)


def _parse_time(value: str, column: str, where: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise NoteValidationError(
            f"{where}: {column} {text[:40]!r} is not a date-time like 2024-05-01T09:30:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def row_to_note(row: Mapping[str, str], where: str, *, now: datetime | None = None) -> Note:
    """One CSV row (cells as strings) as a validated :class:`Note`; errors name ``where``."""
    cells = {k: _cell_in(v or "") for k, v in row.items()}
    clean = clean_note(
        practice_id=cells.get("practice_id"),
        network_id=cells.get("network_id"),
        kind=cells.get("kind"),
        body=cells.get("body"),
        author=cells.get("author"),
        indicator_id=cells.get("indicator_id"),
        period=cells.get("period"),
        parent_uid=cells.get("parent_uid"),
        tags=cells.get("tags"),
        owner=cells.get("owner"),
        due_date=cells.get("due_date"),
        status=cells.get("status"),
        intervention_date=cells.get("intervention_date"),
        practice_ids=cells.get("practice_ids"),
        where=where,
        stored=True,  # a backup may hold actions recorded before owners and due dates
    )
    created = _parse_time(cells.get("created_at", ""), "created_at", where)
    updated = _parse_time(cells.get("updated_at", ""), "updated_at", where)
    deleted = _parse_time(cells.get("deleted_at", ""), "deleted_at", where)
    created = created or updated or now or datetime.now(UTC)
    updated = updated or created
    author_id = _author_id(cells.get("author_id", ""), where)
    uid_cell = cells.get("note_uid", "").strip()
    if uid_cell:
        try:
            uid = clean_uid(uid_cell)
        except ValueError as exc:
            raise NoteValidationError(f"{where}: {exc}") from None
    else:
        # No id: derive one from the content, so importing the same file again adds nothing
        # (from the kind as it was named before 0003, so an old file's ids do not change).
        raw_kind = (cells.get("kind") or "").strip().lower().replace(" ", "_")
        key_kind = raw_kind if OLD_KIND_NAMES.get(raw_kind) == clean.kind else clean.kind
        key = "\x1f".join(
            str(x)
            for x in (
                clean.practice_id,
                clean.network_id,
                clean.indicator_id,
                clean.period,
                key_kind,
                clean.author,
                clean.body,
                cells.get("created_at", "").strip(),
            )
        )
        uid = str(uuid.uuid5(NOTE_UID_NAMESPACE, key))
    return Note(
        note_uid=uid,
        practice_id=clean.practice_id,
        network_id=clean.network_id,
        kind=clean.kind,
        body=clean.body,
        author=clean.author,
        created_at=created,
        updated_at=updated,
        indicator_id=clean.indicator_id,
        period=clean.period,
        parent_uid=clean.parent_uid,
        tags=clean.tags,
        deleted_at=deleted,
        intervention_date=clean.intervention_date,
        owner=clean.owner,
        due_date=clean.due_date,
        status=clean.status,
        practice_ids=clean.practice_ids,
        author_id=author_id,
    )


def _author_id(value: str, where: str) -> str | None:
    """The ``author_id`` cell: empty (None), or an email of at most 254 characters."""
    text = normalise_email(value)
    if not text:
        return None
    if len(text) > MAX_AUTHOR_ID_CHARS or text.count("@") != 1 or any(c.isspace() for c in text):
        raise NoteValidationError(
            f"{where}: author_id {text[:60]!r} is not an email address (one '@', no spaces, "
            f"at most {MAX_AUTHOR_ID_CHARS} characters)"
        )
    return text


def read_notes_csv(path: str | Path) -> list[Note]:
    """Read and validate a notes CSV (see :data:`CSV_COLUMNS`; only
    :data:`REQUIRED_COLUMNS` must be present). Rows are numbered as in a spreadsheet (the
    header is row 1). Raises :class:`UserError` naming the file, row and problem.

    The file is read by :func:`netcompare.data.inputs.read_csv` (the same checks as every other
    file: binary, UTF-16, Excel and ZIP files named, duplicate columns), UTF-8 only: an import
    is all or nothing and has nowhere to show a Windows-1252 note, and netcompare writes notes
    files as UTF-8.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise UserError(f"The notes file {path} does not exist")
    if path.is_file() and path.stat().st_size == 0:
        raise UserError(
            f"The notes file {name} is empty; expected a header row with {', '.join(CSV_COLUMNS)}"
        )
    try:
        read = read_csv(path, cp1252=False)
    except InputError as exc:
        where = name if exc.line is None else f"{name}, row {exc.line}"
        problem = exc.problem
        if problem.startswith("the file is not UTF-8"):
            problem = f"The notes file {name} is not UTF-8 text" + problem.removeprefix(
                "the file is not UTF-8 text"
            )
            where = name if exc.line is None else f"{name}, row {exc.line}"
        if "more fields than the header" in problem:
            problem = "more cells than the header has columns"
        raise UserError(f"{where}: {problem}") from None
    columns = read.columns
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise UserError(
            f"{name}: unknown column(s) {', '.join(repr(c) for c in unknown)}; "
            f"the columns are {', '.join(CSV_COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UserError(f"{name}: missing required column(s) {', '.join(missing)}")

    notes: list[Note] = []
    first_row: dict[str, int] = {}
    now = datetime.now(UTC)
    for row in read.frame.iter_rows(named=True):
        row_number = row.pop(ROW)
        where = f"{name}, row {row_number}"
        cells = {k: v or "" for k, v in row.items()}
        if all(not v.strip() for v in cells.values()):
            continue  # a blank line
        note = row_to_note(cells, where, now=now)
        if note.note_uid in first_row:
            raise UserError(
                f"{where}: note_uid {note.note_uid} is also on row {first_row[note.note_uid]}"
            )
        first_row[note.note_uid] = row_number
        notes.append(note)
    by_uid = {n.note_uid: n for n in notes}
    for note in notes:
        parent = by_uid.get(note.parent_uid or "")
        if parent is not None and parent.kind != "question":
            raise NoteValidationError(
                f"{name}, row {first_row[note.note_uid]}: it answers {note.parent_uid} "
                f"(row {first_row[parent.note_uid]}), which is a {parent.kind}, not a question"
            )
    return notes


def import_notes_csv(repository, path: str | Path):  # type: ignore[no-untyped-def]
    """Read ``path`` and import it into ``repository`` (a :class:`NotesRepository`).

    Returns the :class:`~netcompare.notes.repository.NotesImportResult`. Errors name the file and
    row; nothing is imported unless the whole file is valid.
    """
    notes = read_notes_csv(path)
    rows = {n.note_uid: i for i, n in enumerate(notes, start=2)}
    try:
        return repository.import_notes(notes)
    except NoteValidationError as exc:
        message = str(exc)
        match = re.match(r"note (\S+): ", message)
        if match and match.group(1) in rows:
            message = f"{Path(path).name}, row {rows[match.group(1)]}: {message[match.end() :]}"
        raise NoteValidationError(message) from None


def notes_to_markdown(
    notes: Iterable[Note],
    *,
    title: str = "Peer notes",
    practice_names: Mapping[str, str] | None = None,
    indicator_names: Mapping[str, str] | None = None,
    include_deleted: bool = False,
    exported_at: datetime | None = None,
) -> str:
    """Notes as Markdown for meeting minutes: one section per practice (and one per network
    for actions about the whole network), newest first, each answer under its question. An
    action shows its owner, due date, status, the practices it concerns and when the change
    started; a practice note, when it started. Every piece of note text is escaped (shown
    literally)."""
    items = [n for n in notes if include_deleted or not n.is_deleted]
    practice_names = practice_names or {}
    indicator_names = indicator_names or {}
    when = (exported_at or datetime.now(UTC)).astimezone(UTC)
    lines = [
        f"# {escape_markdown(title)}",
        "",
        f"Exported {when:%d %b %Y %H:%M} UTC · {len(items)} "
        f"{'note' if len(items) == 1 else 'notes'}",
    ]
    uids = {n.note_uid for n in items}
    answers: dict[str, list[Note]] = {}
    for n in items:
        if n.parent_uid and n.parent_uid in uids:
            answers.setdefault(n.parent_uid, []).append(n)
    top = [n for n in items if not (n.parent_uid and n.parent_uid in uids)]
    order = sorted({(n.network_id, n.practice_id or "") for n in top})

    def practice_label(pid: str) -> str:
        name = practice_names.get(pid)
        return f"{escape_markdown(name)} ({escape_markdown(pid)})" if name else escape_markdown(pid)

    def item(note: Note, indent: str) -> list[str]:
        meta = [f"**{KIND_LABELS.get(note.kind, note.kind)}**", escape_markdown(note.author)]
        meta.append(f"{note.created_at:%d %b %Y}")
        if note.indicator_id:
            name = indicator_names.get(note.indicator_id)
            ind = escape_markdown(note.indicator_id)
            meta.append(f"{escape_markdown(name)} ({ind})" if name else ind)
        if note.period is not None:
            meta.append(f"{note.period:%b %Y}")
        if note.tags:
            meta.append("tags: " + ", ".join(escape_markdown(t) for t in note.tags))
        if note.is_action:
            meta.append(f"owner: {escape_markdown(note.owner) if note.owner else 'not recorded'}")
            meta.append(f"due {note.due_date:%d %b %Y}" if note.due_date else "no due date")
            status = note.status or "open"
            meta.append(f"status: {escape_markdown(STATUS_LABELS.get(status, status))}")
            concerns = note.practice_ids
            meta.append(
                "practices: " + ", ".join(practice_label(p) for p in concerns)
                if concerns
                else "the whole network"
            )
        if note.intervention_date is not None and note.kind in ("action", "practice_note"):
            meta.append(f"started {note.intervention_date:%d %b %Y}")
        if note.is_deleted:
            meta.append("*deleted*")
        out = [f"{indent}- " + " · ".join(meta)]
        out.append(escape_markdown_lines(note.body, indent + "  "))
        for answer in sorted(answers.get(note.note_uid, []), key=lambda a: a.created_at):
            out.extend(item(answer, indent + "  "))
        return out

    for network_id, practice_id in order:
        if practice_id:
            heading = f"{practice_label(practice_id)} · network {escape_markdown(network_id)}"
        else:
            heading = f"Network {escape_markdown(network_id)} as a whole"
        lines += ["", f"## {heading}", ""]
        mine = [
            n for n in top if (n.practice_id or "") == practice_id and n.network_id == network_id
        ]
        for note in sorted(mine, key=lambda n: n.created_at, reverse=True):
            lines.extend(item(note, ""))
    return "\n".join(lines).rstrip() + "\n"


def export_markdown(notes: Iterable[Note], **kwargs: object) -> str:
    """Alias of :func:`notes_to_markdown` (the name the pages use)."""
    return notes_to_markdown(notes, **kwargs)  # type: ignore[arg-type]


def export_csv(notes: Iterable[Note]) -> str:
    """Alias of :func:`notes_to_csv` (the name the pages use)."""
    return notes_to_csv(notes)
