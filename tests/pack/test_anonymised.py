"""The anonymised pack, for outside the network: no practice name (shared or not), no code, no
note, and no count of 1-4 patients anywhere; the suppression rule printed on it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.notes.store import open_notes_store
from netcompare.pack.suppress import RULE_WORDS
from tests.pack.helpers import (
    SAMPLE,
    count_cells_in_pdf,
    html_count_cells,
    html_svgs,
    pdf_text,
    read_html,
    run_cli,
)

# N7 has the practice that does not share its name (P029); both have MI-review counts of 1-4.
ANONYMISED = ["N7", "N1"]
INDICATORS = ["CVD_MI_REVIEW", "IMM_MMR1"]
NOTE_BODY = "At Pepper Street Surgery our nurse Jo Bloggs calls every family"
AUTHOR = "Dr Named Author"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


@dataclass(frozen=True)
class Anon:
    network_id: str
    pdf: Path
    text: str
    page: str
    everything: str  # HTML, its decoded SVG charts and the PDF's text


@pytest.fixture(scope="module", params=ANONYMISED, ids=ANONYMISED)
def anon(request, tmp_path_factory, sample) -> Anon:
    network_id = request.param
    tmp = tmp_path_factory.mktemp(f"anon-{network_id}")
    db_url = f"sqlite:///{tmp / 'notes.db'}"
    store = open_notes_store(db_url, seed=False)
    try:
        for pid in sample.practices.filter(pl.col("network_id") == network_id)["practice_id"]:
            store.add_note(
                practice_id=pid,
                network_id=network_id,
                body=NOTE_BODY,
                author=AUTHOR,
                indicator_id="CVD_MI_REVIEW",
            )
            store.ask_question(
                practice_id=pid, network_id=network_id, body=NOTE_BODY + "?", author=AUTHOR
            )
    finally:
        store.close()
    pdf, html = tmp / "anon.pdf", tmp / "anon.page"
    result = run_cli(
        "pack",
        "--data",
        "sample",
        "--network",
        network_id,
        "--period",
        "2026-09",
        "--out",
        str(pdf),
        "--html",
        str(html),
        "--anonymise",
        "--indicators",
        *INDICATORS,
        db_url=db_url,
    )
    assert result.returncode == 0, result.stderr
    text = pdf_text(pdf)
    page = html.read_text(encoding="utf-8")
    return Anon(network_id, pdf, text, page, "\n".join([page, *html_svgs(page), text]))


def test_no_practice_name_or_code_appears(anon: Anon, sample) -> None:
    flat = re.sub(r"\s+", " ", anon.everything)
    for name in sample.practices.get_column("practice_name"):
        assert name not in flat, name
    # and no word of the opted-out practice's name that no other practice has
    assert "Pepper Street Surgery" not in flat
    for code in sample.practices.get_column("practice_id"):
        assert not re.search(rf"\b{code}\b", anon.everything), code
    assert "Practice A" in anon.text  # practices are letters


def test_no_note_and_no_author_appears(anon: Anon) -> None:
    flat = re.sub(r"\s+", " ", anon.everything)
    assert "Jo Bloggs" not in flat
    assert AUTHOR not in flat
    assert "left out of this anonymised pack" in flat


def test_the_rule_is_printed(anon: Anon) -> None:
    assert re.sub(r"\s+", " ", RULE_WORDS) in re.sub(r"\s+", " ", anon.text)
    assert html.escape(RULE_WORDS) in anon.page


def _is_small(cell: str) -> bool:
    return cell.replace(",", "").isdigit() and 1 <= int(cell.replace(",", "")) <= 4


def test_no_count_below_five_in_the_pdf(anon: Anon, sample) -> None:
    cells = count_cells_in_pdf(anon.pdf)
    texts = [c.text for c in cells]
    assert len(texts) >= 2 * 2 * 4, texts  # two league tables, two count columns
    assert not [t for t in texts if _is_small(t)], texts
    assert "<5" in texts  # the data has small counts here, so the rule did something
    # each small real count is shown as <5 with its row's other values suppressed
    assert re.search(r"<5\s+\*\s+\*\s+\*|\*\s+<5\s+\*\s+\*|<5\s+<5\s+\*\s+\*", anon.text)


def test_no_count_below_five_in_the_html(anon: Anon) -> None:
    cells = html_count_cells(anon.page)
    assert len(cells) >= 2 * 2 * 4
    assert not [c for c in cells if _is_small(c)], cells
    assert "&lt;5" in anon.page and "<5" in cells


def test_no_small_count_in_any_table_row_of_the_html(anon: Anon) -> None:
    """Beyond the count columns: a table cell that is a bare number of 1-4 is a count only in
    the 'Targets met per practice' table (indicators, not patients) and in ranks."""
    doc = read_html(anon.page)
    for table in doc.tables:
        head = table["head"]
        if not any(h in head for h in ("Numerator", "Denominator")):
            continue
        for row in table["rows"]:
            cells = dict(zip(head, (c for c, _ in row), strict=True))
            for column in ("Numerator", "Denominator"):
                assert not _is_small(cells[column]), cells
            num, den = (cells[c].replace(",", "") for c in ("Numerator", "Denominator"))
            if num.isdigit() and den.isdigit():
                # nor a small count by subtraction: the patients not in the numerator
                assert not 1 <= int(den) - int(num) <= 4, cells
            if "<5" in (cells["Numerator"], cells["Denominator"]):
                # the rate, interval and everything read from them suppressed
                assert cells["Value"] == cells["95% CI (%)"] == cells["RAG"] == "*"
                assert cells["Rank (95% interval)"] == "*"


def test_suppressed_practices_are_left_out_of_the_charts_and_said(anon: Anon) -> None:
    flat = re.sub(r"\s+", " ", anon.text)
    assert "left out of the funnel plot" in flat
    assert "left out of the bar chart" in flat
    assert "cells suppressed (small numbers)" in flat
