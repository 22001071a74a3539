"""Reading importer inputs: the encoding policy, damaged and wrong files, kinds of file."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from netcompare.data.importers import InputFile, import_qof, peek_csv
from netcompare.data.importers.inputs import file_kind, read_csv_input
from netcompare.data.importers.report import ImportReport
from netcompare.data.inputs import read_csv
from netcompare.errors import UserError
from tests.importers.conftest import measures, national_achievement

HEADER = (
    "NAT_ONS_CODE,NAT_CODE,NAT_COUNTRY,REGION_ODS_CODE,REGION_ONS_CODE,REGION_NAME,"
    "ICB_ODS_CODE,ICB_ONS_CODE,ICB_NAME,SUB_ICB_ODS_CODE,SUB_ICB_ONS_CODE,SUB_ICB_NAME,"
    "PCN_ODS_CODE,PCN_NAME,PRACTICE_CODE,PRACTICE_NAME\r\n"
)
ROW = (
    "E92000001,ENG,England,Y56,E40000003,London,QMF,E54000029,NHS North East London "
    "Integrated Care Board,A3A8R,E38000255,NHS North East London ICB - A3A8R,U50771,"
    "Tower Hamlets Network 1 PCN,F84016,{name}\r\n"
)


def mapping_bytes(name: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = (HEADER + ROW.format(name=name)).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def achievement_bytes(tmp_path) -> InputFile:
    path = national_achievement(
        tmp_path / "ACHIEVEMENT_2122.csv",
        measures("F84016", "DM012", numerator="3", denominator="4", pcas="1"),
    )
    return InputFile(path.name, path.read_bytes())


def import_with_mapping(tmp_path, mapping: bytes):
    return import_qof(
        mapping=InputFile("MAPPING_NHS_GEOGRAPHIES_2223.csv", mapping),
        achievement=[achievement_bytes(tmp_path)],
    )


def practice_name(result) -> str:
    return result.tables["practices"].get_column("practice_name").item(0)


def test_utf8_names_come_through(tmp_path) -> None:
    result = import_with_mapping(tmp_path, mapping_bytes("Clinique Médicale Saint-Rémy"))
    assert practice_name(result) == "Clinique Médicale Saint-Rémy"
    assert result.report.files[0].encoding == "utf-8"
    assert not [n for n in result.report.notes if "Windows-1252" in n]


def test_a_bom_is_accepted_and_does_not_spoil_the_first_column(tmp_path) -> None:
    result = import_with_mapping(tmp_path, mapping_bytes("Médicale", bom=True))
    assert practice_name(result) == "Médicale"
    # the first column (NAT_ONS_CODE) is not read as "\ufeffNAT_ONS_CODE"
    frame, _ = read_csv_input(mapping_bytes("x", bom=True), ImportReport("t"))
    assert next(c for c in frame.columns if c != "__row") == "NAT_ONS_CODE"


def test_cp1252_falls_back_with_a_note_naming_the_line(tmp_path) -> None:
    result = import_with_mapping(tmp_path, mapping_bytes("Clinique Médicale – Café", "cp1252"))
    assert practice_name(result) == "Clinique Médicale – Café"
    assert result.report.files[0].encoding == "cp1252"
    note = next(n for n in result.report.notes if "Windows-1252" in n)
    assert note.startswith(
        "MAPPING_NHS_GEOGRAPHIES_2223.csv: read as Windows-1252 (cp1252): not valid UTF-8"
    )
    assert "line 2" in note and "Médicale" in note
    assert "cp1252" in str(result.report)


def test_bytes_that_are_neither_utf8_nor_cp1252_are_an_error(tmp_path) -> None:
    data = mapping_bytes("Practice") + b"E92000001,ENG,England,\x81\x8d,x\r\n"
    with pytest.raises(UserError, match=r"line 3: the file is neither UTF-8 nor Windows-1252"):
        import_with_mapping(tmp_path, data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \r\n ", "the file is empty"),
        ("NAT_ONS_CODE,X\r\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "a damaged ZIP archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"\x1f\x8b\x08\x00garbage", "gzip file is damaged"),
    ],
)
def test_files_that_are_not_csv_text(data: bytes, message: str) -> None:
    with pytest.raises(UserError, match=message):
        read_csv_input(InputFile("upload.csv", data), ImportReport("t"))


def test_header_without_rows_is_an_error() -> None:
    with pytest.raises(UserError, match=r"upload\.csv: the file has a header but no data rows"):
        read_csv_input(InputFile("upload.csv", HEADER.encode()), ImportReport("t"))


def test_truncated_file_is_an_error() -> None:
    data = mapping_bytes("A practice") + b"E92000001,ENG,Engl"
    with pytest.raises(UserError, match=r"upload\.csv, line 3: the last row has 3 of 16 fields"):
        read_csv_input(InputFile("upload.csv", data), ImportReport("t"))


def test_a_last_row_with_a_line_break_in_a_quoted_cell_is_whole() -> None:
    data = b'id,body,author\n1,"first line\nsecond line",Ann\n'
    frame, _file = read_csv_input(InputFile("notes.csv", data), ImportReport("t"))
    assert frame.get_column("body").to_list() == ["first line\nsecond line"]
    assert frame.get_column("author").to_list() == ["Ann"]


def test_gzip_is_read_transparently() -> None:
    frame, _file = read_csv_input(
        InputFile("m.csv.gz", gzip.compress(mapping_bytes("Gz Practice"))), ImportReport("t")
    )
    assert frame.get_column("PRACTICE_NAME").to_list() == ["Gz Practice"]


def test_missing_path_and_folder(tmp_path) -> None:
    with pytest.raises(UserError, match=r"nope\.csv: no such file"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="this is a folder"):
        read_csv(tmp_path)


def test_cells_are_stripped_and_blank_is_null() -> None:
    frame, _ = read_csv_input(b"a,b\r\n 1 ,\r\n2,  \r\n", ImportReport("t"))
    assert frame.select("a", "b").rows() == [("1", None), ("2", None)]
    assert frame.get_column("__row").to_list() == [2, 3]


def test_decode_reports_the_first_bad_line() -> None:
    read = read_csv(InputFile("f.csv", b"a\r\nok\r\n\xe9t\xe9\r\n"))
    assert (read.frame.get_column("a").to_list()[1], read.encoding) == ("été", "cp1252")
    assert read.note is not None and "line 3" in read.note


def test_cp1252_on_disk_is_read_through_a_copy_not_in_memory(tmp_path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"x,1\n" * 100_000 + b"caf\xe9,2\n")
    read = read_csv(path)
    assert read.encoding == "cp1252" and read.frame.height == 100_001
    assert read.frame.get_column("a").to_list()[-1] == "café"
    assert "line 100002" in (read.note or "")


def test_gzip_on_disk(tmp_path) -> None:
    path = tmp_path / "m.csv.gz"
    path.write_bytes(gzip.compress(mapping_bytes("Gz Practice", "cp1252")))
    frame, _ = read_csv_input(path, report := ImportReport("t"))
    assert frame.get_column("PRACTICE_NAME").to_list() == ["Gz Practice"]
    assert report.files[0].name == str(path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("a,Numerator,numerator", "the columns 'Numerator' and 'numerator' differ only in case"),
        ("value,x,value", "the column 'value' appears twice (columns 1 and 3)"),
    ],
)
def test_duplicate_and_case_variant_headers_are_errors(header: str, message: str) -> None:
    with pytest.raises(UserError) as err:
        read_csv_input(InputFile("upload.csv", f"{header}\n1,2,3\n".encode()), ImportReport("t"))
    assert str(err.value).startswith("upload.csv, line 1: ") and message in str(err.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.5\n", "upload.csv: not a CSV file: this is a PDF document"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
            "upload.csv: not a CSV file: this is an old Excel workbook (.xls)",
        ),
        ("a,b\n1,2\n".encode("utf-16-le"), "upload.csv: the file is UTF-16 text"),
    ],
)
def test_other_files_are_named(data: bytes, message: str) -> None:
    with pytest.raises(UserError) as err:
        read_csv_input(InputFile("upload.csv", data), ImportReport("t"))
    assert str(err.value).startswith(message)


def test_xlsx_and_zip_are_named(tmp_path) -> None:
    from tests.data.make_bad_inputs import XLSX, ZIPPED

    for data, message in (
        (XLSX, "not a CSV file: this is an Excel workbook (.xlsx): save it as CSV UTF-8"),
        (ZIPPED, "not a CSV file: this is a ZIP archive (holding values.csv): unzip it"),
    ):
        path = tmp_path / "upload.csv"
        path.write_bytes(data)
        with pytest.raises(UserError) as err:
            read_csv_input(path, ImportReport("t"))
        assert str(err.value) == f"{path}: {message}" + (
            "" if "ZIP" not in message else " and give the CSV file"
        )


def test_peek_for_a_mapping_form() -> None:
    head = peek_csv(InputFile("m.csv", mapping_bytes("Peek")), rows=1)
    assert head.columns[-1] == "PRACTICE_NAME"
    assert head.get_column("PRACTICE_NAME").to_list() == ["Peek"]
    assert "__row" not in head.columns


@pytest.mark.parametrize(
    ("columns", "kind"),
    [
        (["PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"], "QOF ACHIEVEMENT file"),
        (
            ["REGION_ODS_CODE", "PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"],
            "QOF ACHIEVEMENT file",
        ),
        (
            ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
            "QOF PREVALENCE file",
        ),
        (["Indicator ID", "Area Code", "Time period", "Value"], "Fingertips data export"),
        (
            ["practice_id", "indicator_id", "period", "numerator", "denominator"],
            "netcompare values table",
        ),
        (["a", "b"], None),
    ],
)
def test_file_kind(columns: list[str], kind: str | None) -> None:
    found = file_kind(columns)
    assert (found[0] if found else None) == kind


def test_left_out_frame_has_a_fixed_schema() -> None:
    report = ImportReport("t")
    assert report.left_out.schema == pl.Schema(
        {"file": pl.String(), "row": pl.Int64(), "what": pl.String(), "reason": pl.String()}
    )
    assert "left out: nothing" in str(report)
