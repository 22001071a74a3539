"""Turning the period labels of public files into the canonical period date (the period start).

- Financial years ("2022/23", "2022-23", QOF's "2223") start on 1 April: 2022-04-01.
- Calendar years ("2022") start on 1 January: 2022-01-01.
- Pooled periods, as Fingertips writes them, start with their first year: "2018 - 20" is
  2018-01-01 and "2018/19 - 20/21" is 2018-04-01.
- Quarters: "2022/23 Q1" is April-June 2022 (financial-year quarters, as Fingertips writes
  them); "2022 Q1" is January-March 2022.
- Months: "2022-05" and "May 2022" start on the 1st: 2022-05-01. A full ISO date
  ("2022-05-17") is kept as it is. ("2011-12" reads as the financial year 2011-12, not
  December 2011: consecutive years win.)

Anything else is not guessed: :func:`parse_period` returns None and the importer reports it.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}

_FY = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
# Fingertips' pooled periods: "2018 - 20" (calendar years), "2018/19 - 20/21" (financial).
_POOLED_YEARS = re.compile(r"^(\d{4})\s+-\s+(\d{2}|\d{4})$")
_POOLED_FY = re.compile(r"^(\d{4})\s*/\s*(\d{2})\s+-\s+(\d{2})\s*/\s*(\d{2})$")
_FY_QUARTER = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*Q([1-4])$", re.IGNORECASE)
_CAL_QUARTER = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})$")
_QOF_YEAR = re.compile(r"^(\d{2})(\d{2})$")


def _second_year_ok(first: int, second: str) -> bool:
    if len(second) == 4:
        return int(second) == first + 1
    return int(second) == (first + 1) % 100


def parse_period(label: str | None) -> dt.date | None:
    """The start date of a period label, or None when it is not a form listed above."""
    if label is None:
        return None
    text = " ".join(str(label).split())
    try:
        if (m := _FY.match(text)) and _second_year_ok(int(m.group(1)), m.group(2)):
            return dt.date(int(m.group(1)), 4, 1)
        if m := _FY_QUARTER.match(text):
            first = int(m.group(1))
            if not _second_year_ok(first, m.group(2)):
                return None
            quarter = int(m.group(3))
            month = 4 + 3 * (quarter - 1)
            return dt.date(first + (month > 12), (month - 1) % 12 + 1, 1)
        if (m := _POOLED_FY.match(text)) and _second_year_ok(int(m.group(1)), m.group(2)):
            return dt.date(int(m.group(1)), 4, 1)
        if m := _POOLED_YEARS.match(text):
            return dt.date(int(m.group(1)), 1, 1)
        if m := _CAL_QUARTER.match(text):
            return dt.date(int(m.group(1)), 1 + 3 * (int(m.group(2)) - 1), 1)
        if m := _YEAR.match(text):
            return dt.date(int(m.group(1)), 1, 1)
        if m := _YEAR_MONTH.match(text):
            return dt.date(int(m.group(1)), int(m.group(2)), 1)
        if m := _ISO_DATE.match(text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _MONTH_YEAR.match(text):
            month = _MONTHS.get(m.group(1).lower())
            return dt.date(int(m.group(2)), month, 1) if month else None
    except ValueError:  # e.g. month 13
        return None
    return None


def period_column(frame: pl.DataFrame, column: str) -> pl.Series:
    """Parse a text column of period labels (each distinct label parsed once)."""
    labels = frame.get_column(column)
    lookup = {label: parse_period(label) for label in labels.unique().to_list()}
    return labels.replace_strict(lookup, return_dtype=pl.Date, default=None).alias("period")


def qof_year(label: str) -> tuple[str, dt.date]:
    """A QOF year ("2022-23", "2022/23" or "2223") as ("2022-23", 2022-04-01).

    Raises ValueError for anything else.
    """
    text = label.strip()
    if m := _QOF_YEAR.match(text):
        first, second = 2000 + int(m.group(1)), m.group(2)
        if _second_year_ok(first, second):
            return f"{first}-{second}", dt.date(first, 4, 1)
    if m := _FY.match(text):
        first = int(m.group(1))
        if _second_year_ok(first, m.group(2)):
            return f"{first}-{(first + 1) % 100:02d}", dt.date(first, 4, 1)
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
