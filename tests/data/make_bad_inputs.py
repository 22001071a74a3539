"""Writes tests/data/bad_inputs/: one small data set per validation rule, each broken once.

Run ``python tests/data/make_bad_inputs.py`` to rebuild the corpus; the files are committed so
a reviewer can open each case. Every case folder holds ``expected.txt``: the words the error
message must contain, and the row it must name (if any).
"""

from __future__ import annotations

import gzip
import io
import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "bad_inputs"

NETWORKS = "network_id,network_name,parent_area\nN1,North,Test borough\nN2,South,Test borough\n"
PRACTICES = (
    "practice_id,practice_name,network_id,list_size,share_name\n"
    "P1,Alpha Surgery,N1,8000,true\n"
    "P2,Beta Practice,N1,6000,true\n"
    "P3,Gamma Health Centre,N2,9000,false\n"
)
INDICATORS = (
    "indicator_id,name,care_package,description,polarity,target,amber_threshold,network_target,source\n"
    "MMR1,MMR1 by 24 months,Childhood immunisation,First MMR dose,high,0.95,0.9,0.95,test\n"
    "SMOKE,Current smokers,COPD,COPD patients who smoke,low,,,,test\n"
)
VALUES_HEADER = "practice_id,indicator_id,period,numerator,denominator,exceptions\n"
VALUES_ROWS = [
    "P1,MMR1,2024-01-01,90,100,2",
    "P2,MMR1,2024-01-01,80,95,1",
    "P3,MMR1,2024-01-01,70,90,0",
    "P1,SMOKE,2024-01-01,30,100,0",
    "P2,SMOKE,2024-01-01,25,80,0",
    "P3,SMOKE,2024-01-01,40,110,0",
]


def values(*rows: str) -> str:
    return VALUES_HEADER + "\n".join(rows) + "\n"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


# A workbook's parts (enough for any reader to see an .xlsx), and a zipped CSV.
XLSX = _zip(
    {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": "<Relationships/>",
        "xl/workbook.xml": "<workbook/>",
        "xl/worksheets/sheet1.xml": "<worksheet/>",
    }
)
ZIPPED = _zip({"values.csv": values(*VALUES_ROWS)})


VALID = {
    "networks.csv": NETWORKS,
    "practices.csv": PRACTICES,
    "indicators.csv": INDICATORS,
    "values.csv": values(*VALUES_ROWS),
}

# case name -> (files to replace: name -> content or bytes or None to delete, expected words,
# expected row or None)
CASES: dict[str, tuple[dict[str, str | bytes | None], str, int | None]] = {
    "missing_file": ({"values.csv": None}, "missing file", None),
    "missing_column": (
        {"values.csv": "practice_id,indicator_id,period,numerator\nP1,MMR1,2024-01-01,90\n"},
        "missing column(s): denominator",
        None,
    ),
    "wrong_type": (
        {"values.csv": values("P1,MMR1,2024-01-01,ninety,100,2", *VALUES_ROWS[1:])},
        "numerator is not a number: 'ninety'",
        2,
    ),
    "bad_date": (
        {"values.csv": values(*VALUES_ROWS[:2], "P3,MMR1,31/01/2024,70,90,0")},
        "wrong type in column period",
        4,
    ),
    "missing_value": (
        {"values.csv": values(*VALUES_ROWS[:3], "P1,SMOKE,2024-01-01,30,,0")},
        "missing value in column denominator",
        5,
    ),
    "negative_numerator": (
        {"values.csv": values(*VALUES_ROWS[:2], "P3,MMR1,2024-01-01,-3,90,0")},
        "numerator < 0",
        4,
    ),
    "zero_denominator": (
        {"values.csv": values(*VALUES_ROWS[:1], "P2,MMR1,2024-01-01,5,0,0")},
        "denominator <= 0",
        3,
    ),
    "numerator_above_denominator": (
        {"values.csv": values("P1,MMR1,2024-01-01,120,100,0", *VALUES_ROWS[1:])},
        "numerator > denominator",
        2,
    ),
    "negative_exceptions": (
        {"values.csv": values(*VALUES_ROWS[:5], "P3,SMOKE,2024-01-01,40,110,-1")},
        "exceptions < 0",
        7,
    ),
    "duplicate_row": (
        {"values.csv": values(*VALUES_ROWS, "P2,SMOKE,2024-01-01,26,80,0")},
        "duplicate (practice, indicator, period)",
        6,
    ),
    "undefined_practice": (
        {"values.csv": values(*VALUES_ROWS, "P9,MMR1,2024-01-01,10,20,0")},
        "practice not defined",
        8,
    ),
    "undefined_indicator": (
        {"values.csv": values(*VALUES_ROWS, "P1,FLU,2024-01-01,10,20,0")},
        "indicator not defined",
        8,
    ),
    "practice_in_no_network": (
        {"practices.csv": PRACTICES + "P4,Delta Surgery,N7,5000,true\n"},
        "practice in no network",
        5,
    ),
    "empty_file": ({"indicators.csv": ""}, "the file is empty", None),
    "header_only": ({"values.csv": VALUES_HEADER}, "no data rows", None),
    # (Windows-1252 text is read, with a warning: see test_validation_corpus.py.)
    "not_utf8": (
        {
            "practices.csv": PRACTICES.replace("Beta Practice", "Beta \x81 Practice").encode(
                "latin-1"
            )
        },
        "the file is neither UTF-8 nor Windows-1252 text (byte 0x81 cannot be read)",
        3,
    ),
    "numerator_nan": (
        {"values.csv": values("P1,MMR1,2024-01-01,NaN,100,2", *VALUES_ROWS[1:])},
        "numerator is not a number: 'NaN'",
        2,
    ),
    "numerator_infinite": (
        {"values.csv": values(*VALUES_ROWS[:1], "P2,MMR1,2024-01-01,inf,95,1", *VALUES_ROWS[2:])},
        "numerator is infinite: 'inf'",
        3,
    ),
    "numerator_dash": (
        {"values.csv": values(*VALUES_ROWS[:2], "P3,MMR1,2024-01-01,-,90,0", *VALUES_ROWS[3:])},
        "numerator is '-' (suppressed or missing)",
        4,
    ),
    "numerator_not_whole": (
        {"values.csv": values(*VALUES_ROWS[:3], "P1,SMOKE,2024-01-01,12.5,100,0")},
        "numerator 12.5 is not a whole number",
        5,
    ),
    # "1,234" is read as 1234 (with a warning), so 1,234 of 1,000 breaks a count rule.
    "thousands_separator": (
        {"values.csv": values('P1,MMR1,2024-01-01,"1,234","1,000",2', *VALUES_ROWS[1:])},
        "numerator > denominator: P1, MMR1, 2024-01-01: 1234 > 1000",
        2,
    ),
    "utf16": (
        {"values.csv": values(*VALUES_ROWS).encode("utf-16")},
        "the file is UTF-16 text",
        None,
    ),
    "xlsx": ({"values.csv": XLSX}, "an Excel workbook (.xlsx): save it as CSV UTF-8", None),
    "zip": ({"values.csv": ZIPPED}, "a ZIP archive (holding values.csv): unzip it", None),
    "gzip_damaged": (
        {"values.csv": gzip.compress(values(*VALUES_ROWS).encode())[:40]},
        "the gzip file is damaged or truncated",
        None,
    ),
    "pdf": ({"values.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"}, "a PDF document", None),
    "duplicate_header": (
        {
            "values.csv": values(*VALUES_ROWS).replace(
                "denominator,exceptions\n", "denominator,numerator\n", 1
            )
        },
        "the column 'numerator' appears twice (columns 4 and 6)",
        1,
    ),
    "case_variant_header": (
        {
            "values.csv": values(*VALUES_ROWS).replace(
                "denominator,exceptions\n", "denominator,Numerator\n", 1
            )
        },
        "the columns 'numerator' and 'Numerator' differ only in case",
        1,
    ),
    "truncated": (
        {"values.csv": values(*VALUES_ROWS).rstrip("\n")[:-12]},
        "looks truncated",
        7,
    ),
    "binary": (
        {"values.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 8},
        "not a CSV file",
        None,
    ),
    "bad_polarity": (
        {"indicators.csv": INDICATORS.replace(",low,", ",lower,")},
        "polarity must be high, low or neutral",
        3,
    ),
    "target_as_percent": (
        {"indicators.csv": INDICATORS.replace(",0.95,0.9,0.95,", ",95,90,95,")},
        "target must be a proportion",
        2,
    ),
}


def write_case(folder: Path, changes: dict[str, str | bytes | None]) -> None:
    folder.mkdir(parents=True)
    for name, content in {**VALID, **changes}.items():
        if content is None:
            continue
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    write_case(OUT / "valid", {})
    (OUT / "valid" / "expected.txt").write_text("valid\n")
    for name, (changes, words, row) in CASES.items():
        write_case(OUT / name, changes)
        (OUT / name / "expected.txt").write_text(f"{words}\n{'' if row is None else row}\n")


if __name__ == "__main__":
    main()
