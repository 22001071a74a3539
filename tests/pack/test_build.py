"""build_pack, pack_pdf and pack_html from Python: the default indicators, interventions on the
SPC chart, the suppression rule, text the font lacks, hostile text, the fonts shipped."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.errors import UserError
from netcompare.notes.note import Note
from netcompare.pack import build_pack, pack_html, pack_pdf
from netcompare.pack.build import MAX_DEFAULT_INDICATORS, default_indicators, flagged_indicators
from netcompare.pack.model import Figure, Paragraph, Table
from netcompare.pack.pdf import REPLACEMENT, printable
from netcompare.pack.render import FONT_DIR
from netcompare.pack.suppress import DEFAULT_RULE, SuppressionRule
from netcompare.views.common import ViewOptions
from netcompare.views.networks import network_summary
from netcompare.views.trends import trend_view
from tests.hostile import write_hostile_dataset
from tests.pack.helpers import SAMPLE, html_svgs, pdf_text, read_html

NOW = dt.datetime(2026, 9, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def note(**fields) -> Note:
    base = dict(
        note_uid=fields.pop("note_uid", "n-1"),
        practice_id=None,
        network_id="N1",
        kind="action",
        body="Recall change: phone every defaulter on Fridays",
        author="N1 learning set",
        created_at=NOW,
        updated_at=NOW,
    )
    return Note(**{**base, **fields})


# --- the default indicators ------------------------------------------------------------------


def test_the_default_indicators_follow_the_rule(sample) -> None:
    period = sample.latest_period
    options = ViewOptions(network_id="N4")
    expected = set()
    for indicator_id in sample.indicators["indicator_id"]:
        mine = network_summary(sample, indicator_id, period, options).networks.filter(
            pl.col("network_id") == "N4"
        )
        below = mine.height and mine["meets"].item(0) is False
        icon = trend_view(sample, indicator_id, options, practice_id=None, until=period)
        if below or icon.summary.variation_icon != "common_cause":
            expected.add(indicator_id)
    flagged = flagged_indicators(sample, "N4", period, options)
    assert {i for i, _ in flagged} == expected
    chosen = default_indicators(sample, "N4", period, options)
    assert chosen == flagged[:MAX_DEFAULT_INDICATORS]
    # below the target comes first, the largest shortfall first
    below = [i for i, why in flagged if "below the network target" in why]
    assert [i for i, _ in flagged[: len(below)]] == below


def test_unknown_network_period_and_indicator_are_named(sample) -> None:
    options = ViewOptions()
    with pytest.raises(UserError, match="unknown network 'N99'"):
        build_pack(sample, "N99", sample.latest_period, options)
    with pytest.raises(UserError, match="no data for period 2031-01-01"):
        build_pack(sample, "N1", dt.date(2031, 1, 1), options)
    with pytest.raises(UserError, match="unknown indicator 'NOPE'"):
        build_pack(sample, "N1", sample.latest_period, options, indicators=["NOPE"])


# --- interventions and "did it work?" ------------------------------------------------------------


def test_a_network_wide_action_is_drawn_on_the_network_spc_with_its_verdict(sample) -> None:
    action = note(
        indicator_id="DM_CAREPLAN",
        owner="N1 clinical director",
        due_date=dt.date(2025, 6, 30),
        status="done",
        intervention_date=dt.date(2025, 3, 15),
    )
    other = note(
        note_uid="n-2",
        network_id="N2",
        indicator_id="DM_CAREPLAN",
        body="Another network's change",
        owner="x",
        due_date=dt.date(2025, 6, 30),
        status="open",
        intervention_date=dt.date(2025, 3, 15),
    )
    pack = build_pack(
        sample,
        "N1",
        sample.latest_period,
        ViewOptions(),
        indicators=["DM_CAREPLAN"],
        notes=[action, other],
    )
    spc = next(f for f in pack.figures() if "SPC:" in json.dumps(f.spec.get("title", "")))
    spec = json.dumps(spc.spec, ensure_ascii=False)
    assert "Recall change: phone every…" in spec
    assert "Another network" not in spec
    words = [p.text for s in pack.sections for p in s.blocks if isinstance(p, Paragraph)]
    verdict = [w for w in words if w.startswith("Did it work? Since “Recall change")]
    assert len(verdict) == 1 and "in Mar 2025" in verdict[0]
    actions = next(t for t in pack.tables() if "Did it work?" in t.columns)
    assert actions.column("Did it work?")[0].startswith("Since “Recall change")
    assert actions.column("Status") == ["Done"]


def test_an_action_for_a_practice_is_judged_on_that_practice(sample) -> None:
    action = note(
        practice_id="P002",
        practice_ids=("P002",),
        indicator_id="IMM_MMR1",
        owner="Practice nurse",
        due_date=dt.date(2026, 1, 31),
        status="open",
        intervention_date=dt.date(2026, 6, 1),
    )
    pack = build_pack(
        sample,
        "N1",
        sample.latest_period,
        ViewOptions(),
        indicators=["IMM_MMR1"],
        notes=[action],
        today=dt.date(2026, 10, 1),
    )
    actions = next(t for t in pack.tables() if "Did it work?" in t.columns)
    assert actions.column("Status") == ["Open — overdue"]
    verdict = actions.column("Did it work?")[0]
    assert verdict.startswith("Maltings Practice: Since “Recall change")
    assert "in Jun 2026" in verdict and "4 points since" in verdict, verdict


# --- the suppression rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (0, 0, ("0", "0")),
        (0, 12, ("0", "12")),
        (5, 5, ("5", "5")),
        (3, 40, ("<5", "*")),
        (4, 4, ("<5", "<5")),
        (0, 3, ("*", "<5")),
        (1234, 5678, ("1,234", "5,678")),
        (None, None, ("–", "–")),
    ],
)
def test_the_rule_shows_small_counts_as_under_five(numerator, denominator, shown) -> None:
    assert DEFAULT_RULE.counts_text(numerator, denominator) == shown
    small = any(c is not None and 1 <= c <= 4 for c in (numerator, denominator))
    assert DEFAULT_RULE.applies(numerator, denominator) is small


def test_a_stricter_rule_can_be_named(sample) -> None:
    rule = SuppressionRule(high=9, shown_as="<10", name="Counts 1–9", words="Counts 1–9 hidden.")
    pack = build_pack(
        sample,
        "N6",
        sample.latest_period,
        ViewOptions(),
        indicators=["CVD_MI_REVIEW"],
        anonymise=True,
        rule=rule,
    )
    assert pack.suppression_rule == "Counts 1–9: Counts 1–9 hidden."
    league = next(t for t in pack.tables() if "Numerator" in t.columns)
    for column in ("Numerator", "Denominator"):
        for cell in league.column(column):
            assert not (cell.isdigit() and 1 <= int(cell) <= 9), cell
    assert "<10" in league.column("Numerator")


def test_the_anonymised_pack_has_no_name_in_any_block_or_chart_data(sample) -> None:
    pack = build_pack(
        sample,
        "N7",
        sample.latest_period,
        ViewOptions(),
        indicators=["CVD_MI_REVIEW", "DM_RETINAL"],
        anonymise=True,
        notes=[
            note(
                network_id="N7",
                body="Pepper Street Surgery does it",
                owner="x",
                due_date=dt.date(2026, 1, 1),
                status="open",
            )
        ],
    )
    names = set(sample.practices["practice_name"])
    assert set(pack.withheld_names) == names
    texts = []
    for block in pack.blocks():
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, Table):
            texts += [*block.columns, *(c for row in block.rows for c in row)]
            texts += [block.caption or ""]
        elif isinstance(block, Figure):
            texts.append(json.dumps(block.spec, ensure_ascii=False))
    everything = "\n".join(texts)
    assert not [n for n in names if n in everything]
    assert "Pepper Street Surgery" not in everything
    assert "1 actions agreed by the network: 1 open" in everything


# --- text the font lacks, and hostile text -------------------------------------------------------


def test_characters_the_font_lacks_become_a_replacement_mark(sample, tmp_path: Path) -> None:
    assert printable("MMR ✔ ▲ ✖ ◆ ↑ → Σ φ τ² é ß ł") == "MMR ✔ ▲ ✖ ◆ ↑ → Σ φ τ² é ß ł"
    assert printable("call 🙂 them 你好") == f"call {REPLACEMENT} them {REPLACEMENT}{REPLACEMENT}"
    assert printable("a\u202eb\x07c\td") == "abc d"
    body = "Ring 🙂 every family; 你好; \u202eLLIH; Zoë's list"
    question = note(
        kind="question",
        practice_id="P001",
        body=body,
        author="Dr 🙂 Emoji",
        note_uid="q-1",
    )
    pack = build_pack(
        sample, "N1", sample.latest_period, ViewOptions(), indicators=["IMM_MMR1"], notes=[question]
    )
    out = tmp_path / "pack.pdf"
    out.write_bytes(pack_pdf(pack))
    text = re.sub(r"\s+", " ", pdf_text(out))
    assert f"Ring {REPLACEMENT} every family; {REPLACEMENT}{REPLACEMENT}; LLIH; Zoë's list" in text
    page = pack_html(pack)
    assert "Ring 🙂 every family; 你好; LLIH; Zoë&#x27;s list" in page
    assert "\u202e" not in page


def test_hostile_names_and_notes_are_text_in_the_html(tmp_path: Path) -> None:
    data = load_dataset(write_hostile_dataset(tmp_path / "hostile"))
    hostile_note = note(
        kind="question",
        practice_id="P001",
        body='<script>alert(1)</script><img src="http://127.0.0.1:9/x.png">',
        author="<b>bold</b>",
        note_uid="q-2",
    )
    pack = build_pack(
        data,
        "N1",
        data.latest_period,
        ViewOptions(),
        indicators=[data.indicators["indicator_id"].item(0)],
        notes=[hostile_note],
    )
    page = pack_html(pack)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    refs = read_html(page).refs
    assert refs and all(value.startswith(("data:", "#")) for _, value in refs), refs[:3]
    assert "<b>bold</b>" not in page
    name = data.networks.filter(pl.col("network_id") == "N1")["network_name"].item()
    assert html.escape(name) in page
    for svg in html_svgs(page):
        assert "<script" not in svg and "<img" not in svg
    pack_pdf(pack)  # draws without error


# --- the fonts ship with the package ------------------------------------------------------------


def test_the_fonts_and_their_licence_are_in_the_package() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert (FONT_DIR / name).stat().st_size > 500_000
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "fonts-dejavu-core" in (FONT_DIR / "README.md").read_text(encoding="utf-8")
