"""Load a data set from a folder (CSV or Parquet files) or a SQL database, validated.

``load_dataset(source)`` is the one entry point: ``source`` is a folder holding
``networks``, ``practices``, ``indicators`` and ``values`` (``.csv`` or ``.parquet``, one file
per table, optionally a ``dataset.json`` with name/source/licence), or a SQLAlchemy URL of a
database with the same four tables, or ``URL#name``: the current version of a named data set
loaded by ``db load`` (:mod:`netcompare.data.sqlstore`). The result is the same validated
:class:`DataSet` either way; any hard error raises :class:`DataValidationError` listing every
problem found.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.data.dataset import VALUES_ORDER, DataSet
from netcompare.data.problems import DataValidationError, ProblemList
from netcompare.data.read import ROW, find_table_files, read_sql_tables, read_table_file
from netcompare.data.schema import DEFAULTS, TABLE_NAMES, TABLES
from netcompare.data.validate import (
    canonical_values,
    coerce_table,
    data_warnings,
    validate_indicators,
    validate_networks,
    validate_practices,
    validate_values,
)
from netcompare.errors import UserError
from netcompare.redact import mask_secrets
from netcompare.text import BIDI_PATTERN, strip_bidi

METADATA_FILE = "dataset.json"


def is_database_url(source: str | os.PathLike[str]) -> bool:
    """True when ``source`` looks like a SQLAlchemy URL rather than a folder."""
    return "://" in str(source)


def load_dataset(source: str | os.PathLike[str], *, shown_as: str | None = None) -> DataSet:
    """Read, validate and index a data set from a folder or a SQLAlchemy URL.

    ``shown_as`` names the data set in every message and as its source when it has no
    ``dataset.json`` saying otherwise (a shared server passes the operator's label, so no
    server path or database address reaches a visitor); by default the folder's path or
    the URL with its password masked.
    """
    if is_database_url(source):
        from netcompare.config import split_named_source

        url, named = split_named_source(str(source))
        if named is not None:  # URL#name: a named data set loaded by `db load`
            from netcompare.data.sqlstore import read_named

            return read_named(url, named, shown_as=shown_as)
    problems = ProblemList()
    meta: dict[str, str] = {}
    if is_database_url(source):
        url = str(source)
        try:
            label = shown_as or sa.make_url(url).render_as_string(hide_password=True)
        except sa.exc.ArgumentError:
            raise DataValidationError(
                [_missing(shown_as or mask_secrets(url), "not a database URL")]
            ) from None
        _check_sqlite_file(sa.make_url(url), label)
        raw = read_sql_tables(url, problems, label)
        labels = {t: f"{label} table {t}" for t in TABLE_NAMES}
        name = label
    else:
        folder = Path(source)
        where = shown_as or str(folder)
        if not folder.exists():
            raise DataValidationError([_missing(where, "no such folder")])
        if not folder.is_dir():
            raise DataValidationError(
                [_missing(where, "not a folder: give the folder that holds the table files")]
            )
        files = find_table_files(folder, problems, shown_as)
        raw = {}
        for table, path in files.items():
            frame = read_table_file(path, problems, f"{where}/{path.name}" if shown_as else None)
            if frame is not None:
                raw[table] = frame
        labels = {
            t: f"{where}/{files[t].name}"
            if shown_as and t in files
            else str(files.get(t, folder / f"{t}.csv"))
            for t in TABLE_NAMES
        }
        meta = _read_metadata(folder, problems, f"{where}/{METADATA_FILE}" if shown_as else None)
        name = meta.get("name", shown_as or folder.resolve().name)
        label = where
    return validate_raw(
        raw,
        labels,
        problems,
        source=meta.get("source", label),
        name=name,
        licence=meta.get("licence"),
    )


def _check_sqlite_file(url: sa.URL, label: str) -> None:
    """A SQLite data set must be an existing file: reading one never creates a file."""
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise DataValidationError(
            [_missing(label, "give the path of an SQLite database file, not an in-memory one")]
        )
    if not Path(database).is_file():
        raise DataValidationError([_missing(label, "no such SQLite database file")])


def _missing(where: str | Path, message: str):  # -> Problem
    from netcompare.data.problems import Problem

    return Problem(str(where), message)


def _read_metadata(folder: Path, problems: ProblemList, label: str | None = None) -> dict[str, str]:
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    shown = label or str(path)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.warning(shown, f"ignored: not valid JSON ({exc})")
        return {}
    if not isinstance(meta, dict):
        problems.warning(shown, "ignored: expected a JSON object")
        return {}
    return {k: str(v) for k, v in meta.items() if v is not None}


def dataset_from_tables(
    tables: dict[str, pl.DataFrame],
    *,
    source: str,
    name: str,
    licence: str | None = None,
    labels: dict[str, str] | None = None,
    first_row: int = 1,
) -> DataSet:
    """Validate in-memory tables (e.g. an importer's output) exactly as a loaded folder.

    Rows are numbered from ``first_row`` (2 to match the lines of the CSV file
    :func:`write_dataset` would write); ``labels`` names each table in messages.
    """
    raw = {
        t: f.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
        for t, f in tables.items()
    }
    labels = labels or {t: t for t in TABLE_NAMES}
    return validate_raw(raw, labels, ProblemList(), source=source, name=name, licence=licence)


def validate_raw(
    raw: dict[str, pl.DataFrame],
    labels: dict[str, str],
    problems: ProblemList,
    *,
    source: str,
    name: str,
    licence: str | None,
) -> DataSet:
    """Validate raw tables (as :mod:`netcompare.data.read` returns them): what
    :func:`load_dataset` does after reading; raises :class:`DataValidationError` listing
    every error."""
    frames: dict[str, pl.DataFrame] = {}
    codes = None
    raw = {t: without_bidi_controls(f) for t, f in raw.items()}
    name, source = strip_bidi(name), strip_bidi(source)
    licence = strip_bidi(licence) if licence is not None else None
    for table in TABLE_NAMES:
        if table not in raw:
            continue
        if table == "values" and "practices" in frames and "indicators" in frames:
            # Millions of clean, typed rows (Parquet, SQL) skip the cell-by-cell coercion.
            fast = canonical_values(raw[table], frames["practices"], frames["indicators"])
            if fast is not None:
                frames[table], codes = fast
                continue
        cast = coerce_table(table, raw[table], labels[table], problems)
        if cast is not None:
            frames[table] = cast
    networks = frames.get("networks")
    practices = frames.get("practices")
    indicators = frames.get("indicators")
    values = frames.get("values")
    if networks is not None:
        validate_networks(networks, labels["networks"], problems)
    if practices is not None:
        validate_practices(practices, networks, labels["practices"], problems)
    if indicators is not None:
        indicators = indicators.with_columns(
            pl.col("polarity").str.to_lowercase(), pl.col("period_type").str.to_lowercase()
        )
        validate_indicators(indicators, labels["indicators"], problems)
    ordered = None
    if values is not None:
        ordered = validate_values(
            values, practices, indicators, labels["values"], problems, codes=codes
        )
    problems.raise_if_errors()
    assert networks is not None and practices is not None  # errors raised above otherwise
    assert indicators is not None and ordered is not None
    data_warnings(ordered, practices, indicators, labels["values"], problems)
    data = DataSet(
        networks=networks.drop(ROW),
        practices=practices.drop(ROW),
        indicators=indicators.drop(ROW),
        values=ordered.frame.drop(ROW),
        source=source,
        name=name,
        warnings=tuple(problems.warnings),
        licence=licence,
        _index=ordered.index,
    )
    return data


def without_bidi_controls(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with bidirectional control characters removed from every text cell (a
    right-to-left override would show a name reversed; see :mod:`netcompare.text`). Only the
    columns that hold one are rewritten."""
    for col, dtype in frame.schema.items():
        if dtype == pl.String and frame.get_column(col).str.contains(BIDI_PATTERN).any():
            frame = frame.with_columns(pl.col(col).str.replace_all(BIDI_PATTERN, ""))
    return frame


def canonical_columns(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical columns of ``table`` in schema order; a missing optional column gets its
    default (e.g. ``period_type`` "month" for frames built before that column existed)."""
    exprs = []
    for col in TABLES[table]:
        if col.name in frame.columns or col.required:
            exprs.append(pl.col(col.name))
        else:
            default = DEFAULTS.get((table, col.name))
            exprs.append(pl.lit(default, dtype=col.dtype).alias(col.name))
    return frame.select(exprs)


def write_dataset(
    folder: str | os.PathLike[str],
    tables: dict[str, pl.DataFrame],
    *,
    fmt: str = "csv",
    metadata: dict[str, str] | None = None,
) -> Path:
    """Write the four tables (canonical columns, in schema order) to a new folder atomically.

    The folder is written next to its final place and renamed at the end, so a failure never
    leaves a partial data set behind. An existing folder is replaced.
    """
    if fmt not in ("csv", "parquet"):
        raise UserError(f"unknown format {fmt!r}: use csv or parquet")
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)
    try:
        for table in TABLE_NAMES:
            frame = canonical_columns(table, tables[table])
            if table == "values":
                frame = frame.sort(list(VALUES_ORDER))
            path = tmp / f"{table}.{fmt}"
            if fmt == "csv":
                frame.write_csv(path, float_precision=None)
            else:
                frame.write_parquet(path, statistics=False)
        if metadata:
            (tmp / METADATA_FILE).write_text(
                json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        # Move file by file so other files a user keeps in the folder (notes.csv, a README)
        # are never deleted; a table in the other format is removed so it cannot shadow this one.
        target.mkdir(exist_ok=True)
        for table in TABLE_NAMES:
            other = target / f"{table}.{'parquet' if fmt == 'csv' else 'csv'}"
            other.unlink(missing_ok=True)
        for path in sorted(tmp.iterdir()):
            os.replace(path, target / path.name)
        tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_dataset_sql(url: str, tables: dict[str, pl.DataFrame]) -> None:
    """Write the four tables into a SQL database (replacing them), with bound parameters.

    The engine has the connect and statement timeouts of :mod:`netcompare.dbwait` (each
    statement, not the whole write, is bounded by the statement timeout)."""
    engine = dbwait.make_engine(url)
    metadata = sa.MetaData()
    sql_types = {
        pl.String: sa.String,
        pl.Int64: sa.BigInteger,
        pl.Float64: sa.Float,
        pl.Boolean: sa.Boolean,
        pl.Date: sa.Date,
    }
    try:
        sql_tables = {
            name: sa.Table(
                name,
                metadata,
                *(sa.Column(c.name, sql_types[type(c.dtype)]) for c in TABLES[name]),
            )
            for name in TABLE_NAMES
        }
        with engine.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)
            for name, table in sql_tables.items():
                frame = canonical_columns(name, tables[name])
                if frame.height:
                    conn.execute(table.insert(), frame.to_dicts())
    finally:
        engine.dispose()
