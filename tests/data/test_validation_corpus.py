"""Every case of the bad-input corpus gives its clear message, names its row, and exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.data.problems import DataValidationError

CORPUS = Path(__file__).parent / "bad_inputs"
ROOT = Path(__file__).resolve().parents[2]
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "valid")


def expected(case: str) -> tuple[str, int | None]:
    words, row = (CORPUS / case / "expected.txt").read_text().splitlines()[:2]
    return words, int(row) if row.strip() else None


def run_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netcompare", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_corpus_has_one_case_per_rule() -> None:
    assert len(CASES) >= 31


def test_valid_case_passes() -> None:
    result = run_validate(CORPUS / "valid")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert "3 practices" in result.stdout


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_clear_message(case: str) -> None:
    words, row = expected(case)
    result = run_validate(CORPUS / case)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    if row is not None:
        assert f"row {row}:" in result.stderr
    # The message names the file it is about.
    assert str(CORPUS / case) in result.stderr


@pytest.mark.parametrize("case", CASES)
def test_library_raises_validation_error_naming_file(case: str) -> None:
    words, row = expected(case)
    with pytest.raises(DataValidationError) as info:
        load_dataset(CORPUS / case)
    matching = [p for p in info.value.errors if words in p.message]
    assert matching, [str(p) for p in info.value.errors]
    assert all(p.file.startswith(str(CORPUS / case)) for p in info.value.errors)
    if row is not None:
        assert any(p.row == row for p in matching)


def test_every_broken_row_is_reported_with_a_count_beyond_examples(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import VALID, write_case

    rows = [f"P1,MMR1,2024-{m:02d}-01,120,100,0" for m in range(1, 13)]
    header = VALID["values.csv"].splitlines()[0]
    write_case(tmp_path / "many", {"values.csv": header + "\n" + "\n".join(rows) + "\n"})
    with pytest.raises(DataValidationError) as info:
        load_dataset(tmp_path / "many")
    messages = [str(p) for p in info.value.errors]
    assert sum("numerator > denominator: P1" in m for m in messages) == 10
    assert any("2 more rows like this" in m for m in messages)


def test_unknown_columns_are_warned_not_dropped_silently(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import PRACTICES, write_case

    extra = PRACTICES.replace("share_name\n", "share_name,postcode\n", 1)
    extra = "\n".join(
        line if i == 0 else line + ",E1 1AA" for i, line in enumerate(extra.splitlines())
    )
    write_case(tmp_path / "extra", {"practices.csv": extra + "\n"})
    data = load_dataset(tmp_path / "extra")
    assert any("not used by netcompare: postcode" in p.message for p in data.warnings)


def test_warnings_for_missing_latest_period_and_small_denominators(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import VALUES_ROWS, values, write_case

    rows = [*VALUES_ROWS, "P1,MMR1,2024-02-01,3,5,0"]
    write_case(tmp_path / "warn", {"values.csv": values(*rows)})
    data = load_dataset(tmp_path / "warn")
    text = [p.message for p in data.warnings]
    assert any("P2 (Beta Practice) has no data in the latest period 2024-02-01" in t for t in text)
    assert any("denominator below 10" in t for t in text)


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import PRACTICES, write_case

    text = PRACTICES.replace("Beta Practice", "Béta Practice – Café")
    write_case(tmp_path / "cp1252", {"practices.csv": text.encode("cp1252")})
    data = load_dataset(tmp_path / "cp1252")
    assert "Béta Practice – Café" in data.practices.get_column("practice_name").to_list()
    [warning] = [p for p in data.warnings if "cp1252" in p.message]
    assert warning.file == str(tmp_path / "cp1252" / "practices.csv")
    assert warning.message.startswith("read as Windows-1252 (cp1252): not valid UTF-8")
    assert "line 3" in warning.message
    result = run_validate(tmp_path / "cp1252")
    assert result.returncode == 0
    assert "read as Windows-1252 (cp1252): not valid UTF-8" in result.stdout


def test_thousands_separators_are_read_with_a_warning(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import VALUES_ROWS, values, write_case

    rows = ['P1,MMR1,2024-01-01,"1,090","1,100",2', *VALUES_ROWS[1:]]
    write_case(tmp_path / "k", {"values.csv": values(*rows)})
    data = load_dataset(tmp_path / "k")
    first = data.values.filter(pl.col("practice_id") == "P1", pl.col("indicator_id") == "MMR1")
    assert first.select("numerator", "denominator").row(0) == (1090, 1100)
    messages = [p.message for p in data.warnings]
    assert any(
        "line 2: numerator '1,090' has a thousands separator: read as 1090" in m for m in messages
    )


def test_indicators_period_type_is_validated_and_kept(tmp_path: Path) -> None:
    from tests.data.make_bad_inputs import INDICATORS, write_case

    lines = INDICATORS.splitlines()
    typed = [lines[0] + ",period_type", lines[1] + ",financial_year", lines[2] + ","]
    write_case(tmp_path / "typed", {"indicators.csv": "\n".join(typed) + "\n"})
    data = load_dataset(tmp_path / "typed")
    assert dict(data.indicators.select("indicator_id", "period_type").rows()) == {
        "MMR1": "financial_year",
        "SMOKE": "month",  # blank: month
    }
    bad = [typed[0], typed[1].replace("financial_year", "fortnight"), typed[2]]
    write_case(tmp_path / "bad", {"indicators.csv": "\n".join(bad) + "\n"})
    with pytest.raises(DataValidationError) as info:
        load_dataset(tmp_path / "bad")
    [problem] = info.value.errors
    assert problem.row == 2 and "period_type must be one of month, quarter" in problem.message
    assert "MMR1: 'fortnight'" in problem.message


def test_without_period_type_every_indicator_is_monthly() -> None:
    data = load_dataset(CORPUS / "valid")
    assert data.indicators.get_column("period_type").to_list() == ["month", "month"]
