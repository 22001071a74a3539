"""An importer's input files as frames (read by :mod:`netcompare.data.inputs`), and their columns.

Reading (the encoding policy, files that are not CSV, damaged files) is
:func:`netcompare.data.inputs.read_csv`, the same for every file netcompare reads: UTF-8 with or
without a byte-order mark; otherwise Windows-1252 with a note in the report; UTF-16, Excel
workbooks, ZIP, PDF and other binary files named in an error; gzip decompressed first.

Every frame comes back as text (no type guessing), cells stripped (blank = null), with the
``__row`` column holding the line number a user sees (header = line 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import polars as pl

from netcompare.data.importers.report import FileRead, ImportReport
from netcompare.data.inputs import ROW, InputFile, Source, read_csv, strip_cells
from netcompare.errors import UserError

__all__ = ["InputFile", "Source", "peek_csv", "read_csv_input"]


def read_csv_input(
    source: Source, report: ImportReport, *, layout: str = "", default_name: str = "uploaded file"
) -> tuple[pl.DataFrame, InputFile]:
    """Read one CSV input into an all-text frame with ``__row``; record it in the report.

    Cells are stripped of surrounding blanks and empty cells are null. Raises UserError for a
    file that cannot be read as CSV or has a header but no rows. The returned
    :class:`InputFile` carries the file's name (its bytes are not kept: ``data`` is empty).
    """
    read = read_csv(source, default_name=default_name)
    if read.frame.height == 0:
        raise UserError(f"{read.name}: the file has a header but no data rows")
    frame = strip_cells(read.frame)
    if read.note:
        report.note(read.note)
    report.files.append(FileRead(read.name, frame.height, layout, read.encoding))
    return frame, InputFile(read.name, b"")


def peek_csv(source: Source, rows: int = 5) -> pl.DataFrame:
    """The first rows of a CSV input as text (for a preview or a column-mapping form)."""
    frame, _ = read_csv_input(source, ImportReport("preview"))
    return frame.drop(ROW).head(rows)


# ----------------------------------------------------------------------------------------
# Columns: finding them whatever their case, and naming the kind of file a user gave.

_KINDS: tuple[tuple[str, frozenset[str], str], ...] = (
    (
        "QOF ACHIEVEMENT file",
        frozenset({"PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"}),
        "give it with --achievement",
    ),
    (
        "QOF PREVALENCE file",
        frozenset({"PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PRACTICE_LIST_SIZE"}),
        "give it with --prevalence",
    ),
    (
        "QOF MAPPING_NHS_GEOGRAPHIES file",
        frozenset({"PRACTICE_CODE", "PCN_ODS_CODE"}),
        "give it with --mapping",
    ),
    (
        "QOF indicator reference (MAPPING_INDICATORS) file",
        frozenset({"INDICATOR_CODE", "GROUP_CODE"}),
        "give it with --indicators",
    ),
    (
        "Fingertips data export",
        frozenset({"INDICATOR ID", "AREA CODE", "TIME PERIOD", "VALUE"}),
        "import it with 'import fingertips'",
    ),
    (
        "netcompare values table",
        frozenset({"PRACTICE_ID", "INDICATOR_ID", "PERIOD", "NUMERATOR", "DENOMINATOR"}),
        "it is already a netcompare data set table: load its folder directly",
    ),
)


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).upper()


def file_kind(columns: Iterable[str]) -> tuple[str, str] | None:
    """The kind of file these columns suggest (name, what to do), or None."""
    have = {_norm(c) for c in columns}
    for name, needed, advice in _KINDS:
        if needed <= have:
            return name, advice
    return None


def find_columns(
    frame: pl.DataFrame,
    wanted: Sequence[str],
    file: str,
    expected: str,
    optional: Sequence[str] = (),
) -> dict[str, str]:
    """Map each wanted column name to the frame's own spelling (case and blanks ignored).

    Raises UserError when a required column is missing, saying which kind of file this looks
    like when it is not the ``expected`` kind.
    """
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        if col != ROW:
            by_norm.setdefault(_norm(col), col)
    found = {w: by_norm[_norm(w)] for w in [*wanted, *optional] if _norm(w) in by_norm}
    missing = [w for w in wanted if w not in found]
    if missing:
        columns = [c for c in frame.columns if c != ROW]
        kind = file_kind(columns)
        if kind is not None and kind[0] != expected:
            raise UserError(
                f"{file}: this is not a {expected}: it looks like a {kind[0]} ({kind[1]})"
            )
        shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
        raise UserError(
            f"{file}: not a {expected}: missing column(s) {', '.join(missing)} "
            f"(the file has: {shown})"
        )
    return found


def require_user_column(frame: pl.DataFrame, name: str, file: str, option: str) -> str:
    """The frame's column for a name the user typed (exact, else ignoring case and blanks)."""
    if name in frame.columns and name != ROW:
        return name
    matches = [c for c in frame.columns if c != ROW and _norm(c) == _norm(name)]
    if len(matches) == 1:
        return matches[0]
    columns = ", ".join(c for c in frame.columns if c != ROW)
    raise UserError(f"{file}: no column {name!r} (given as {option}); the file has: {columns}")


def row_examples(frame: pl.DataFrame, file: str, detail: pl.Expr, limit: int = 5) -> str:
    """'row 3: ...; row 9: ...' for the first rows of ``frame`` (for error messages)."""
    shown = frame.head(limit).select(pl.col(ROW), detail.alias("detail")).rows()
    text = "; ".join(f"row {row}: {d}" for row, d in shown)
    extra = frame.height - limit
    return text + (f"; and {extra:,} more rows" if extra > 0 else "")


_SLUG = re.compile(r"[^A-Za-z0-9]+")


def slug(text: str) -> str:
    """An id-friendly form of a name: 'DTaP/IPV (12 months)' -> 'DTAP_IPV_12_MONTHS'."""
    return _SLUG.sub("_", text).strip("_").upper() or "X"
