"""Reading the raw tables of a data set: CSV and Parquet files, or a SQL database.

Raw tables are read as they are (CSV as text) with a ``__row`` column holding the row number
a user would look for (the CSV line number, the header being line 1; the 1-based row of a
Parquet file or SQL table). Nothing is cast or dropped here: :mod:`netcompare.data.validate`
does that and reports every problem.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from netcompare.data.problems import ProblemList
from netcompare.data.schema import TABLE_NAMES

ROW = "__row"

# Bytes looked at to tell a binary file from text.
_SNIFF = 8192


def decode_csv_bytes(data: bytes, label: str, problems: ProblemList) -> str | None:
    """The text of a CSV file, or None (with the problem reported) if it is not UTF-8 text."""
    if not data.strip():
        problems.error(label, "the file is empty (no header row, no data)")
        return None
    if b"\x00" in data[:_SNIFF]:
        problems.error(
            label,
            "this is not a CSV file: it holds binary data (perhaps an Excel workbook or a "
            "compressed file); save it as CSV (UTF-8)",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(
            label,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); it "
            "looks like Windows-1252/Latin-1: save it as 'CSV UTF-8'",
            row=line,
        )
        return None
    return text


def read_csv_text(text: str, label: str, problems: ProblemList) -> pl.DataFrame | None:
    """Parse CSV text into an all-text frame with a ``__row`` column (None if unreadable)."""
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            infer_schema=False,
        )
    except pl.exceptions.NoDataError:
        problems.error(label, "the file is empty (no header row, no data)")
        return None
    except pl.exceptions.ComputeError as exc:
        first = str(exc).strip().splitlines()[0]
        if "more fields" in first:
            first = "a row has more fields than the header"
        elif "could not parse" in first:
            first = "a quoted field is never closed (the file may be truncated)"
        problems.error(label, f"the file cannot be read as CSV: {first}")
        return None
    if not frame.columns or all(not c.strip() for c in frame.columns):
        problems.error(label, "the file has no header row")
        return None
    _check_last_line(text, len(frame.columns), label, problems)
    frame = frame.rename({c: c.strip() for c in frame.columns})
    # Line numbers as a user sees them in a spreadsheet: the header is line 1.
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _check_last_line(text: str, n_columns: int, label: str, problems: ProblemList) -> None:
    """A truncated file usually ends in a short row, which CSV readers pad with blanks."""
    stripped = text.rstrip("\r\n")
    if not stripped:
        return
    last = stripped.rsplit("\n", 1)[-1]
    fields = next(csv.reader([last]), [])
    if 0 < len(fields) < n_columns:
        line = stripped.count("\n") + 1
        problems.error(
            label,
            f"the last row has {len(fields)} of {n_columns} fields: the file looks truncated",
            row=line,
        )


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


def find_table_files(folder: Path, problems: ProblemList) -> dict[str, Path]:
    """The file holding each canonical table in ``folder`` (``name.csv`` or ``name.parquet``)."""
    found: dict[str, Path] = {}
    for table in TABLE_NAMES:
        candidates = [folder / f"{table}.{ext}" for ext in ("parquet", "csv")]
        present = [p for p in candidates if p.is_file()]
        if not present:
            problems.error(
                str(folder / f"{table}.csv"),
                f"missing file: a data set needs {table}.csv (or {table}.parquet)",
            )
        elif len(present) > 1:
            problems.error(
                str(folder),
                f"both {table}.parquet and {table}.csv are present: keep only one",
            )
        else:
            found[table] = present[0]
    return found


def read_table_file(path: Path, problems: ProblemList) -> pl.DataFrame | None:
    """Read one table file (CSV or Parquet) as raw as possible."""
    label = str(path)
    if path.suffix == ".parquet":
        return read_parquet(path, label, problems)
    text = decode_csv_bytes(path.read_bytes(), label, problems)
    if text is None:
        return None
    return read_csv_text(text, label, problems)


def read_sql_tables(url: str, problems: ProblemList) -> dict[str, pl.DataFrame]:
    """Read the four canonical tables from a SQL database (SQLAlchemy URL)."""
    tables: dict[str, pl.DataFrame] = {}
    shown = sa.make_url(url).render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url)
    except Exception as exc:
        problems.error(shown, f"not a usable database URL: {exc}")
        return tables
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            for table in TABLE_NAMES:
                label = f"{shown} table {table}"
                if table not in present:
                    problems.error(label, f"missing table: the database has no '{table}' table")
                    continue
                result = conn.execute(sa.select(sa.table(table, *_columns(conn, table))))
                names = list(result.keys())
                rows = result.fetchall()
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
        problems.error(shown, f"cannot read the database: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()
    return tables


def _columns(conn: sa.Connection, table: str) -> list[sa.ColumnClause]:
    return [sa.column(c["name"]) for c in sa.inspect(conn).get_columns(table)]
