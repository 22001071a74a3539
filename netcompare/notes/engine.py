"""One SQLAlchemy engine per notes database URL, set up for several writers at once.

SQLite (the default, a file in the user's data directory) gets WAL mode, a busy timeout of the
statement timeout (``NETCOMPARE_DB_STATEMENT_TIMEOUT``, 5 s by default), foreign keys on, and
write transactions that start with ``BEGIN IMMEDIATE``: a writer takes the write lock at the
start and waits its turn, so two people saving at the same time both keep their notes instead
of one getting "database is locked" half way through. The pysqlite driver's own transaction
handling is switched off so SQLAlchemy's ``BEGIN`` is the one that counts (the recipe in the
SQLAlchemy SQLite dialect documentation, "Serializable isolation / Savepoints / Transactional
DDL").

PostgreSQL (a network's shared store) uses the default READ COMMITTED isolation. Both get the
connect and statement timeouts, keepalives and pool settings of :mod:`netcompare.dbwait`, so an
unreachable server fails in seconds with a readable message; the repository runs every call
under :func:`netcompare.dbwait.bounded_call`'s deadline, so a frozen one does too.

Every database error that reaches the user goes through :func:`unavailable_error`, which turns
it into a :class:`~netcompare.notes.errors.NotesUnavailable` naming the database (password
hidden) and the problem in plain words.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from netcompare.config import db_timeouts
from netcompare.dbwait import bound_sqlite_statements, engine_kwargs
from netcompare.notes.errors import NotesUnavailable

WRITE_OPTION = "netcompare_notes_write"  # execution option: this transaction will write


def parse_url(url: str) -> URL:
    """The parsed URL, or :class:`NotesUnavailable` if ``url`` is not a database URL."""
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise NotesUnavailable(
            f"The notes database URL {url!r} is not a database URL "
            "(expected e.g. sqlite:///path/notes.db or postgresql+psycopg://user@host/db)"
        ) from exc


def describe_url(url: str | URL) -> str:
    """The URL as shown in messages: the password hidden."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "(invalid URL)"
    return parsed.render_as_string(hide_password=True)


def _sqlite_file(parsed: URL) -> Path | None:
    """The database file of a SQLite URL, or None for memory or ``file:`` URI databases."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (SQLite file folders are created on first use)."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(parsed)
        return create_engine(parsed, **engine_kwargs(parsed))
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise NotesUnavailable(
            f"The notes database {describe_url(parsed)} needs a database driver that is not "
            f"installed ({exc}); install it with pip or use another NETCOMPARE_DB_URL"
        ) from exc


def _sqlite_engine(parsed: URL) -> Engine:
    path = _sqlite_file(parsed)
    if path is not None and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NotesUnavailable(
                f"Cannot create the folder {path.parent} for the notes database: "
                f"{exc.strerror or exc}"
            ) from exc
    busy_s = db_timeouts()[1]  # the statement timeout: how long a writer waits its turn
    engine = create_engine(parsed, **engine_kwargs(parsed))
    bound_sqlite_statements(engine, busy_s)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below issue BEGIN; pysqlite's own is unreliable.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_s * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if path is not None and os.access(path.parent, os.W_OK):
                try:
                    cur.execute("PRAGMA journal_mode = WAL")
                    cur.execute("PRAGMA synchronous = NORMAL")
                except Exception:  # a read-only file: stay in its current journal mode
                    pass
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), marked so its transactions take the write lock up front."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    return text.splitlines()[0].strip()


def unavailable_error(exc: BaseException, url: str | URL, action: str) -> NotesUnavailable:
    """A readable :class:`NotesUnavailable` for a database error raised while ``action``."""
    where = f"The notes database {describe_url(url)}"
    detail = _first_line(exc)
    low = detail.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        problem = "is read-only: notes can be read but not saved"
    elif "database is locked" in low or "database is busy" in low:
        problem = (
            f"is busy: another program held it locked for more than "
            f"{db_timeouts()[1]:g} s; try again"
        )
    elif "statement timeout" in low or low == "interrupted":
        problem = (
            f"took longer than the statement timeout of {db_timeouts()[1]:g} s "
            f"({detail}); try again, or raise NETCOMPARE_DB_STATEMENT_TIMEOUT"
        )
    elif "unable to open database file" in low:
        problem = "cannot be opened (check that the file's folder exists and is writable)"
    elif "file is not a database" in low or "malformed" in low:
        problem = "is not a readable SQLite database (the file is damaged or of another kind)"
    elif "connection" in low or "could not translate host" in low or "timeout" in low:
        problem = f"cannot be reached ({detail})"
    else:
        problem = f"failed ({detail})"
    return NotesUnavailable(
        f"{where} {problem}. Could not {action}; the rest of netcompare still works."
    )
