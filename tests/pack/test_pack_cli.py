"""The meeting pack of every sample network, made from the command line and read back: its
PDF's text (pdftotext), its pages as images (pdftoppm), its HTML file's tables and references."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.notes.store import open_notes_store
from netcompare.pack.build import default_indicators
from netcompare.views.common import ViewOptions
from netcompare.views.league import league_table
from netcompare.views.notes import improvers_view, significantly_better
from tests.pack.helpers import (
    SAMPLE,
    html_svgs,
    pdf_pages,
    pdf_text,
    read_html,
    run_cli,
)

PERIOD = "2026-09"
NETWORKS = pl.read_csv(SAMPLE / "networks.csv").get_column("network_id").to_list()
A4 = 297 / 210


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


@dataclass(frozen=True)
class Made:
    network_id: str
    pdf: Path
    html: Path
    stdout: str
    indicator_ids: tuple[str, ...]
    open_question: str
    answered_question: str
    what_we_do: tuple[str, ...]
    text: str
    html_text: str


def _seed(db_url: str, sample, network_id: str) -> tuple[str, str, tuple[str, ...]]:
    """An open question, an answered one, and "what we do" notes of the practices doing well
    on the pack's first indicator."""
    period = sample.latest_period
    members = (
        sample.practices.filter(pl.col("network_id") == network_id)
        .sort("practice_id")
        .get_column("practice_id")
        .to_list()
    )
    network_of = dict(sample.practices.select("practice_id", "network_id").iter_rows())
    first = default_indicators(sample, network_id, period, ViewOptions(network_id=network_id))[0][0]
    options = ViewOptions(network_id=network_id)
    focus = significantly_better(sample, first, period, options).practice_ids[:10]
    improvers = improvers_view(sample, first, period, options).practice_ids
    focus += [p for p in improvers if p not in focus]
    store = open_notes_store(db_url, seed=False)
    try:
        open_q = f"How do you book the {network_id} recall clinics on Saturdays?"
        store.ask_question(
            practice_id=members[0], network_id=network_id, body=open_q, author="Dr Ada Quill"
        )
        answered = f"Who runs the {network_id} diabetes group sessions?"
        q = store.ask_question(
            practice_id=members[-1], network_id=network_id, body=answered, author="Nurse Bo Lea"
        )
        store.answer_question(q.note_uid, body="Our health coach, every Tuesday.", author="Cy Dee")
        store.add_action(
            network_id=network_id,
            body=f"{network_id}: phone defaulters",
            author="Learning set",
            owner=f"{network_id} lead",
            due_date="2026-06-30",
            indicator_id=first,
            intervention_date="2025-10-15",
            status="done",
        )
        store.add_action(
            network_id=network_id,
            body=f"{network_id}: share the script",
            author="Learning set",
            owner="Practice nurse",
            due_date="2026-08-31",
            practice_ids=[members[0]],
            indicator_id=first,
        )
        bodies = []
        for pid in focus[:3]:
            body = f"What we do at {pid}: a named nurse phones everyone overdue each Friday."
            store.add_note(
                practice_id=pid,
                network_id=network_of[pid],
                body=body,
                author="Practice manager",
                indicator_id=first,
            )
            bodies.append(body)
    finally:
        store.close()
    return open_q, answered, tuple(bodies)


@pytest.fixture(scope="module", params=NETWORKS, ids=NETWORKS)
def made(request, tmp_path_factory, sample) -> Made:
    """The pack of one sample network (PDF and HTML), from the CLI, with a few notes."""
    network_id = request.param
    tmp = tmp_path_factory.mktemp(f"pack-{network_id}")
    db_url = f"sqlite:///{tmp / 'notes.db'}"
    open_q, answered, bodies = _seed(db_url, sample, network_id)
    pdf, html = tmp / "pack.pdf", tmp / "pack.html"
    result = run_cli(
        "pack",
        "--data",
        "sample",
        "--network",
        network_id,
        "--period",
        PERIOD,
        "--out",
        str(pdf),
        "--html",
        str(html),
        db_url=db_url,
    )
    assert result.returncode == 0, result.stderr
    shown = re.search(r"indicators (.+?); wrote", result.stdout).group(1)
    return Made(
        network_id=network_id,
        pdf=pdf,
        html=html,
        stdout=result.stdout,
        indicator_ids=tuple(shown.split(", ")),
        open_question=open_q,
        answered_question=answered,
        what_we_do=bodies,
        text=pdf_text(pdf),
        html_text=html.read_text(encoding="utf-8"),
    )


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_pack_names_the_network_and_every_practice(made: Made, sample) -> None:
    name = sample.networks.filter(pl.col("network_id") == made.network_id)["network_name"].item()
    practices = sample.practices.filter(pl.col("network_id") == made.network_id)
    assert f"Meeting pack: {name}" in made.text
    doc_text = _flat(" ".join(read_html(made.html_text).text))
    for practice in practices.get_column("practice_name"):
        assert practice in made.text, practice
        assert practice in doc_text, practice
    assert name in doc_text
    # the default indicators: at most six, each said why
    assert 1 <= len(made.indicator_ids) <= 6
    assert "Why it is here: network" in made.text


def test_one_league_table_has_the_league_views_numbers(made: Made, sample) -> None:
    indicator_id = made.indicator_ids[0]
    league = league_table(
        sample, indicator_id, sample.latest_period, ViewOptions(network_id=made.network_id)
    )
    mine = league.table.filter(pl.col("network_id") == made.network_id)
    assert mine.height >= 2
    tables = [t for t in read_html(made.html_text).tables if "Numerator" in t["head"]]
    html_rows = {
        tuple(c for c, _ in row) for t in tables for row in t["rows"]
    }  # every league row of the HTML file
    for r in mine.iter_rows(named=True):
        numbers = rf"{r['numerator']:,}\s+{r['denominator']:,}\s+{r['value'] * 100:.1f}%"
        assert re.search(numbers, made.text), (r["label"], numbers)
        ci = f"{r['ci95_lower'] * 100:.1f}–{r['ci95_upper'] * 100:.1f}"
        assert ci in made.text
        assert any(
            row[1] == r["label"]
            and row[2] == f"{r['numerator']:,}"
            and row[3] == f"{r['denominator']:,}"
            and row[4] == f"{r['value'] * 100:.1f}%"
            and row[5] == ci
            for row in html_rows
        ), r["label"]


def test_the_notes_shown_are_the_open_questions_and_what_they_do(made: Made) -> None:
    flat, html = _flat(made.text), made.html_text
    assert made.open_question in flat
    assert made.open_question in html
    assert made.answered_question not in flat  # answered: not an open question
    assert made.what_we_do, "the first indicator has practices doing well"
    for body in made.what_we_do:
        assert body in flat, body
        assert body in html
    assert "Dr Ada Quill" in flat  # who asked


def test_the_actions_are_shown_with_status_and_did_it_work(made: Made) -> None:
    flat, html = _flat(made.text), made.html_text
    actions = flat[flat.index("Actions 2 actions") :]
    for words in (
        f"{made.network_id}: phone defaulters",
        f"{made.network_id}: share the script",
        f"{made.network_id} lead",
        "Done",
    ):
        assert words in actions, words
        assert words in html, words
    assert "not started: nothing to judge yet" in html
    assert re.search(r"not started: nothing to.{0,80}judge yet", actions)
    # due 31 Aug 2026, still open (the PDF wraps the words in its narrow status column)
    assert "Open — overdue" in html
    assert re.search(r"Open —.{0,80}overdue", actions)
    # the network-wide action is judged on the network's series, on its SPC chart too
    assert "Since “" in actions
    assert "Did it work? Since “" in flat


def test_every_page_renders_as_an_a4_image(made: Made, tmp_path: Path) -> None:
    pages = pdf_pages(made.pdf)
    assert pages >= 5
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(made.pdf), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    from PIL import Image

    for image in images:
        assert image.stat().st_size > 500
        with Image.open(image) as im:
            width, height = im.size
            assert abs(height / width - A4) < 0.03, image.name
            assert im.convert("L").getextrema()[0] < 100, f"{image.name} is blank"


def test_the_html_file_refers_to_nothing_outside_itself(made: Made) -> None:
    doc = read_html(made.html_text)
    assert doc.images, "the charts are in the file"
    for attribute, value in doc.refs:
        assert value.startswith(("data:", "#")), (attribute, value[:80])
        assert "http" not in value.split(",", 1)[0], value[:80]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", made.html_text)
    assert "@import" not in made.html_text and "url(" not in made.html_text
    for svg in html_svgs(made.html_text):
        assert not re.search(r"""(xlink:)?href\s*=\s*["']https?:""", svg)
    assert len(html_svgs(made.html_text)) == len(doc.images)


def test_a_footer_on_every_page_names_the_network_and_period(made: Made, sample) -> None:
    name = sample.networks.filter(pl.col("network_id") == made.network_id)["network_name"].item()
    pages = pdf_pages(made.pdf)
    footers = re.findall(rf"{re.escape(name)} · Sep 2026\s+Page (\d+) of (\d+)", made.text)
    assert [int(p) for p, _ in footers] == list(range(1, pages + 1))
    assert {int(n) for _, n in footers} == {pages}


def test_an_indicator_chosen_by_hand_is_the_only_one(tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = run_cli(
        "pack",
        "--data",
        str(SAMPLE),
        "--network",
        "N2",
        "--period",
        "2026-09-01",
        "--out",
        str(out),
        "--indicators",
        "DM_HBA1C",
        db_url=f"sqlite:///{tmp_path / 'notes.db'}",
    )
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "Why it is here: chosen for this meeting" in text
    assert text.count("Why it is here:") == 1
    assert "Diabetes: HbA1c <=58 mmol/mol" in text


def test_today_is_the_date_on_the_cover(made: Made) -> None:
    assert f"Prepared {dt.date.today():%d %B %Y}" in made.text
