"""Reading the raw tables of a data set: CSV and Parquet files, or a SQL database.

Raw tables are read as they are (CSV as text, by :mod:`netcompare.data.inputs`) with a
``__row`` column holding the row number a user would look for (the CSV line number, the
header being line 1; the 1-based row of a Parquet file or SQL table). Nothing is cast or
dropped here: :mod:`netcompare.data.validate` does that and reports every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.data.inputs import ROW, InputError, read_csv
from netcompare.data.problems import ProblemList
from netcompare.data.schema import TABLE_NAMES
from netcompare.redact import mask_secrets

FETCH_ROWS = 10_000  # rows fetched at a time from a SQL table (each chunk renews the deadline)


def read_csv_file(
    path: Path, problems: ProblemList, label: str | None = None
) -> pl.DataFrame | None:
    """A data set's CSV table as text columns with ``__row`` (None, reported, if unreadable).

    Read by :func:`netcompare.data.inputs.read_csv` (one encoding policy for every file): a
    file read as Windows-1252 is a warning, anything else unreadable an error. ``label``
    names the file in messages (default: its path).
    """
    label = label or str(path)
    try:
        read = read_csv(path)
    except InputError as exc:
        problems.error(label, exc.problem, row=exc.line)
        return None
    if read.note:
        problems.warning(label, read.note.removeprefix(f"{path}: "))
    return read.frame


def read_parquet(path: Path, label: str, problems: ProblemList) -> pl.DataFrame | None:
    """Read a Parquet file with a 1-based ``__row`` column (None if unreadable)."""
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for a damaged file
        problems.error(label, f"the file cannot be read as Parquet: {str(exc).splitlines()[0]}")
        return None
    if frame.height == 0 and not frame.columns:
        problems.error(label, "the file is empty")
        return None
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def find_table_files(
    folder: Path, problems: ProblemList, label: str | None = None
) -> dict[str, Path]:
    """The file holding each canonical table in ``folder`` (``name.csv`` or ``name.parquet``);
    ``label`` names the folder in messages (default: its path)."""
    where = label or str(folder)
    found: dict[str, Path] = {}
    for table in TABLE_NAMES:
        candidates = [folder / f"{table}.{ext}" for ext in ("parquet", "csv")]
        present = [p for p in candidates if p.is_file()]
        if not present:
            problems.error(
                f"{label}/{table}.csv" if label else str(folder / f"{table}.csv"),
                f"missing file: a data set needs {table}.csv (or {table}.parquet)",
            )
        elif len(present) > 1:
            problems.error(
                where,
                f"both {table}.parquet and {table}.csv are present: keep only one",
            )
        else:
            found[table] = present[0]
    return found


def read_table_file(
    path: Path, problems: ProblemList, label: str | None = None
) -> pl.DataFrame | None:
    """Read one table file (CSV or Parquet) as raw as possible; ``label`` names it in
    messages (default: its path)."""
    label = label or str(path)
    if path.suffix == ".parquet":
        return read_parquet(path, label, problems)
    return read_csv_file(path, problems, label)


def read_sql_tables(
    url: str,
    problems: ProblemList,
    label: str | None = None,
    table_names: dict[str, str] | None = None,
) -> dict[str, pl.DataFrame]:
    """Read the four canonical tables from a SQL database (SQLAlchemy URL); ``label`` names
    the database in messages (default: the URL with its password masked). ``table_names``
    maps a canonical table to the SQL table holding it (default: the same name; a named,
    versioned data set of :mod:`netcompare.data.sqlstore` keeps its tables under others).

    The engine has the connect and statement timeouts of :mod:`netcompare.dbwait`, and the
    read runs under its deadline, renewed after every statement and every chunk of rows: a
    database that stops answering is reported as an error within seconds ("did not answer
    within N s") instead of holding the page.
    """
    shown = label or mask_secrets(url)
    try:
        engine = dbwait.make_engine(url)
    except Exception as exc:
        problems.error(shown, mask_secrets(f"not a usable database URL: {exc}"))
        return {}
    heartbeat = dbwait.Heartbeat()
    # on a timeout the worker disposes of the engine itself once the database answers
    return bounded_table_read(
        lambda: _read_tables(engine, heartbeat, table_names or {}),
        url=engine.url,
        heartbeat=heartbeat,
        problems=problems,
        shown=shown,
    )


def bounded_table_read(
    work: Callable[[], tuple[dict[str, pl.DataFrame], list[str], str | None]],
    *,
    url: str | sa.URL,
    heartbeat: dbwait.Heartbeat,
    problems: ProblemList,
    shown: str,
) -> dict[str, pl.DataFrame]:
    """Run ``work`` (in a worker thread: the tables read, the tables missing, the first line
    of any error) under :mod:`netcompare.dbwait`'s deadline; report a timeout, each missing
    table and the error in ``problems`` (against ``shown``, the database as messages name
    it, password masked) and return the tables read ({} on a timeout)."""
    try:
        tables, missing, failure = dbwait.bounded_call(
            work, url=url, what="The database", heartbeat=heartbeat
        )
    except dbwait.DatabaseTimeout as exc:
        problems.error(
            shown,
            f"cannot read the database: {exc} (NETCOMPARE_DB_CONNECT_TIMEOUT and "
            "NETCOMPARE_DB_STATEMENT_TIMEOUT set how long to wait)",
        )
        return {}
    for table in missing:
        problems.error(
            f"{shown} table {table}", f"missing table: the database has no '{table}' table"
        )
    if failure is not None:
        problems.error(shown, mask_secrets(f"cannot read the database: {failure}"))
    return tables


def _read_tables(
    engine: sa.Engine, heartbeat: dbwait.Heartbeat, table_names: dict[str, str]
) -> tuple[dict[str, pl.DataFrame], list[str], str | None]:
    """In a worker thread: the tables read, the tables missing, the first line of any error.

    Touches nothing of the caller's (the caller may have given up waiting), and disposes of
    the engine when done.
    """
    tables: dict[str, pl.DataFrame] = {}
    missing: list[str] = []
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            heartbeat.beat()
            for table in TABLE_NAMES:
                sql_name = table_names.get(table, table)
                if sql_name not in present:
                    missing.append(table)
                    continue
                columns = _columns(conn, sql_name)
                heartbeat.beat()
                result = conn.execute(sa.select(sa.table(sql_name, *columns)))
                names = list(result.keys())
                rows: list[sa.Row] = []
                while chunk := result.fetchmany(FETCH_ROWS):
                    rows.extend(chunk)
                    heartbeat.beat()
                frame = pl.DataFrame(
                    {n: [r[i] for r in rows] for i, n in enumerate(names)},
                    strict=False,
                )
                if frame.height == 0 and not frame.columns:
                    frame = pl.DataFrame({n: [] for n in names})
                tables[table] = frame.with_row_index(ROW, offset=1).with_columns(
                    pl.col(ROW).cast(pl.Int64)
                )
    except sa.exc.SQLAlchemyError as exc:
        return tables, missing, str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return tables, missing, None


def _columns(conn: sa.Connection, table: str) -> list[sa.ColumnClause]:
    return [sa.column(c["name"]) for c in sa.inspect(conn).get_columns(table)]
