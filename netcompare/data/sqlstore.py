"""Named, versioned data sets in one SQL database (PostgreSQL or SQLite).

``python -m netcompare db load DIR --url URL --name NAME`` (:func:`load_into_db`) validates a
data set exactly as the app loads it and writes it into the database; the app serves it from
there (configured as ``URL#NAME``, see :mod:`netcompare.config`).

Tables:

- ``netcompare_datasets(name PK, version, loaded_at, label, source_note, licence)``, the
  catalogue: one row per named data set, naming its current version (an integer, 1, 2, …).
- per loaded version, the four canonical tables as ``nc_<name>_<version>_<table>``
  (``nc_england_3_values``), for SQL, and ``nc_<name>_<version>_snapshot(tbl, part, data)``:
  the same four validated tables as Parquet (zstd), cut into 8 MB parts — what the app reads.

A load creates the new version's four tables, fills them, and switches the catalogue row to
the new version, all in one transaction: a reader sees the old version or the new one, never a
mix, and a failed load leaves nothing behind. After the switch, every version older than the
previous one is dropped: the previous version is kept so that an instance that read the
catalogue just before the switch still finds its tables. So at most two versions of a data
set are in the database once a load has finished.

On PostgreSQL (psycopg) the rows go in by ``COPY … FROM STDIN`` on the load's own
connection, a chunk at a time, and a version is read back through the ADBC PostgreSQL driver
(binary COPY straight into Arrow columns); SQLite, and a PostgreSQL without the ADBC driver
installed, use INSERT and SELECT through SQLAlchemy. At England scale (9.2 million values)
that is ~15-30 s to write on a shared 2-core machine, against ~6 minutes by INSERT. Reading
the rows back takes PostgreSQL itself 6-15 s (9.2 million rows), so the app reads a version's
Parquet snapshot instead (a few parts of 8 MB, one statement each), then validates it as a
folder is validated: bench/RESULTS.md. A version loaded before snapshots were kept is read
from its row tables.

Every wait is bounded by :mod:`netcompare.dbwait` (connect and statement timeouts on the
engine, and as libpq parameters of the ADBC connection; a deadline on each call, renewed after
every statement and every chunk of rows, as :func:`netcompare.data.read.read_sql_tables`
does). Each COPY statement and each query of a read is a chunk small enough for the statement
timeout. SQLAlchemy Core, bound parameters only; table names are built from a checked name
and an integer, and quoted.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import polars as pl
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.config import KEY_PATTERN
from netcompare.data.dataset import VALUES_ORDER, DataSet
from netcompare.data.problems import DataValidationError, Problem, ProblemList
from netcompare.data.read import ROW, bounded_table_read
from netcompare.data.schema import TABLE_NAMES, TABLES
from netcompare.errors import UserError
from netcompare.redact import mask_secrets

CATALOGUE = "netcompare_datasets"
NAME_PATTERN = KEY_PATTERN  # ^[a-z0-9][a-z0-9_-]{0,39}$, the same as a data set key
INSERT_ROWS = 10_000  # rows per INSERT (each chunk renews the deadline)
COPY_ROWS = 250_000  # rows per COPY statement on PostgreSQL (each renews the deadline)
COPY_BLOCKS = 4_096  # 8 kB blocks (32 MB, ~430,000 values) per query when reading
# Each version also keeps its four validated tables as Parquet (zstd) in one table, cut into
# parts small enough for one statement each: the app reads that (tens of MB at England scale,
# one bounded statement per part) instead of millions of rows; the row tables stay for SQL.
SNAPSHOT = "snapshot"
SNAPSHOT_PART_BYTES = 8 * 1024 * 1024
KEEP_PREVIOUS = 1  # older versions kept after a switch, for instances still reading them

# psycopg logs "error ignored terminating <psycopg.Copy>" when a COPY cut off by a lost
# connection cannot be ended either; the error itself is raised and reported. Without a
# handler, Python prints that warning on stderr beside our one-line message: a library's
# NullHandler keeps it for an application that configures logging (it still propagates).
logging.getLogger("psycopg").addHandler(logging.NullHandler())

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


def _snapshot_table(metadata: sa.MetaData, name: str, version: int) -> sa.Table:
    return sa.Table(
        table_name(name, version, SNAPSHOT),
        metadata,
        sa.Column("tbl", sa.String(16), primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def _parquet_parts(frame: pl.DataFrame) -> list[bytes]:
    """``frame`` as Parquet (zstd), cut into parts of at most SNAPSHOT_PART_BYTES."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    data = buffer.getvalue()
    return [data[i : i + SNAPSHOT_PART_BYTES] for i in range(0, len(data), SNAPSHOT_PART_BYTES)]


def _write_snapshot(
    conn: sa.Connection,
    table: sa.Table,
    tables: dict[str, pl.DataFrame],
    heartbeat: dbwait.Heartbeat,
) -> None:
    table.drop(conn, checkfirst=True)
    table.create(conn)
    for t in TABLE_NAMES:
        for part, data in enumerate(_parquet_parts(tables[t])):
            conn.execute(table.insert().values(tbl=t, part=part, data=data))
            heartbeat.beat()


def _read_snapshot(url: sa.URL, name: str, version: int) -> dict[str, pl.DataFrame] | None:
    """The four tables of that version from its Parquet snapshot, or None if it has none
    (a version loaded before snapshots were kept: then the row tables are read)."""
    heartbeat = dbwait.Heartbeat()

    def read(engine: sa.Engine) -> dict[str, pl.DataFrame] | None:
        table = _snapshot_table(sa.MetaData(), name, version)
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table.name):
                return None
            heartbeat.beat()
            keys = conn.execute(sa.select(table.c.tbl, table.c.part).order_by("tbl", "part"))
            parts: dict[str, list[bytes]] = {}
            for tbl, part in keys.all():
                heartbeat.beat()
                one = sa.select(table.c.data).where(table.c.tbl == tbl, table.c.part == part)
                parts.setdefault(tbl, []).append(bytes(conn.execute(one).scalar_one()))
        if set(parts) != set(TABLE_NAMES):
            return None
        return {
            t: pl.read_parquet(io.BytesIO(b"".join(parts[t])))
            .with_row_index(ROW, offset=1)
            .with_columns(pl.col(ROW).cast(pl.Int64))
            for t in TABLE_NAMES
        }

    return _bounded(url, read, heartbeat)


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
    except _driver_errors() as exc:
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
                if _copies(engine):
                    _copy_in(conn, table, tables[t], heartbeat)
                else:
                    _insert(conn, table, tables[t], heartbeat)
            _write_snapshot(conn, _snapshot_table(metadata, name, version), tables, heartbeat)
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


def _copies(engine: sa.Engine) -> bool:
    """True when the rows go in by COPY: PostgreSQL through psycopg (3)."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


def _insert(
    conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, heartbeat: dbwait.Heartbeat
) -> None:
    """Bound-parameter INSERTs, :data:`INSERT_ROWS` rows at a time (SQLite, other drivers)."""
    for start in range(0, frame.height, INSERT_ROWS):
        chunk = frame.slice(start, INSERT_ROWS).to_dicts()  # one chunk in memory
        conn.execute(table.insert(), chunk)
        heartbeat.beat()


def _copy_in(
    conn: sa.Connection, table: sa.Table, frame: pl.DataFrame, heartbeat: dbwait.Heartbeat
) -> None:
    """``frame``'s rows into ``table`` by ``COPY … FROM STDIN (FORMAT csv)`` on the load's own
    connection (so inside its transaction), :data:`COPY_ROWS` rows per COPY statement.

    Each chunk is written as CSV by polars (a null is an empty field, an empty text ``""``:
    what PostgreSQL's CSV format reads as NULL and as an empty string; floats at full
    precision) and sent with psycopg's ``Cursor.copy``: one chunk in memory, and each
    statement small enough for the statement timeout, the deadline renewed after each.
    """
    preparer = conn.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(c) for c in frame.columns)
    statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN (FORMAT csv)"
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cursor:  # type: ignore[union-attr]
        for start in range(0, frame.height, COPY_ROWS):
            data = frame.slice(start, COPY_ROWS).write_csv(
                include_header=False, float_precision=None
            )
            with cursor.copy(statement) as copy:
                copy.write(data)
            heartbeat.beat()


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
                _snapshot_table(metadata, name, v).drop(conn, checkfirst=True)
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
    snapshot = _read_snapshot(parsed, name, version)
    if snapshot is not None:
        raw = snapshot
    elif parsed.get_backend_name() == "postgresql" and _adbc() is not None:
        raw = _read_by_adbc(parsed, names, problems, shown)
    else:
        raw = read_sql_tables(
            parsed.render_as_string(hide_password=False), problems, shown, table_names=names
        )
    labels = {t: f"{shown} table {t}" for t in TABLE_NAMES}
    return validate_raw(
        raw, labels, problems, source=source_note or shown, name=label, licence=licence
    )


# -- reading a version from PostgreSQL through ADBC -------------------------------------------

_POLARS_TYPES = {t: {c.name: c.dtype for c in TABLES[t]} for t in TABLE_NAMES}
# PostgreSQL's name (format_type) of the type each polars type is stored as (_SQL_TYPES)
_PG_TYPES = {
    pl.String: "character varying",
    pl.Int64: "bigint",
    pl.Float64: "double precision",
    pl.Boolean: "boolean",
    pl.Date: "date",
}


def _adbc():  # -> module adbc_driver_postgresql.dbapi, or None
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError:  # not installed: the rows come through SQLAlchemy (slower)
        return None
    return adbc


def adbc_uri(url: sa.URL) -> str:
    """The libpq connection URI of ``url`` for ADBC, with the bounded waits of
    :mod:`netcompare.dbwait` (connect timeout, server-side statement timeout, keepalives,
    ``tcp_user_timeout``) as URI parameters; the URL's own parameters (``sslmode``, a
    socket ``host``) are kept."""
    connect_args = dbwait.engine_kwargs(url).get("connect_args", {})
    query = {**dict(url.query), **{k: str(v) for k, v in connect_args.items()}}
    base = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    # libpq decodes %XX in a URI but not '+': quote every value (the options' spaces too)
    return base + "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())


def _read_by_adbc(
    url: sa.URL, names: dict[str, str], problems: ProblemList, shown: str
) -> dict[str, pl.DataFrame]:
    """The raw tables of one version, as :func:`netcompare.data.read.read_sql_tables`
    returns them (``__row`` and every column), but typed: read by the ADBC PostgreSQL
    driver, which fetches a query's rows with ``COPY … TO STDOUT (FORMAT binary)`` straight
    into Arrow columns (no Python object per value).

    Problems (a missing table, a database that fails or stops answering) are reported in
    ``problems`` as read_sql_tables reports them, so the data set is refused with a reason.
    """
    adbc = _adbc()
    assert adbc is not None
    heartbeat = dbwait.Heartbeat()
    uri = adbc_uri(url)

    def work() -> tuple[dict[str, pl.DataFrame], list[str], str | None]:
        # in a worker thread: touches nothing of the caller's (it may have given up waiting)
        try:
            with adbc.connect(uri) as conn, conn.cursor() as cursor:
                heartbeat.beat()
                return *_adbc_tables(cursor, names, heartbeat), None
        except adbc.Error as exc:
            first = str(exc).strip().splitlines()
            return {}, [], first[0] if first else type(exc).__name__

    return bounded_table_read(work, url=url, heartbeat=heartbeat, problems=problems, shown=shown)


def _adbc_tables(
    cursor, names: dict[str, str], heartbeat: dbwait.Heartbeat
) -> tuple[dict[str, pl.DataFrame], list[str]]:  # type: ignore[no-untyped-def]
    """In one transaction: each table's columns and size from the system catalogue (one
    query), then its rows, :data:`COPY_BLOCKS` blocks per query (a TID range scan on
    PostgreSQL 14 and later reads only those blocks): each query small enough for the
    statement timeout, and the deadline renewed after each."""
    cursor.execute("SELECT current_setting('server_version_num')::int")
    ranged = int(cursor.fetchone()[0]) >= 140000
    sql_names = list(names.values())
    cursor.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "pg_relation_size(c.oid) / current_setting('block_size')::int "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
        f"WHERE c.relname IN ({', '.join(f'${k + 1}' for k in range(len(sql_names)))}) "
        "AND c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
        parameters=tuple(sql_names),
    )
    layout: dict[str, tuple[list[tuple[str, str]], int]] = {}
    for relname, column, sql_type, blocks in cursor.fetchall():
        layout.setdefault(relname, ([], int(blocks)))[0].append((column, sql_type))
    heartbeat.beat()
    tables: dict[str, pl.DataFrame] = {}
    missing = []
    for table, sql_name in names.items():
        if sql_name not in layout:
            missing.append(table)
            continue
        columns, blocks = layout[sql_name]
        frames = []
        for query in _chunk_queries(table, sql_name, columns, blocks, ranged):
            cursor.execute(query)
            frames.append(pl.from_arrow(cursor.fetch_arrow_table()))
            heartbeat.beat()
        frame = pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]
        tables[table] = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return tables, missing


def _chunk_queries(
    table: str, sql_name: str, columns: list[tuple[str, str]], blocks: int, ranged: bool
) -> list[str]:
    """The SELECTs reading ``sql_name``: its columns, a column of a type other than the
    canonical one as text (validation then says what is wrong with it), block range by
    block range. Names come from the catalogue of a checked data set name, double-quoted."""
    known = _POLARS_TYPES[table]
    select = []
    for column, sql_type in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        typed = column in known and _PG_TYPES[type(known[column])] == sql_type
        select.append(quoted if typed else f"{quoted}::text AS {quoted}")
    source = f'SELECT {", ".join(select)} FROM "{sql_name}"'
    if not ranged or blocks <= COPY_BLOCKS:
        return [source]
    queries = []
    for start in range(0, blocks, COPY_BLOCKS):
        end = start + COPY_BLOCKS
        upper = f" AND ctid < '({end},0)'::tid" if end < blocks else ""  # the last: open
        queries.append(f"{source} WHERE ctid >= '({start},0)'::tid{upper}")
    return queries


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The errors a database call may raise: SQLAlchemy's, and psycopg's own from COPY on
    the driver's connection (which SQLAlchemy does not wrap)."""
    try:
        import psycopg
    except ImportError:
        return (sa.exc.SQLAlchemyError,)
    return (sa.exc.SQLAlchemyError, psycopg.Error)
