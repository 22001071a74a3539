"""Reading every file a user gives netcompare: bytes, encodings, CSV, numbers, periods and dates.

One module, one policy, used by data set validation (:mod:`netcompare.data.read`), every
importer, the ``compare`` and ``spc`` commands and the notes import.

Files (:func:`read_csv`):

- UTF-8, with or without a byte-order mark, is read as it is.
- A file that is not valid UTF-8 is read as Windows-1252 (cp1252, the superset of Latin-1 that
  Excel and the NHS publications write on Windows), and the result carries a note: "read as
  Windows-1252 (cp1252): not valid UTF-8", with the first line that was not. Callers that
  cannot show a note (the notes import, all or nothing) ask for UTF-8 only.
- Files that are not CSV text are recognised and named: UTF-16 text (a byte-order mark, or
  many NUL bytes), an Excel workbook (.xlsx, a ZIP with ``xl/`` inside; or an old .xls), another
  ZIP archive, a PDF document, other binary data. gzip files (``1F 8B``) are decompressed first.
- A header with the same column twice, or two columns that differ only in case ("Numerator"
  and "numerator"), is an error naming both.
- The CSV itself is parsed by polars' own reader, on the file's path when there is one (every
  column as text, ``infer_schema=False``): no Python string of the whole file, so a 1.4 GB file
  is read in about its own size of memory (see bench/RESULTS.md, "Reading large files").

Every error is an :class:`InputError` (a :class:`~netcompare.errors.UserError`) whose text names
the file, the line where there is one, and the problem.

Numbers (:func:`number_value`, :func:`number_problem`): a cell is a number when it is written as
one ("12", "-3", "12.5", "1e3"). Each other cell has a named problem: blank, "'-' (suppressed or
missing)", "not a number: 'NaN'", "infinite: 'inf'", and for counts "12.5 is not a whole number".
Thousands separators are accepted: "1,234" (groups of exactly three digits) is 1234, and callers
report it with :func:`thousands_note`; "1,23" is not a number.

Periods (:func:`parse_period`): one parser for every period label; a year stays a year (see
:class:`Period`). Dates of a series (:func:`date_column`, for ``spc``) accept a few common
formats, one format per column.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import gzip
import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from netcompare.errors import UserError
from netcompare.types import PERIOD_TYPES

ROW = "__row"

# Bytes looked at to tell what kind of file this is.
_SNIFF = 65536
# Bytes read at a time when a whole file must be scanned or copied (gzip, cp1252).
_CHUNK = 1 << 24


class InputError(UserError):
    """A file that cannot be read: names the file, the line (when known) and the problem."""

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        where = file if line is None else f"{file}, line {line}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class InputFile:
    """A file's name and content, e.g. from an upload in the app."""

    name: str
    data: bytes


Source = InputFile | str | os.PathLike[str] | bytes


@dataclass(frozen=True)
class CsvRead:
    """A CSV file read as text: every column a String, plus ``__row`` (the line, header = 1)."""

    frame: pl.DataFrame
    name: str
    encoding: str = "utf-8"  # or "cp1252"
    note: str | None = None  # why it was not read as UTF-8

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]


# ----------------------------------------------------------------------------------------
# What kind of file is this?


def _utf16(head: bytes) -> bool:
    """UTF-16 text: a byte-order mark, or (without one) a NUL beside nearly every ASCII byte."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return False
    pairs = len(sample) // 2
    for nul, text in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        ascii_text = sum(1 for b in text if 9 <= b < 127)
        if nul.count(0) >= 0.9 * pairs and ascii_text >= 0.9 * pairs:
            return True
    return False


def _zip_kind(names: list[str]) -> str:
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (.xlsx): save it as CSV UTF-8"
    if any(n.startswith("word/") for n in names):
        return "a Word document (.docx), not a table: save the table as CSV UTF-8"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint file (.pptx), not a table: save the table as CSV UTF-8"
    csvs = [n for n in names if n.lower().endswith(".csv")]
    shown = ", ".join(csvs[:5]) if csvs else ", ".join(names[:5]) or "nothing"
    return f"a ZIP archive (holding {shown}): unzip it and give the CSV file"


def not_text_reason(head: bytes, zip_names: list[str] | None = None) -> str | None:
    """What a file whose first bytes are ``head`` is, when it is not CSV text (else None).

    ``zip_names`` are the member names when the file is a ZIP archive (read from its
    directory; None when it could not be read).
    """
    if head[:4] == b"PK\x03\x04" or head[:4] == b"PK\x05\x06":
        if zip_names is None:
            return "not a CSV file: this is a damaged ZIP archive (or Excel workbook)"
        return "not a CSV file: this is " + _zip_kind(zip_names)
    if head[:5] == b"%PDF-":
        return "not a CSV file: this is a PDF document: export the table as CSV UTF-8"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "not a CSV file: this is an old Excel workbook (.xls): save it as CSV UTF-8"
    if _utf16(head):
        return (
            "the file is UTF-16 text (Excel's 'Unicode text'), not UTF-8: save it as "
            "'CSV UTF-8 (comma delimited)'"
        )
    controls = sum(head[:4096].count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    if b"\x00" in head or controls > 8:
        return (
            "not a CSV file: it holds binary data (an image, a database or another program's "
            "file); save the table as CSV UTF-8"
        )
    return None


# ----------------------------------------------------------------------------------------
# Getting the bytes: a path (read by polars itself) or bytes in memory


@dataclass
class _Raw:
    name: str
    path: Path | None = None
    data: bytes | None = None

    def head(self, n: int = _SNIFF) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with self.path.open("rb") as f:
            return f.read(n)

    def tail(self, n: int = _SNIFF) -> bytes:
        if self.data is not None:
            return self.data[-n:]
        assert self.path is not None
        with self.path.open("rb") as f:
            f.seek(max(0, self.path.stat().st_size - n))
            return f.read()

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            for start in range(0, len(self.data), _CHUNK):
                yield self.data[start : start + _CHUNK]
            return
        assert self.path is not None
        with self.path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk

    def zip_names(self) -> list[str] | None:
        try:
            target = self.path if self.data is None else io.BytesIO(self.data)
            with zipfile.ZipFile(target) as archive:  # type: ignore[arg-type]
                return archive.namelist()
        except (zipfile.BadZipFile, OSError, EOFError):
            return None

    def polars_source(self) -> str | bytes:
        return str(self.path) if self.data is None else self.data


def _open_source(source: Source, default_name: str) -> _Raw:
    if isinstance(source, InputFile):
        return _Raw(source.name, data=source.data)
    if isinstance(source, bytes | bytearray):
        return _Raw(default_name, data=bytes(source))
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise InputError(name, "no such file")
    if path.is_dir():
        raise InputError(name, "this is a folder; give the CSV file itself")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc})") from exc
    return _Raw(name, path=path)


@contextmanager
def _gunzipped(raw: _Raw) -> Iterator[_Raw]:
    """The file itself, or its decompressed content when it is gzip (a temporary file)."""
    if raw.head(2) != b"\x1f\x8b":
        yield raw
        return
    damaged = "the gzip file is damaged or truncated"
    if raw.data is not None:
        try:
            yield _Raw(raw.name, data=gzip.decompress(raw.data))
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(raw.name, f"{damaged} ({exc})") from exc
        return
    assert raw.path is not None
    with tempfile.TemporaryDirectory(prefix="netcompare-gz-") as tmp:
        out = Path(tmp) / "content.csv"
        try:
            with gzip.open(raw.path, "rb") as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(raw.name, f"{damaged} ({exc})") from exc
        yield _Raw(raw.name, path=out)


def _first_invalid_utf8(raw: _Raw) -> tuple[int, int] | None:
    """(byte offset, line) of the first byte that is not UTF-8, or None if all of it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    for chunk in raw.chunks():
        held = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            at = max(0, exc.start - held)
            return offset + at, lines + chunk[:at].count(b"\n") + 1
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return max(0, offset - 1), lines + 1
    return None


def _line_snippet(raw: _Raw, offset: int) -> str:
    """The text (as cp1252) around byte ``offset`` of the file, for a note."""
    if raw.data is not None:
        window, start = raw.data[max(0, offset - 200) : offset + 200], max(0, offset - 200)
    else:
        assert raw.path is not None
        start = max(0, offset - 200)
        with raw.path.open("rb") as f:
            f.seek(start)
            window = f.read(400)
    at = offset - start
    line_start = window.rfind(b"\n", 0, at) + 1
    end = window.find(b"\n", at)
    line = window[line_start : end if end >= 0 else len(window)]
    text = line.decode("cp1252", errors="replace").rstrip("\r")
    at -= line_start
    snippet = text[max(0, at - 25) : at + 25]
    return ("..." if at > 25 else "") + snippet + ("..." if at + 25 < len(text) else "")


@contextmanager
def _as_cp1252(raw: _Raw) -> Iterator[_Raw]:
    """The file transcoded from cp1252 to UTF-8 (a temporary file, chunk by chunk)."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    offset = lines = 0
    with tempfile.TemporaryDirectory(prefix="netcompare-cp1252-") as tmp:
        out = Path(tmp) / "content.csv"
        with out.open("wb") as dst:
            for chunk in raw.chunks():
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    line = lines + chunk[: exc.start].count(b"\n") + 1
                    raise InputError(
                        raw.name,
                        "the file is neither UTF-8 nor Windows-1252 text (byte "
                        f"0x{chunk[exc.start]:02x} cannot be read); save it as 'CSV UTF-8'",
                        line,
                    ) from exc
                offset += len(chunk)
                lines += chunk.count(b"\n")
        if raw.data is not None:
            yield _Raw(raw.name, data=out.read_bytes())
        else:
            yield _Raw(raw.name, path=out)


# ----------------------------------------------------------------------------------------
# The CSV itself


def _header_cells(head: bytes) -> list[str] | None:
    """The header row's cells from the file's first bytes (None if it spans more than those)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        row = next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None
    return None if row is None else [c.strip() for c in row]


def check_header(columns: list[str], name: str) -> None:
    """Raise InputError for a column named twice, or two names that differ only in case."""
    seen: dict[str, tuple[int, str]] = {}
    for i, col in enumerate(columns, start=1):
        if not col:
            continue
        key = " ".join(col.split()).casefold()
        if key in seen:
            j, first = seen[key]
            if first == col:
                problem = f"the column {col!r} appears twice (columns {j} and {i})"
            else:
                problem = (
                    f"the columns {first!r} and {col!r} differ only in case (columns {j} and "
                    f"{i}): netcompare cannot tell which to use"
                )
            raise InputError(name, problem + "; rename or remove one", line=1)
        seen[key] = (i, col)


def _polars_read(raw: _Raw) -> pl.DataFrame:
    try:
        return pl.read_csv(raw.polars_source(), infer_schema=False)
    except pl.exceptions.NoDataError as exc:
        raise InputError(raw.name, "the file is empty (no header row, no data)") from exc
    except pl.exceptions.ComputeError as exc:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        if "invalid utf-8" in first:
            raise
        if "more fields" in first:
            line = _first_long_row(raw)
            raise InputError(
                raw.name, "the row has more fields than the header has columns", line
            ) from exc
        if "could not parse" in first:
            first = "a quoted field is never closed (the file may be truncated)"
        raise InputError(raw.name, f"the file cannot be read as CSV: {first}") from exc


def _first_long_row(raw: _Raw) -> int | None:
    """The row number (header = 1) of the first record with more fields than the header.

    Only run when polars has said there is one: a streaming pass, one record at a time.
    """
    if raw.data is not None:
        stream: io.TextIOBase = io.StringIO(raw.data.decode("utf-8", errors="replace"), newline="")
    else:
        assert raw.path is not None
        stream = raw.path.open(encoding="utf-8-sig", errors="replace", newline="")
    with stream:
        try:
            reader = csv.reader(stream)
            width = len(next(reader, []))
            for number, record in enumerate(reader, start=2):
                if len(record) > width:
                    return number
        except csv.Error:
            return None
    return None


def _check_last_line(raw: _Raw, frame: pl.DataFrame, encoding: str) -> None:
    """A truncated file usually ends in a short row, which CSV readers pad with blanks."""
    n_columns = len(frame.columns)
    tail = raw.tail().decode(encoding, errors="replace").rstrip("\r\n")
    if not tail or frame.height == 0:
        return
    last = tail.rsplit("\n", 1)[-1]
    if '"' in last:
        # Possibly the end of a quoted field that spans lines (a note with a line break):
        # the physical line is then not the whole row. A file that ends inside an open
        # quote has already failed to parse.
        return
    try:
        fields = next(csv.reader([last]), [])
    except csv.Error:
        return
    if 0 < len(fields) < n_columns:
        raise InputError(
            raw.name,
            f"the last row has {len(fields)} of {n_columns} fields: the file looks truncated",
            line=frame.height + 1,
        )


def read_csv(
    source: Source,
    *,
    default_name: str = "uploaded file",
    cp1252: bool = True,
) -> CsvRead:
    """Read a CSV file (a path, an :class:`InputFile` or bytes) as text columns plus ``__row``.

    Cells are as written (not stripped; an empty cell is null); column names are stripped.
    ``cp1252=False`` refuses a file that is not UTF-8 instead of reading it as Windows-1252.
    Raises :class:`InputError` naming the file (and line) for anything that is not CSV text.
    """
    raw = _open_source(source, default_name)
    head = raw.head()
    if not head.strip():
        raise InputError(raw.name, "the file is empty (no header row, no data)")
    with _gunzipped(raw) as plain:
        head = plain.head()
        if not head.strip():
            raise InputError(raw.name, "the file is empty (no header row, no data)")
        zip_names = plain.zip_names() if head[:2] == b"PK" else None
        reason = not_text_reason(head, zip_names)
        if reason is not None:
            raise InputError(raw.name, reason)
        header = _header_cells(head)
        if header is not None:
            check_header(header, raw.name)
        try:
            frame = _polars_read(plain)
            encoding, note = "utf-8", None
            _check_last_line(plain, frame, "utf-8")
        except pl.exceptions.ComputeError:
            bad = _first_invalid_utf8(plain)
            offset, line = bad if bad is not None else (0, 1)
            if not cp1252:
                raise InputError(
                    raw.name,
                    f"the file is not UTF-8 text (byte 0x{plain.head(offset + 1)[offset]:02x} "
                    "cannot be read); save it as CSV UTF-8",
                    line,
                ) from None
            snippet = _line_snippet(plain, offset)
            note = (
                f"{raw.name}: read as Windows-1252 (cp1252): not valid UTF-8 (first at line "
                f"{line}: {snippet!r}); check that names came through correctly"
            )
            with _as_cp1252(plain) as converted:
                frame = _polars_read(converted)
                _check_last_line(converted, frame, "utf-8")
            encoding = "cp1252"
    if not frame.columns or all(not c.strip() for c in frame.columns):
        raise InputError(raw.name, "the file has no header row", line=1)
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    # Line numbers as a user sees them in a spreadsheet: the header is line 1.
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return CsvRead(frame, raw.name, encoding, note)


def strip_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell stripped of surrounding blanks; blank cells null.

    Only the columns that need it are rewritten, one at a time, so that a large file is not
    held twice in memory.
    """
    for col in frame.columns:
        if col == ROW or frame.schema[col] != pl.String:
            continue
        column = frame.get_column(col)
        if column.str.contains(r"^\s|\s$").any():
            frame = frame.with_columns(pl.col(col).str.strip_chars().replace("", None))
        elif (column == "").any():
            frame = frame.with_columns(pl.col(col).replace("", None))
    return frame


# ----------------------------------------------------------------------------------------
# Numbers written as text

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_INFINITE = r"^[+-]?(inf|infinity|∞)$"
# Written for a count that is withheld or missing (Fingertips, ONS and NHS tables use these).
SUPPRESSED = ("-", "–", "—", "*", "..", ":")


def _col(column: str | pl.Expr) -> pl.Expr:
    return pl.col(column) if isinstance(column, str) else column


def number_value(column: str | pl.Expr) -> pl.Expr:
    """A text column as Float64: finite numbers only ("1,234" is 1234); every other cell null.

    "NaN", "inf", "-", blanks and words are null here: :func:`number_problem` says which.
    """
    text = _col(column).str.strip_chars()
    text = (
        pl.when(text.str.contains(_THOUSANDS)).then(text.str.replace_all(",", "")).otherwise(text)
    )
    value = pl.when(text.str.contains(_NUMBER)).then(text).cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def has_thousands(column: str | pl.Expr) -> pl.Expr:
    """True where a cell is a number written with thousands separators ("1,234")."""
    return _col(column).str.strip_chars().str.contains(_THOUSANDS).fill_null(False)


def number_problem(
    column: str | pl.Expr,
    label: str,
    *,
    whole: bool = False,
    blank_ok: bool = False,
) -> pl.Expr:
    """What is wrong with each cell as a number (null where nothing is), named for ``label``.

    "numerator is blank", "numerator is '-' (suppressed or missing)", "numerator is not a
    number: 'NaN'", "numerator is infinite: 'inf'" and, with ``whole``, "numerator 12.5 is not a
    whole number". ``blank_ok`` accepts blank cells (optional columns).
    """
    raw = _col(column)
    text = raw.str.strip_chars()
    value = number_value(raw)
    quoted = pl.lit("'") + text.str.replace_all("'", "\\'", literal=True) + pl.lit("'")
    blank = raw.is_null() | (text == "")
    reason = (
        pl.when(blank)
        .then(pl.lit(None, dtype=pl.String) if blank_ok else pl.lit(f"{label} is blank"))
        .when(text.is_in(list(SUPPRESSED)))
        .then(pl.lit(f"{label} is ") + quoted + pl.lit(" (suppressed or missing)"))
        .when(text.str.to_lowercase().str.contains(_INFINITE))
        .then(pl.lit(f"{label} is infinite: ") + quoted)
        .when(value.is_null() & text.cast(pl.Float64, strict=False).is_infinite())
        .then(pl.lit(f"{label} is infinite: ") + quoted)
        .when(value.is_null())
        .then(pl.lit(f"{label} is not a number: ") + quoted)
    )
    if whole:
        reason = reason.when(value != value.floor()).then(
            pl.lit(f"{label} ") + text + pl.lit(" is not a whole number")
        )
    return reason.otherwise(pl.lit(None, dtype=pl.String))


def thousands_note(frame: pl.DataFrame, column: str, label: str) -> str | None:
    """A note when some cells of ``column`` use thousands separators (they are read as numbers).

    "2 numerator value(s) have a thousands separator and were read as numbers (line 5:
    numerator '1,234' has a thousands separator: read as 1234)"; ``frame`` has ``__row``.
    """
    if frame.schema.get(column) != pl.String:
        return None
    marked = frame.filter(has_thousands(column))
    if marked.height == 0:
        return None
    first = marked.row(0, named=True)
    text = str(first[column]).strip()
    return (
        f"{marked.height:,} {label} value(s) have a thousands separator and were read as "
        f"numbers (line {first[ROW]}: {label} {text!r} has a thousands separator: read as "
        f"{text.replace(',', '')})"
    )


# ----------------------------------------------------------------------------------------
# Periods

PeriodKind = Literal["month", "quarter", "year", "financial_year"]
PERIOD_KINDS: tuple[str, ...] = PERIOD_TYPES  # the indicators table's period_type values

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_MONTH_NAMES = {i + 1: calendar.month_name[i + 1].lower() for i in range(12)}


@dataclass(frozen=True, order=True)
class Period:
    """A period: its first day, what kind of period it is, and its label in netcompare's words.

    ``kind`` is "month" (a month, or one day given as a full date), "quarter", "year" (a
    calendar year, or a pooled run of calendar years) or "financial_year" (1 April to 31 March,
    or a pooled run of them). ``label`` is the canonical way to write it ("Jan 2023", "2022",
    "2022-23", "2022/23 Q1"); :func:`parse_period` of a label gives the same period back.
    """

    start: dt.date
    kind: PeriodKind
    label: str


_FY = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)
# Fingertips' pooled periods: "2018 - 20" (calendar years), "2018/19 - 20/21" (financial).
_POOLED_YEARS = re.compile(r"^(\d{4})\s+-\s+(\d{2}|\d{4})$")
_POOLED_FY = re.compile(r"^(\d{4})\s*/\s*(\d{2})\s+-\s+(\d{2})\s*/\s*(\d{2})$")
_FY_QUARTER = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*Q([1-4])$", re.IGNORECASE)
_CAL_QUARTER = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?[\s-]+(\d{4}|\d{2})$")
_QOF_YEAR = re.compile(r"^(\d{2})(\d{2})$")


def _second_year_ok(first: int, second: str) -> bool:
    if len(second) == 4:
        return int(second) == first + 1
    return int(second) == (first + 1) % 100


def _fy_label(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def _month_number(word: str) -> int | None:
    word = word.lower()
    month = _MONTHS.get(word[:3])
    if month is None or (not _MONTH_NAMES[month].startswith(word) and word != "sept"):
        return None
    return month


def parse_period(label: str | None) -> Period | None:
    """The period a label names, or None when it is not one of these forms (nothing is guessed):

    - months: "2023-01", "2023-01-01" (the first of a month), "Jan-23", "Jan 2023",
      "January 2023"; a full date on another day ("2022-05-17") is kept as that day;
    - financial years (1 April): "2022-23", "2022/23", "FY 2022/23", "2022/2023" ("2011-12"
      is the financial year 2011-12, not December 2011: consecutive years win);
    - calendar years: "2022";
    - quarters: "2022/23 Q1" (financial-year quarters, as Fingertips writes them: April-June
      2022), "2022 Q1" (January-March 2022);
    - pooled periods, as Fingertips writes them, start with their first year: "2018 - 20"
      (calendar years from 2018-01-01), "2018/19 - 20/21" (financial years from 2018-04-01).
    """
    if label is None:
        return None
    text = " ".join(str(label).split())
    try:
        if (m := _FY.match(text)) and _second_year_ok(int(m.group(1)), m.group(2)):
            first = int(m.group(1))
            return Period(dt.date(first, 4, 1), "financial_year", _fy_label(first))
        if m := _FY_QUARTER.match(text):
            first = int(m.group(1))
            if not _second_year_ok(first, m.group(2)):
                return None
            quarter = int(m.group(3))
            month = 4 + 3 * (quarter - 1)
            start = dt.date(first + (month > 12), (month - 1) % 12 + 1, 1)
            return Period(start, "quarter", f"{first}/{(first + 1) % 100:02d} Q{quarter}")
        if (m := _POOLED_FY.match(text)) and _second_year_ok(int(m.group(1)), m.group(2)):
            return Period(dt.date(int(m.group(1)), 4, 1), "financial_year", text)
        if m := _POOLED_YEARS.match(text):
            return Period(dt.date(int(m.group(1)), 1, 1), "year", text)
        if m := _CAL_QUARTER.match(text):
            quarter = int(m.group(2))
            start = dt.date(int(m.group(1)), 1 + 3 * (quarter - 1), 1)
            return Period(start, "quarter", f"{m.group(1)} Q{quarter}")
        if m := _YEAR.match(text):
            return Period(dt.date(int(m.group(1)), 1, 1), "year", m.group(1))
        if m := _YEAR_MONTH.match(text):
            return _month(int(m.group(1)), int(m.group(2)))
        if m := _ISO_DATE.match(text):
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if day.day == 1:
                return _month(day.year, day.month)
            return Period(day, "month", day.isoformat())
        if m := _MONTH_YEAR.match(text):
            month = _month_number(m.group(1))
            year = int(m.group(2))
            if month is None:
                return None
            return _month(year + 2000 if year < 100 else year, month)
    except ValueError:  # e.g. month 13
        return None
    return None


def _month(year: int, month: int) -> Period:
    # "Jan 2000", not "2000-01": that would read back as the financial year 2000-01.
    start = dt.date(year, month, 1)
    return Period(start, "month", f"{calendar.month_abbr[month]} {year:04d}")


def period_start(label: str | None) -> dt.date | None:
    """The first day of the period a label names (None when it is not a period)."""
    period = parse_period(label)
    return None if period is None else period.start


def period_columns(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``period`` (Date) and ``period_type`` (String) for a text column of period labels.

    Each distinct label is parsed once; a label that is not a period gives nulls.
    """
    labels = frame.get_column(column)
    parsed = {label: parse_period(label) for label in labels.unique().to_list()}
    starts = {k: p.start for k, p in parsed.items() if p is not None}
    kinds = {k: p.kind for k, p in parsed.items() if p is not None}
    return pl.DataFrame(
        [
            labels.replace_strict(starts, return_dtype=pl.Date, default=None).alias("period"),
            labels.replace_strict(kinds, return_dtype=pl.String, default=None).alias("period_type"),
        ]
    )


def qof_year(label: str) -> tuple[str, dt.date]:
    """A QOF year ("2022-23", "2022/23" or "2223") as ("2022-23", 2022-04-01).

    Raises ValueError for anything else.
    """
    text = label.strip()
    if m := _QOF_YEAR.match(text):
        first, second = 2000 + int(m.group(1)), m.group(2)
        if _second_year_ok(first, second):
            return _fy_label(first), dt.date(first, 4, 1)
    period = parse_period(text)
    if period is not None and period.kind == "financial_year" and _FY.match(" ".join(text.split())):
        return period.label, period.start
    raise ValueError(f"not a QOF year: {label!r} (write it like 2022-23)")


_NAME_YEAR = re.compile(r"(?<!\d)(\d{2})(\d{2})(?!\d)")


def year_from_file_name(name: str) -> str | None:
    """The QOF year in a publication file name: 'ACHIEVEMENT_LONDON_2223.csv' -> '2022-23'."""
    stem = re.split(r"[\\/]", name)[-1]
    stem = re.sub(r"(\.csv)?(\.gz)?$", "", stem, flags=re.IGNORECASE)
    found = None
    for m in _NAME_YEAR.finditer(stem):
        first, second = int(m.group(1)), int(m.group(2))
        if (first + 1) % 100 == second:
            found = f"{2000 + first}-{second:02d}"
    return found


def option_date(text: str, option: str) -> dt.date:
    """The first day of a period given on the command line: 2024-03-01, 2024-03, 2022-23..."""
    period = parse_period(text)
    if period is None:
        raise UserError(
            f"{option} must be a date like 2024-03-01 (or a period like 2024-03 or 2022-23), "
            f"got {text!r}"
        )
    return period.start


# ----------------------------------------------------------------------------------------
# Dates of a series (one format per column)

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m",
)


def date_column(frame: pl.DataFrame, column: str, file: str) -> pl.Series:
    """A text column of dates as ``pl.Date``, in the first of :data:`DATE_FORMATS` that reads
    every non-blank cell. Raises InputError naming the file, the line and the cell otherwise
    (``frame`` has ``__row``)."""
    text = frame.get_column(column).str.strip_chars().replace("", None)
    best: pl.Series | None = None
    for fmt in DATE_FORMATS:
        source = text + "-01" if fmt == "%Y-%m" else text
        parsed = source.str.to_date("%Y-%m-%d" if fmt == "%Y-%m" else fmt, strict=False)
        if parsed.null_count() == text.null_count():
            return parsed.alias(column)
        if best is None or parsed.null_count() < best.null_count():
            best = parsed
    assert best is not None
    bad = best.is_null() & text.is_not_null()
    i = int(bad.arg_true()[0])
    line = int(frame.get_column(ROW)[i])
    raise InputError(
        file,
        f"column {column!r} has values that are not dates: {text[i]!r} (use YYYY-MM-DD, one "
        "format for the whole column)",
        line,
    )
