"""The Networks page's "Meeting pack" section in AppTest: the lead picks indicators, presses
the button, and downloads the PDF and the HTML file, with the network's notes in them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from netcompare.data.load import load_dataset
from netcompare.notes import open_notes_store
from netcompare.pack.build import default_indicators
from netcompare.views.common import ViewOptions
from tests.app.apptest_reading import no_exception
from tests.app.conftest import APP
from tests.pack.helpers import SAMPLE, pdf_text, read_html

NETWORKS = "pages/networks.py"
QUESTION = "How do you fit the Saturday MMR clinic around the nurses' rota?"


def networks_page(network: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(
        {"data": "sample", "network": network, "indicator": "IMM_MMR1", "period": "2026-09"}
    )
    at.run()
    no_exception(at)
    at.switch_page(NETWORKS).run()
    no_exception(at)
    return at


def picks(at: AppTest):
    found = [m for m in at.multiselect if m.label == "Indicators in the pack"]
    assert len(found) == 1
    return found[0]


def test_a_lead_picks_indicators_and_downloads_the_pack(
    downloads: dict[str, bytes], tmp_path: Path
) -> None:
    store = open_notes_store(os.environ["NETCOMPARE_DB_URL"], seed=False)
    try:
        store.ask_question(practice_id="P002", network_id="N1", body=QUESTION, author="Dr Quill")
    finally:
        store.close()
    at = networks_page("N1")
    sample = load_dataset(SAMPLE)
    expected = [i for i, _ in default_indicators(sample, "N1", sample.latest_period, ViewOptions())]
    assert picks(at).value == expected  # the default: below target or a signal
    assert not [b for b in at.button if b.key == "pack_make" and b.disabled]
    assert not [f for f in downloads if f.startswith("meeting-pack")]  # nothing made yet

    picks(at).set_value(["CVD_MI_REVIEW", "IMM_MMR1"]).run()
    no_exception(at)
    assert not [f for f in downloads if f.startswith("meeting-pack")]  # only on the click
    at.button(key="pack_make").click().run()
    no_exception(at)
    assert any("2 indicators" in s.value for s in at.success)
    pdf = downloads["meeting-pack-N1-2026-09.pdf"]
    page = downloads["meeting-pack-N1-2026-09.html"].decode("utf-8")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "pack.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "pack.pdf"))
    assert "Meeting pack: Limekiln Fields" in text
    assert text.count("Why it is here: chosen for this meeting") == 2
    assert "MI reviewed <3 weeks after discharge" in text
    assert QUESTION in text
    assert "Maltings Practice" in text
    assert "Limekiln Fields" in " ".join(read_html(page).text)

    # the anonymised pack: a new choice, made again on the click, with no name and no note
    at.checkbox(key="pack_anonymise").check().run()
    no_exception(at)
    assert not at.success  # the files shown were for the other choice
    at.button(key="pack_make").click().run()
    no_exception(at)
    anon = downloads["meeting-pack-N1-2026-09-anonymised.pdf"]
    (tmp_path / "anon.pdf").write_bytes(anon)
    anon_text = re.sub(r"\s+", " ", pdf_text(tmp_path / "anon.pdf"))
    assert "Maltings Practice" not in anon_text
    assert QUESTION not in anon_text
    assert "Counts 1–4 shown as <5" in anon_text


def test_all_networks_asks_for_one() -> None:
    at = networks_page("all")
    assert any(
        "Choose a network in the sidebar to make its meeting pack" in i.value for i in at.info
    )
    assert not [b for b in at.button if b.key == "pack_make"]
