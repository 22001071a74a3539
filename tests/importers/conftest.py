"""Builders of small, faithful public files for the importer tests.

The QOF ACHIEVEMENT layouts follow NHS Digital's files: the national file (up to 2021-22)
is ``PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE``; from 2022-23 there are seven regional
files ``ACHIEVEMENT_<REGION>_<yyyy>.csv`` whose rows start with REGION_ODS_CODE,
REGION_ONS_CODE and REGION_NAME. Blank VALUEs mean missing. The Fingertips header is the one
pinned in ukhsa-collaboration/fingertips-open (DataControllerTest.HeaderText). Practice codes
and PCNs are real (Tower Hamlets, Stockton), taken from the MAPPING file in data/.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PREVALENCE = DATA / "PREVALENCE_2223.csv.gz"
MAPPING = DATA / "MAPPING_NHS_GEOGRAPHIES_2223.csv.gz"
COVER = DATA / "COVER_GP_immunisations_WestSussex_2019-2022.csv.gz"

# Practices used by the small files: Tower Hamlets Network 1 and 8, Stockton PCN, and two
# practices in no PCN (PCN code U) in two sub-ICBs.
NETWORK_1 = ("F84016", "F84051", "F84083", "F84123")  # U50771 Tower Hamlets Network 1 PCN
NETWORK_8 = ("F84647", "F84656")  # U09193 Tower Hamlets Network 8 PCN
STOCKTON = ("A81001",)  # U89141 Stockton PCN
UNALLOCATED = ("A81633", "A84035")  # PCN U in sub-ICBs 16C and 00L
SMALL_PRACTICES = NETWORK_1 + NETWORK_8 + STOCKTON + UNALLOCATED

REGIONS = {
    "LONDON": ("Y56", "E40000003", "London"),
    "NORTH_EAST_AND_YORKSHIRE": ("Y63", "E40000012", "North East and Yorkshire"),
}

FINGERTIPS_HEADER = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to Region value or percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], **kw) -> Path:
    """Write a CSV file the way the publications do (\\r\\n line ends, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode(kw.get("encoding", "utf-8")))
    return path


def measures(
    practice: str,
    indicator: str,
    *,
    numerator: object = None,
    denominator: object = None,
    pcas: object = None,
    points: object = "0.0",
    register: object = None,
) -> list[tuple[str, str, str, object]]:
    """The long rows NHS Digital publishes for one practice and indicator (blank = None).

    A register indicator gets REGISTER and ACHIEVED_POINTS rows; a percentage indicator gets
    ACHIEVED_POINTS, DENOMINATOR, NUMERATOR and PCAS rows.
    """
    if register is not None:
        return [
            (practice, indicator, "ACHIEVED_POINTS", points),
            (practice, indicator, "REGISTER", register),
        ]
    return [
        (practice, indicator, "ACHIEVED_POINTS", points),
        (practice, indicator, "DENOMINATOR", denominator),
        (practice, indicator, "NUMERATOR", numerator),
        (practice, indicator, "PCAS", pcas),
    ]


def national_achievement(path: Path, rows: Iterable[tuple[str, str, str, object]]) -> Path:
    """An ACHIEVEMENT_<yyyy>.csv in the national layout (up to 2021-22)."""
    return write_csv(path, ["PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"], rows)


def regional_achievement(
    path: Path, region: str, rows: Iterable[tuple[str, str, str, object]]
) -> Path:
    """An ACHIEVEMENT_<REGION>_<yyyy>.csv in the regional layout (2022-23 on)."""
    ods, ons, name = REGIONS[region]
    header = [
        "REGION_ODS_CODE",
        "REGION_ONS_CODE",
        "REGION_NAME",
        "PRACTICE_CODE",
        "INDICATOR_CODE",
        "MEASURE",
        "VALUE",
    ]
    return write_csv(path, header, ((ods, ons, name, *r) for r in rows))


def mapping_subset(path: Path, practices: Sequence[str] = SMALL_PRACTICES) -> Path:
    """The real MAPPING_NHS_GEOGRAPHIES_2223 rows of some practices, unchanged."""
    lines = gzip.decompress(MAPPING.read_bytes()).decode("utf-8").splitlines(keepends=True)
    wanted = set(practices)
    kept = [lines[0]] + [line for line in lines[1:] if next(csv.reader([line]))[14] in wanted]
    assert len(kept) == len(wanted) + 1, "a test practice is missing from the mapping file"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def fingertips_row(**values: object) -> list[object]:
    """One row of a Fingertips export: named fields, the rest blank."""
    row = {c: "" for c in FINGERTIPS_HEADER}
    defaults = {
        "Indicator ID": 91280,
        "Indicator Name": "Percentage of patients with diabetes with HbA1c 58 or less",
        "Sex": "Persons",
        "Age": "17+ yrs",
        "Time period": "2022/23",
    }
    row.update(defaults)
    row.update({k.replace("_", " "): v for k, v in values.items()})
    unknown = set(row) - set(FINGERTIPS_HEADER)
    assert not unknown, unknown
    return [row[c] for c in FINGERTIPS_HEADER]


@pytest.fixture
def small_mapping(tmp_path: Path) -> Path:
    return mapping_subset(tmp_path / "MAPPING_NHS_GEOGRAPHIES_2223.csv")
