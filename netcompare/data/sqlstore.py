"""Named, versioned data sets in one SQL database (PostgreSQL or SQLite).

``python -m netcompare db load DIR --url URL --name NAME`` (:func:`load_into_db`) validates a
data set exactly as the app loads it and writes it into the database; the app serves it from
there (configured as ``URL#NAME``, see :mod:`netcompare.config`).

Tables:

- ``netcompare_datasets(name PK, version, loaded_at, label, source_note, licence)``, the
  catalogue: one row per named data set, naming its current version (an integer, 1, 2, …).
- per loaded version, the four canonical tables as ``nc_<name>_<version>_<table>``
  (``nc_england_3_values``).

A load creates the new version's four tables, fills them, and switches the catalogue row to
the new version, all in one transaction: a reader sees the old version or the new one, never a
mix, and a failed load leaves nothing behind. After the switch, every version older than the
previous one is dropped: the previous version is kept so that an instance that read the
catalogue just before the switch still finds its tables. So at most two versions of a data
set are in the database once a load has finished.

Every wait is bounded by :mod:`netcompare.dbwait` (connect and statement timeouts on the
engine; a deadline on each call, renewed after every statement and every chunk of rows, as
:func:`netcompare.data.read.read_sql_tables` does). SQLAlchemy Core, bound parameters only;
table names are built from a checked name and an integer, and quoted by SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.config import KEY_PATTERN
from netcompare.data.dataset import VALUES_ORDER, DataSet
from netcompare.data.problems import DataValidationError, Problem, ProblemList
from netcompare.data.schema import TABLE_NAMES, TABLES
from netcompare.errors import UserError
from netcompare.redact import mask_secrets

CATALOGUE = "netcompare_datasets"
NAME_PATTERN = KEY_PATTERN  # ^[a-z0-9][a-z0-9_-]{0,39}$, the same as a data set key
INSERT_ROWS = 10_000  # rows per INSERT (each chunk renews the deadline)
KEEP_PREVIOUS = 1  # older versions kept after a switch, for instances still reading them

_SQL_TYPES = {
    pl.String: sa.String,
    pl.Int64: sa.BigInteger,
    pl.Float64: sa.Float,
    pl.Boolean: sa.Boolean,
    pl.Date: sa.Date,
}


class DatasetNotFound(UserError):
    """The database has no data set of that name (or no catalogue at all)."""


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_into_db` wrote."""

    name: str
    version: int
    networks: int
    practices: int
    indicators: int
    values: int
    dropped: tuple[int, ...] = ()  # older versions removed after the switch


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    version: int
    loaded_at: dt.datetime
    label: str
    source_note: str


def check_name(name: str) -> str:
    """``name`` if it is a valid data set name, else a :class:`UserError` saying why."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise UserError(
            f"the data set name {name!r} must be 1-40 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def table_name(name: str, version: int, table: str) -> str:
    """The SQL table holding ``table`` of version ``version`` of data set ``name``."""
    return f"nc_{name}_{int(version)}_{table}"


def _url(url: str) -> sa.URL:
    try:
        return sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise UserError(f"{mask_secrets(url)!r} is not a database URL") from None


def _existing(url: sa.URL) -> sa.URL:
    """``url`` for reading: an SQLite file must exist (reading never creates one)."""
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise UserError(f"{_shown(url)}: give the path of an SQLite database file")
        if not Path(database).is_file():
            raise DatasetNotFound(f"{_shown(url)}: no such SQLite database file")
    return url


def _shown(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _catalogue(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        CATALOGUE,
        metadata,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("source_note", sa.String, nullable=False),
        sa.Column("licence", sa.String, nullable=True),
    )


def _version_tables(metadata: sa.MetaData, name: str, version: int) -> dict[str, sa.Table]:
    return {
        t: sa.Table(
            table_name(name, version, t),
            metadata,
            *(sa.Column(c.name, _SQL_TYPES[type(c.dtype)]) for c in TABLES[t]),
        )
        for t in TABLE_NAMES
    }


def _engine(url: sa.URL) -> sa.Engine:
    """A bounded engine; on SQLite, transactions that include DDL (pysqlite by itself does
    not begin a transaction before CREATE TABLE, so a failed load could leave tables)."""
    engine = dbwait.make_engine(url)
    if url.get_backend_name() == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _no_implicit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _bounded(url: sa.URL, fn, heartbeat: dbwait.Heartbeat | None = None):  # type: ignore[no-untyped-def]
    """``fn(engine)`` under the dbwait deadline; driver errors become readable UserErrors."""
    engine = _engine(url)

    def work():  # type: ignore[no-untyped-def]
        try:
            return fn(engine)
        finally:
            engine.dispose()

    try:
        return dbwait.bounded_call(
            work, url=url, what=f"The database {_shown(url)}", heartbeat=heartbeat
        )
    except sa.exc.SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise UserError(
            mask_secrets(f"cannot use the database {_shown(url)}: {first[0] if first else exc}")
        ) from None


def resolve_source(source: str | os.PathLike[str]) -> tuple[str | Path, str | None]:
    """A folder, a database URL, or a built-in data set key: what to give load_dataset and
    how to name it (a built-in key by its key)."""
    from netcompare.data.builtin import BUILTIN_DATASETS, builtin_path
    from netcompare.data.load import is_database_url

    text = str(source)
    if is_database_url(text) or Path(text).exists():
        return source, None
    try:
        path = builtin_path(text)
    except KeyError:
        keys = ", ".join(d.key for d in BUILTIN_DATASETS)
        raise DataValidationError(
            [Problem(text, f"no such folder, and not a built-in data set ({keys})")]
        ) from None
    return path, text


def load_into_db(source: str | os.PathLike[str], url: str, name: str) -> LoadResult:
    """Validate the data set at ``source`` (a folder, a URL or a built-in key) and write it as
    the next version of ``name`` in ``url``'s database.

    Raises :class:`DataValidationError` (every problem listed) if the data set has errors:
    then nothing is written. Raises :class:`UserError` for a bad name or URL or a database
    that cannot be reached or written.
    """
    from netcompare.data.load import canonical_columns, load_dataset

    check_name(name)
    parsed = _url(url)
    path, shown_as = resolve_source(source)
    data = load_dataset(path, shown_as=shown_as)
    tables = {t: canonical_columns(t, getattr(data, t)) for t in TABLE_NAMES}
    tables["values"] = tables["values"].sort(list(VALUES_ORDER))
    # where the data came from: its dataset.json's "source", else the folder's name (a
    # server path or database address is never kept, so it cannot reach a visitor)
    source_note = mask_secrets(data.source)
    if "://" in data.source:
        source_note = "a database (copied by netcompare db load)"
    elif data.source == str(path) or data.source == shown_as:
        source_note = shown_as or Path(str(path)).name
    heartbeat = dbwait.Heartbeat()

    def write(engine: sa.Engine) -> int:
        metadata = sa.MetaData()
        catalogue = _catalogue(metadata)
        with engine.begin() as conn:
            catalogue.create(conn, checkfirst=True)
            heartbeat.beat()
            query = sa.select(catalogue.c.version).where(catalogue.c.name == name)
            if engine.dialect.name == "postgresql":
                query = query.with_for_update()
            current = conn.execute(query).scalar_one_or_none()
            version = (current or 0) + 1
            new = _version_tables(metadata, name, version)
            for table in new.values():
                table.drop(conn, checkfirst=True)  # a leftover of an interrupted load
                table.create(conn)
                heartbeat.beat()
            for t, table in new.items():
                frame = tables[t]
                for start in range(0, frame.height, INSERT_ROWS):
                    chunk = frame.slice(start, INSERT_ROWS).to_dicts()  # one chunk in memory
                    conn.execute(table.insert(), chunk)
                    heartbeat.beat()
            entry = {
                "version": version,
                "loaded_at": dt.datetime.now(dt.UTC),
                "label": data.name,
                "source_note": source_note,
                "licence": data.licence,
            }
            if current is None:
                conn.execute(catalogue.insert().values(name=name, **entry))
            else:
                conn.execute(catalogue.update().where(catalogue.c.name == name).values(**entry))
        return version

    version = _bounded(parsed, write, heartbeat)
    dropped = _drop_old_versions(parsed, name, version)
    return LoadResult(
        name=name,
        version=version,
        networks=data.networks.height,
        practices=data.practices.height,
        indicators=data.indicators.height,
        values=data.values.height,
        dropped=dropped,
    )


def stored_versions(url: str, name: str) -> list[int]:
    """The versions of ``name`` whose tables are in the database, oldest first."""
    check_name(name)
    parsed = _existing(_url(url))
    return _bounded(parsed, lambda engine: _versions_present(engine, name))


def _versions_present(engine: sa.Engine, name: str) -> list[int]:
    pattern = re.compile(rf"^nc_{re.escape(name)}_(\d+)_({'|'.join(TABLE_NAMES)})$")
    with engine.connect() as conn:
        found = {
            int(m.group(1)) for t in sa.inspect(conn).get_table_names() if (m := pattern.match(t))
        }
    return sorted(found)


def _drop_old_versions(url: sa.URL, name: str, version: int) -> tuple[int, ...]:
    """Drop every version older than ``version - KEEP_PREVIOUS`` (after the switch)."""

    def drop(engine: sa.Engine) -> tuple[int, ...]:
        old = [v for v in _versions_present(engine, name) if v < version - KEEP_PREVIOUS]
        metadata = sa.MetaData()
        for v in old:
            with engine.begin() as conn:
                for table in _version_tables(metadata, name, v).values():
                    table.drop(conn, checkfirst=True)
        return tuple(old)

    return _bounded(url, drop)


def _current(url: sa.URL, name: str) -> tuple[int, str, str, str | None]:
    def read(engine: sa.Engine):  # type: ignore[no-untyped-def]
        catalogue = _catalogue(sa.MetaData())
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(CATALOGUE):
                return None
            return conn.execute(
                sa.select(
                    catalogue.c.version,
                    catalogue.c.label,
                    catalogue.c.source_note,
                    catalogue.c.licence,
                ).where(catalogue.c.name == name)
            ).first()

    row = _bounded(_existing(url), read)
    if row is None:
        raise DatasetNotFound(
            f"the database {_shown(url)} has no data set named {name!r} "
            "(load one with: python -m netcompare db load DIR --url URL --name NAME)"
        )
    return int(row[0]), row[1], row[2], row[3]


def current_version(url: str, name: str) -> str:
    """The current version of data set ``name`` (one small bounded query), as text."""
    check_name(name)
    return str(_current(_url(url), name)[0])


def list_datasets(url: str) -> list[CatalogueEntry]:
    """Every named data set in the database, by name (empty if there is no catalogue)."""
    parsed = _url(url)

    def read(engine: sa.Engine) -> list[CatalogueEntry]:
        catalogue = _catalogue(sa.MetaData())
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(CATALOGUE):
                return []
            rows = conn.execute(sa.select(catalogue).order_by(catalogue.c.name)).all()
        return [
            CatalogueEntry(r.name, r.version, r.loaded_at, r.label, r.source_note) for r in rows
        ]

    return _bounded(_existing(parsed), read)


def read_named(url: str, name: str, *, shown_as: str | None = None) -> DataSet:
    """The current version of data set ``name``, validated by the same path as a folder or
    database (so it equals the data set it was loaded from). ``shown_as`` names it in
    messages (default ``<URL, password masked>#name``); its source is the catalogue's
    ``source_note`` (the ``source`` of the folder's dataset.json, else the folder's name)."""
    from netcompare.data.load import validate_raw
    from netcompare.data.read import read_sql_tables

    check_name(name)
    parsed = _url(url)
    version, label, source_note, licence = _current(parsed, name)
    shown = shown_as or f"{_shown(parsed)}#{name}"
    problems = ProblemList()
    names = {t: table_name(name, version, t) for t in TABLE_NAMES}
    raw = read_sql_tables(
        parsed.render_as_string(hide_password=False), problems, shown, table_names=names
    )
    labels = {t: f"{shown} table {t}" for t in TABLE_NAMES}
    return validate_raw(
        raw, labels, problems, source=source_note or shown, name=label, licence=licence
    )
