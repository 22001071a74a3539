"""Reading an importer's input files: bytes from a path or an upload, decoded and parsed as CSV.

Encoding policy (decided for issue 7, tested in tests/importers/test_inputs.py):

- UTF-8, with or without a byte-order mark, is read as it is.
- Anything else is tried as Windows-1252 (cp1252, the superset of Latin-1 that Excel and the
  NHS publications use on Windows): the file is read, names such as "Sé" come through
  correctly, and the report carries a note naming the first line that was not UTF-8, so the
  user can check it. Refusing such files would only make users re-save public downloads.
- Bytes that are not valid cp1252 either, UTF-16 text, binary data (an Excel workbook, a ZIP
  archive) and empty files are errors: :class:`~netcompare.errors.UserError` naming the file
  and, where it helps, the line.
- ``.gz`` files (or gzip bytes) are decompressed first.

Every frame comes back as text (no type guessing), columns stripped, with the ``__row``
column of :mod:`netcompare.data.read` holding the line number a user sees (header = line 1).
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from netcompare.data.importers.report import FileRead, ImportReport
from netcompare.data.problems import ProblemList
from netcompare.data.read import ROW, read_csv_text
from netcompare.errors import UserError

# Bytes looked at to tell a binary file from text.
_SNIFF = 8192


@dataclass(frozen=True)
class InputFile:
    """A file's name and content, e.g. from an upload in the app."""

    name: str
    data: bytes


Source = InputFile | str | os.PathLike[str] | bytes


def load_input(source: Source, default_name: str = "uploaded file") -> InputFile:
    """The name and bytes of a path, an :class:`InputFile` or raw bytes (gzip expanded)."""
    if isinstance(source, InputFile):
        name, data = source.name, source.data
    elif isinstance(source, bytes | bytearray):
        name, data = default_name, bytes(source)
    else:
        path = Path(source)
        name = str(path)
        if not path.exists():
            raise UserError(f"{name}: no such file")
        if path.is_dir():
            raise UserError(f"{name}: this is a folder; give the CSV file itself")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{name}: cannot read the file ({exc.strerror or exc})") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise UserError(f"{name}: the gzip file is damaged or truncated ({exc})") from exc
    return InputFile(name, data)


def decode_text(file: InputFile) -> tuple[str, str, str | None]:
    """Decode CSV bytes: (text, encoding, note) where note says why it was not UTF-8."""
    data, name = file.data, file.name
    if not data.strip():
        raise UserError(f"{name}: the file is empty (no header row, no data)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UserError(
            f"{name}: the file is UTF-16 text (Excel's 'Unicode text'); save it as "
            "'CSV UTF-8 (comma delimited)' and try again"
        )
    if data[:4] == b"PK\x03\x04":
        raise UserError(
            f"{name}: this is a ZIP archive or an Excel workbook, not a CSV file; unzip it (or "
            "save the sheet as CSV) and give the CSV file"
        )
    if b"\x00" in data[:_SNIFF]:
        raise UserError(
            f"{name}: this is not a CSV file: it holds binary data; save it as CSV (UTF-8)"
        )
    try:
        return data.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    line = data[:first_bad].count(b"\n") + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{name}, line {bad_line}: the file is neither UTF-8 nor Windows-1252 text (byte "
            f"0x{data[exc.start]:02x} cannot be read); save it as 'CSV UTF-8' and try again"
        ) from exc
    start = data.rfind(b"\n", 0, first_bad) + 1
    end = data.find(b"\n", first_bad)
    # cp1252 is one byte per character, so the byte offset is the character offset.
    line_text = data[start : end if end >= 0 else len(data)].decode("cp1252").rstrip("\r")
    at = first_bad - start
    snippet = line_text[max(0, at - 25) : at + 25]
    snippet = ("..." if at > 25 else "") + snippet + ("..." if at + 25 < len(line_text) else "")
    note = (
        f"{name} is not UTF-8: read it as Windows-1252 (cp1252); check that names came "
        f"through correctly, e.g. line {line}: {snippet!r}"
    )
    return text, "cp1252", note


def read_csv_input(
    source: Source, report: ImportReport, *, layout: str = "", default_name: str = "uploaded file"
) -> tuple[pl.DataFrame, InputFile]:
    """Read one CSV input into an all-text frame with ``__row``; record it in the report.

    Cells are stripped of surrounding blanks and empty cells are null. Raises UserError for a
    file that cannot be read as CSV or has a header but no rows.
    """
    file = load_input(source, default_name)
    text, encoding, note = decode_text(file)
    problems = ProblemList()
    frame = read_csv_text(text, file.name, problems)
    if problems.errors or frame is None:
        raise UserError("; ".join(str(p) for p in problems.errors))
    if frame.height == 0:
        raise UserError(f"{file.name}: the file has a header but no data rows")
    columns = [c for c in frame.columns if c != ROW]
    frame = frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None).alias(c) for c in columns
    )
    if note:
        report.note(note)
    report.files.append(FileRead(file.name, frame.height, layout, encoding))
    return frame, file


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
