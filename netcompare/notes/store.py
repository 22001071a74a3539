"""Where the notes live and how a store is opened: URL, schema upgrade, first-run seed.

The database URL is, in order: the ``url`` argument, the ``NETCOMPARE_DB_URL`` environment
variable, or an SQLite file ``notes.db`` in the user's data directory
(``platformdirs.user_data_dir("netcompare")``). Streamlit secrets are read by
:mod:`netcompare.ui.notes`, which passes the URL in; this module never imports streamlit.

Opening a store runs ``alembic upgrade head`` (:func:`upgrade`), so an existing database is
brought up to the current schema with its notes kept. The upgrade runs in one transaction that
first takes a lock — ``BEGIN IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on PostgreSQL —
so several app instances starting together upgrade once and the others wait, then find nothing
to do. The default SQLite store is seeded from ``sample_data/notes.csv`` inside the same
transaction when it has no notes, so a first run shows example notes and a second instance
never seeds twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from netcompare.dbwait import DatabaseTimeout, bounded_call
from netcompare.notes.engine import describe_url, make_engine, unavailable_error, writer
from netcompare.notes.errors import NotesUnavailable
from netcompare.notes.models import NoteRow
from netcompare.notes.repository import NotesRepository, write_notes

ENV_VAR = "NETCOMPARE_DB_URL"
VERSION_TABLE = "netcompare_notes_version"  # Alembic's table; not alembic_version, to share a DB
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number: serialises concurrent upgrades of one PostgreSQL database.
PG_MIGRATION_LOCK_KEY = 0x6E6F746573_01


def default_db_path() -> Path:
    """The default SQLite file: ``notes.db`` in the user's data directory for netcompare."""
    return Path(platformdirs.user_data_dir("netcompare", appauthor=False)) / "notes.db"


def default_db_url() -> str:
    """The SQLAlchemy URL of :func:`default_db_path`."""
    return "sqlite:///" + default_db_path().as_posix()


def resolve_db_url(url: str | None = None) -> str:
    """``url`` if given, else the configured one (``NETCOMPARE_DB_URL``, else the secrets'
    ``db_url``: :func:`netcompare.config.configured_db_url`), else :func:`default_db_url`."""
    from netcompare.config import configured_db_url

    if url and url.strip():
        return url.strip()
    return configured_db_url() or default_db_url()


def default_seed_path() -> Path | None:
    """``sample_data/notes.csv`` next to the package (a source checkout), if it is there."""
    path = Path(__file__).resolve().parents[2] / "sample_data" / "notes.csv"
    return path if path.is_file() else None


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the notes migrations, independent of the working directory."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision shipped with this version of netcompare."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (None for an empty database)."""
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            return ctx.get_current_revision()
    except SQLAlchemyError as exc:
        raise unavailable_error(exc, engine.url, "read the schema version") from exc


def _take_migration_lock(conn: Connection) -> None:
    # SQLite: the transaction began with BEGIN IMMEDIATE (engine.writer), which is the lock.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY})


def _sqlite_foreign_keys(conn: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign-key enforcement, outside any transaction (inside one the
    pragma does nothing): on the driver's connection, so SQLAlchemy does not begin one."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one write transaction under the migration lock, for Alembic.

    On SQLite, foreign keys are switched off for the transaction, as SQLite's "making other
    kinds of table schema changes" procedure (https://www.sqlite.org/lang_altertable.html,
    section 7) requires: a batch migration copies a table, drops the old one and renames the
    copy, and with foreign keys on, that DROP would run ``ON DELETE CASCADE`` / ``SET NULL``
    on the rows that refer to it (a note's tags, an answer's question). ``PRAGMA
    foreign_key_check`` then proves nothing was broken before the transaction commits, and
    foreign keys are switched on again before the connection goes back to the pool.
    """
    with writer(engine).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(conn, on=False)
        try:
            with conn.begin():
                _take_migration_lock(conn)
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise NotesUnavailable(
                            f"The notes schema change would break {len(broken)} link(s) "
                            f"between notes (first: {tuple(broken[0])}); nothing was changed"
                        )
        finally:
            if sqlite:
                try:
                    _sqlite_foreign_keys(conn, on=True)
                except Exception:  # a broken connection: never pool it with foreign keys off
                    conn.invalidate()


def upgrade(engine: Engine, revision: str = "head", *, seed_path: Path | None = None) -> None:
    """Migrate the database to ``revision`` and, if it then has no notes, seed it.

    Everything happens in one transaction under the migration lock (see the module docstring).
    Raises :class:`NotesUnavailable` if the database cannot be reached or written to, and the
    seed file's :class:`~netcompare.notes.errors.NoteValidationError` if it is invalid.
    """
    try:
        with _migrating(engine) as conn:
            command.upgrade(alembic_config(conn), revision)
            if seed_path is not None:
                _seed_if_empty(conn, seed_path)
    except SQLAlchemyError as exc:
        raise unavailable_error(exc, engine.url, "open or upgrade the notes store") from exc


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database back to ``revision`` (for tests and for undoing an upgrade)."""
    try:
        with _migrating(engine) as conn:
            command.downgrade(alembic_config(conn), revision)
    except SQLAlchemyError as exc:
        raise unavailable_error(exc, engine.url, "downgrade the notes store") from exc


def _seed_if_empty(conn: Connection, seed_path: Path) -> int:
    from netcompare.notes.exchange import read_notes_csv

    if conn.execute(select(func.count()).select_from(NoteRow)).scalar_one() > 0:
        return 0
    notes = read_notes_csv(seed_path)
    with Session(bind=conn) as session:
        result = write_notes(session, notes, audit=False)
        session.flush()
    return result.added


def open_notes_store(
    url: str | None = None, *, seed: bool | str | Path | None = None
) -> NotesRepository:
    """Open (creating and upgrading as needed) the notes store at ``url``.

    ``url`` defaults as in :func:`resolve_db_url`. ``seed``: a CSV to seed an empty store
    from, True for ``sample_data/notes.csv``, False for none; by default only the default
    SQLite store (no URL configured) is seeded, never a configured shared database.
    Raises :class:`NotesUnavailable` with a readable message if the store cannot be used.
    """
    resolved = resolve_db_url(url)
    if seed is None:
        seed = resolved == default_db_url()
    seed_path: Path | None
    if seed is True:
        seed_path = default_seed_path()
    elif seed is False:
        seed_path = None
    else:
        seed_path = Path(seed)
    engine = make_engine(resolved)
    try:
        # under the deadline: a frozen server accepts the connection and never answers
        bounded_call(
            lambda: upgrade(engine, seed_path=seed_path),
            url=engine.url,
            what=f"The notes database {describe_url(engine.url)}",
        )
    except DatabaseTimeout as exc:
        engine.dispose()
        raise NotesUnavailable(
            f"{exc}. Could not open the notes store; the rest of netcompare still works."
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return NotesRepository(engine, url=resolved)


def get_repository(url: str | None = None) -> NotesRepository:
    """The notes store for the configured URL; alias of :func:`open_notes_store`."""
    return open_notes_store(url)


__all__ = [
    "ENV_VAR",
    "NotesUnavailable",
    "alembic_config",
    "current_revision",
    "default_db_path",
    "default_db_url",
    "default_seed_path",
    "downgrade",
    "get_repository",
    "head_revision",
    "open_notes_store",
    "resolve_db_url",
    "upgrade",
]
