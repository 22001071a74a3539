"""``python -m netcompare notes …``: back up, move and inspect the peer-notes database.

- ``notes export --out FILE.csv`` writes every note (deleted ones too, so a backup is
  complete) with every field; ``--out FILE.md`` (or ``--format md``) writes Markdown minutes.
- ``notes import FILE.csv`` adds the file's notes; a note already there (same ``note_uid``) is
  never duplicated, only updated if the file's copy is newer.
- ``notes status`` shows which database is used, its schema version and how many notes it has.
- ``notes audit [--note UID] [--limit N]`` shows the recorded changes, newest first: when, what,
  which note, who (their sign-in email, if any) and the fields that changed.

All commands use the configured database (``NETCOMPARE_DB_URL``, else the user's SQLite file)
unless ``--db-url`` is given, upgrade its schema first, and never add the sample notes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netcompare.errors import UserError
from netcompare.notes.engine import describe_url
from netcompare.notes.exchange import import_notes_csv, notes_to_csv, notes_to_markdown
from netcompare.notes.repository import DEFAULT_AUDIT_LIMIT, NotesRepository
from netcompare.notes.store import current_revision, head_revision, open_notes_store


def db_url_parent() -> argparse.ArgumentParser:
    """The ``--db-url`` option of every command on the notes database (notes, users)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db-url",
        metavar="URL",
        help="SQLAlchemy database URL (default: NETCOMPARE_DB_URL, else the user's SQLite file)",
    )
    return common


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``notes`` and its sub-commands."""
    common = db_url_parent()
    parser = subparsers.add_parser(
        "notes",
        help="export, import or inspect the peer notes",
        description=__doc__.splitlines()[0],
    )
    sub = parser.add_subparsers(dest="notes_command", required=True, parser_class=type(parser))

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write notes to CSV (backup) or Markdown (minutes)",
        description="Write notes to a CSV file (every field, deleted notes included) or to "
        "Markdown for meeting minutes (deleted notes left out).",
    )
    export.add_argument("--out", required=True, metavar="FILE", help="file to write; - for stdout")
    export.add_argument(
        "--format",
        choices=("csv", "md"),
        help="csv or md (default: from the file name, else csv)",
    )
    export.add_argument("--practice", action="append", metavar="ID", help="only this practice")
    export.add_argument("--network", action="append", metavar="ID", help="only this network")
    export.add_argument("--indicator", action="append", metavar="ID", help="only this indicator")
    export.add_argument("--tag", action="append", metavar="TAG", help="only notes with this tag")
    export.add_argument(
        "--exclude-deleted", action="store_true", help="leave out deleted notes (CSV)"
    )
    export.set_defaults(func=run_export)

    imp = sub.add_parser(
        "import",
        parents=[common],
        help="add notes from a CSV file (never duplicates)",
        description="Add the notes in a CSV file written by 'notes export' (or with at least "
        "practice_id, network_id, kind, author, body). A note already in the database is not "
        "added again. Nothing is imported unless the whole file is valid; errors give the row "
        "as numbered in a spreadsheet (the header is row 1).",
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.set_defaults(func=run_import)

    status = sub.add_parser(
        "status", parents=[common], help="which notes database is used, its version and size"
    )
    status.set_defaults(func=run_status)

    audit = sub.add_parser(
        "audit", parents=[common], help="the recorded changes to notes, newest first"
    )
    audit.add_argument("--note", metavar="UID", help="only this note's changes")
    audit.add_argument(
        "--limit", type=int, default=DEFAULT_AUDIT_LIMIT, metavar="N", help="at most N changes"
    )
    audit.set_defaults(func=run_audit)
    parser.set_defaults(func=run)


def _open(args: argparse.Namespace) -> NotesRepository:
    return open_notes_store(args.db_url, seed=False)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the sub-command (argparse sets ``func`` to it; kept for the interface)."""
    raise UserError("choose a notes command: export, import, status or audit")


def run_export(args: argparse.Namespace) -> int:
    fmt = args.format or ("md" if str(args.out).lower().endswith((".md", ".markdown")) else "csv")
    store = _open(args)
    try:
        notes = store.list_notes(
            practice_ids=args.practice,
            network_ids=args.network,
            indicator_ids=args.indicator,
            tags=args.tag,
            include_deleted=fmt == "csv" and not args.exclude_deleted,
            newest_first=False,
        )
    finally:
        store.close()
    text = notes_to_csv(notes) if fmt == "csv" else notes_to_markdown(notes)
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}") from None
    print(f"Exported {len(notes)} notes to {out} ({fmt})")
    return 0


def run_import(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        result = import_notes_csv(store, args.file)
    finally:
        store.close()
    print(
        f"Imported {args.file.name} into {describe_url(store.url)}: {result.added} added, "
        f"{result.updated} updated, {result.unchanged} already there"
    )
    return 0


def run_status(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        revision = current_revision(store.engine)
        total = store.count(include_deleted=True)
        live = store.count()
    finally:
        store.close()
    print(f"database: {describe_url(store.url)}")
    print(f"schema:   {revision} (newest {head_revision()})")
    print(f"notes:    {live} ({total - live} deleted)")
    return 0


def run_audit(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError(f"--limit must be at least 1, not {args.limit}")
    store = _open(args)
    try:
        entries = store.audit(args.note, limit=args.limit)
    finally:
        store.close()
    if not entries:
        print(f"no recorded changes in {describe_url(store.url)}")
        return 0
    for e in entries:
        who = f"{e.actor_name} <{e.actor_id}>" if e.actor_id else e.actor_name
        fields = ", ".join(sorted(e.detail)) or "-"
        print(f"{e.at:%Y-%m-%d %H:%M:%S}\t{e.action}\t{e.note_uid}\t{who}\t{fields}")
    return 0
