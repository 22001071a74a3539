"""The Peer notes page in AppTest, on the sample data with a temporary notes database.

The expected "significantly better" practices are computed here straight from the statistics
core (``compare_units`` on the sample counts), not from the page's own view function.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.load import load_dataset
from netcompare.notes import Note, NotesRepository, open_notes_store
from netcompare.stats.compare import compare_units

from .conftest import APP, ROOT

NOTES_PAGE = "pages/notes.py"
LEAGUE_PAGE = "pages/league.py"
INDICATOR = "DM_CAREPLAN"  # a practice outside the funnel limits on the good side (P007)


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ROOT / "sample_data")


@pytest.fixture
def store() -> Iterator[NotesRepository]:
    """The (empty, unseeded) store the app will open: the conftest's temporary SQLite file."""
    repo = open_notes_store(os.environ["NETCOMPARE_DB_URL"], seed=False)
    yield repo
    repo.close()


def notes_page(indicator: str | None = INDICATOR) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    if indicator is not None:
        at.selectbox(key="indicator").set_value(indicator).run()
    at.switch_page(NOTES_PAGE).run()
    assert not at.exception, at.exception
    # app.py ran too (the shared sidebar is there), so the page shows this run's view
    assert at.selectbox(key="indicator").value == (indicator or "IMM_MMR1")
    return at


def texts(at: AppTest) -> list[str]:
    """Everything shown with st.text: note bodies (the helpers never render them as Markdown)."""
    return [t.value for t in at.text]


def table_with(at: AppTest, column: str):
    """The one table on the page with this column (AppTest does not expose table keys)."""
    [table] = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def expected_better(sample, indicator: str) -> list[str]:
    """Names of the practices outside the funnel plot's 95% limits on the good side around the
    pooled average of all practices (the verdict every page gives), ranked, straight from
    compare_units."""
    row = sample.indicator(indicator)
    period = sample.periods(indicator)[-1]
    counts = sample.slice(indicator, period).filter(pl.col("denominator") > 0)
    stats, summary = compare_units(
        counts.select(pl.col("practice_id").alias("unit"), "numerator", "denominator"),
        polarity=row.polarity,
        target=row.target,
        amber=row.amber_threshold,
        ranks=False,
    )
    pooled = counts["numerator"].sum() / counts["denominator"].sum()
    assert summary.benchmark == pytest.approx(pooled)
    better = (
        stats.filter(pl.col("outlier95") == ("high" if row.polarity != "low" else "low"))
        .sort("rank", "unit")
        .join(sample.practices, left_on="unit", right_on="practice_id", maintain_order="left")
    )
    assert better["share_name"].all(), "a practice that hides its name: labels would differ"
    return better["practice_name"].to_list()


def league_counts(at: AppTest) -> dict[str, int]:
    at.switch_page(LEAGUE_PAGE).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="indicator").value == INDICATOR
    assert at.title[0].value == "League table: Diabetes care plan in 12 months"
    table = at.dataframe[0].value
    return dict(zip(table["Practice"], table["Notes"], strict=True))


def practice_name(sample, practice_id: str) -> str:
    return sample.practices.filter(pl.col("practice_id") == practice_id)["practice_name"].item()


def add_seed_notes(store: NotesRepository) -> dict[str, Note]:
    """Three notes about indicators other than the page's default, in different networks."""
    return {
        "careplan": store.add_note(
            practice_id="P007",
            network_id="N2",
            indicator_id="DM_CAREPLAN",
            body="Care plans are written in the annual review clinic, not after it.",
            author="Diabetes nurse, P007",
            tags=["template"],
        ),
        "copd": store.add_note(
            practice_id="P012",
            network_id="N3",
            indicator_id="COPD_REVIEW",
            body="A COPD review template with the care plan built in.",
            author="Dr Ade, P012",
            tags=["template", "mdt"],
        ),
        "statin": store.add_note(
            practice_id="P003",
            network_id="N1",
            indicator_id="CVD_STATIN",
            body="Pharmacist runs a monthly statin search.",
            author="Practice pharmacist, P003",
            tags=["workforce"],
        ),
    }


# -- the page ---------------------------------------------------------------------------------


def test_page_runs_on_the_default_view(store: NotesRepository) -> None:
    at = notes_page(indicator=None)
    headers = [h.value for h in at.header]
    assert headers[0].startswith("MMR1 by 24 months")
    assert "Add a note or ask a question" in headers and "All notes" in headers
    assert [s.value for s in at.subheader][:2] == [
        "Doing significantly better than the benchmark",
        "Most improved over the last 12 months",
    ]


def test_the_first_period_has_nothing_to_compare_with(sample, store) -> None:
    at = notes_page()
    first = sample.periods(INDICATOR)[0]
    at.selectbox(key="period").set_value(first.isoformat()).run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown]
    assert any(m.startswith("No earlier period within the 12 months") for m in shown)
    assert not [d for d in at.dataframe if "Change (pts)" in d.value.columns]


def test_shows_the_practices_significantly_better_than_all_practices(sample, store) -> None:
    expected = expected_better(sample, INDICATOR)
    assert len(expected) >= 1
    at = notes_page()
    table = table_with(at, "vs benchmark")
    assert table["Practice"].to_list() == expected
    assert set(table["vs benchmark"]) <= {
        "▲▲ better (outside 99.8% limits)",
        "▲ better (outside 95% limits)",
    }
    caption = " ".join(c.value for c in at.caption)
    assert "Benchmark: all practices average" in caption
    # each is listed with its notes under "What they do": none yet, so named in one line
    [silent] = [c.value for c in at.caption if c.value.startswith("No notes yet from")]
    assert all(name in silent for name in expected[:10])
    # no practice's notes to expand (the only expander: the actions form)
    assert [e.label for e in at.expander] == ["Add an action"]


def test_most_improved_are_ranked_by_change_since_twelve_months_earlier(sample, store) -> None:
    at = notes_page()
    period = sample.periods(INDICATOR)[-1]
    before = period.replace(year=period.year - 1)
    now = sample.slice(INDICATOR, period).select(
        "practice_id", (pl.col("numerator") / pl.col("denominator")).alias("now")
    )
    then = sample.slice(INDICATOR, before).select(
        "practice_id", (pl.col("numerator") / pl.col("denominator")).alias("then")
    )
    change = (
        now.join(then, on="practice_id")
        .with_columns((pl.col("now") - pl.col("then")).alias("change"))
        .filter(pl.col("change") > 0)
        .sort(["change", "practice_id"], descending=[True, False])
        .head(5)
        .join(sample.practices, on="practice_id", maintain_order="left")
    )
    table = table_with(at, "Change (pts)")
    assert table["Practice"].to_list() == change["practice_name"].to_list()
    assert table["Change (pts)"].to_list() == pytest.approx((change["change"] * 100).to_list())


def test_add_a_note_it_shows_in_the_list_and_on_the_league_table(sample, store) -> None:
    target = "P007"
    name = practice_name(sample, target)
    assert name in expected_better(sample, INDICATOR)
    at = notes_page()
    assert league_counts(at)[name] == 0
    at.switch_page(NOTES_PAGE).run()

    body = "Care plans are agreed in the review; the HCA books the follow-up before they leave."
    at.selectbox(key="notes_add_practice").set_value(target).run()
    at.text_area(key="notes_form_page_body").input(body)
    at.text_input(key="notes_form_page_author").input("Nurse lead, Mariners")
    at.text_input(key="notes_form_page_tags").input("recall, template")
    [save] = [b for b in at.button if b.label == "Save note"]
    save.click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success)

    stored = store.list_notes(practice_ids=[target])
    assert [n.body for n in stored] == [body]
    assert stored[0].indicator_id == INDICATOR and stored[0].network_id == "N2"
    assert stored[0].tags == ("recall", "template")
    assert texts(at).count(body) == 2  # under "What they do" and in "All notes"
    assert any(e.label == f"{name} · Canal Basin · notes: 1" for e in at.expander)
    assert table_with(at, "vs benchmark").set_index("Practice").loc[name, "Notes"] == 1

    counts = league_counts(at)
    assert counts[name] == 1
    assert sum(counts.values()) == 1


def test_a_general_note_is_not_tied_to_the_indicator(store) -> None:
    at = notes_page()
    at.selectbox(key="notes_add_practice").set_value("P010").run()
    at.radio(key="notes_add_about").set_value("general").run()
    at.text_area(key="notes_form_page_body").input("We text every patient the week before.")
    at.text_input(key="notes_form_page_author").input("Practice manager")
    [save] = [b for b in at.button if b.label == "Save note"]
    save.click().run()
    [note] = store.list_notes(practice_ids=["P010"])
    assert note.indicator_id is None and note.period is None


def test_an_empty_note_is_not_saved_and_says_why(store) -> None:
    at = notes_page()
    at.text_input(key="notes_form_page_author").input("Someone")
    [save] = [b for b in at.button if b.label == "Save note"]
    save.click().run()
    assert not at.exception
    assert at.error and "Not saved" in at.error[0].value
    assert store.count() == 0


def test_answer_a_question(sample, store) -> None:
    question = store.ask_question(
        practice_id="P007",
        network_id="N2",
        indicator_id=INDICATOR,
        body="Who writes the care plans, and when?",
        author="Dr Hale, P013",
    )
    at = notes_page()
    form = f"notes_answer_list_{question.note_uid}"
    at.text_area(key=f"{form}_body").input("The nurse, during the review appointment.")
    at.text_input(key=f"{form}_author").input("Diabetes nurse, P007")
    [save] = [b for b in at.button if b.form_id == form]
    save.click().run()
    assert not at.exception, at.exception
    [answer] = store.answers_to(question.note_uid)
    assert answer.body == "The nurse, during the review appointment."
    assert answer.practice_id == "P007" and answer.kind == "answer"
    assert "The nurse, during the review appointment." in texts(at)
    assert store.note_counts(["P007"])["n_open_questions"].to_list() == [0]
    assert league_counts(at)[practice_name(sample, "P007")] == 2


def test_filters_narrow_the_list(sample, store) -> None:
    seeded = add_seed_notes(store)
    at = notes_page(indicator=None)  # MMR1: none of the seeded notes is about it
    bodies = {k: n.body for k, n in seeded.items()}
    assert set(bodies.values()) <= set(texts(at))
    assert "3 notes match" in " ".join(c.value for c in at.caption)

    at.multiselect(key="notes_tag").set_value(["template"]).run()
    assert set(texts(at)) & set(bodies.values()) == {bodies["careplan"], bodies["copd"]}

    at.multiselect(key="notes_network").set_value(["N3"]).run()
    assert set(texts(at)) & set(bodies.values()) == {bodies["copd"]}
    # the practice filter offers only the chosen networks' practices
    n3 = sample.practices.filter(pl.col("network_id") == "N3")["practice_name"].to_list()
    assert sorted(at.multiselect(key="notes_practice").options) == sorted(n3)

    at.multiselect(key="notes_tag").set_value([]).run()
    at.multiselect(key="notes_network").set_value([]).run()
    at.multiselect(key="notes_indicator").set_value(["CVD_STATIN"]).run()
    assert set(texts(at)) & set(bodies.values()) == {bodies["statin"]}

    at.multiselect(key="notes_indicator").set_value([]).run()
    at.multiselect(key="notes_practice").set_value(["P007"]).run()
    assert set(texts(at)) & set(bodies.values()) == {bodies["careplan"]}

    at.multiselect(key="notes_practice").set_value([]).run()
    at.text_input(key="notes_text").input("STATIN").run()
    assert set(texts(at)) & set(bodies.values()) == {bodies["statin"]}

    at.text_input(key="notes_text").input("nothing like this").run()
    assert not set(texts(at)) & set(bodies.values())
    assert any(m.value == "No notes match these filters." for m in at.markdown)


def test_export_buttons_give_csv_and_markdown_of_the_listed_notes(store, downloads) -> None:
    seeded = add_seed_notes(store)
    at = notes_page(indicator=None)
    labels = [b.label for b in at.get("download_button")]
    # The page's tables each have their own "Download (CSV)"; the notes export is these two.
    assert [x for x in labels if x != "Download (CSV)"] == [
        "Download CSV",
        "Download Markdown (minutes)",
    ]
    csv_name = next(n for n in downloads if n.startswith("peer-notes-") and n.endswith(".csv"))
    md_name = next(n for n in downloads if n.startswith("peer-notes-") and n.endswith(".md"))
    csv = downloads[csv_name].decode()
    md = downloads[md_name].decode()
    for note in seeded.values():
        assert note.note_uid in csv
        assert note.body in csv
    assert "Pharmacist runs a monthly statin search." in md
    assert "Gasholder Medical Centre (P003)" in md  # practices named, for the minutes
    assert "Statin for QRISK" in md

    downloads.clear()
    at.multiselect(key="notes_tag").set_value(["workforce"]).run()
    csv = next(v for n, v in downloads.items() if n.endswith(".csv")).decode()
    assert seeded["statin"].body in csv
    assert seeded["copd"].body not in csv


def test_anonymised_view_hides_note_text_until_asked(store) -> None:
    seeded = add_seed_notes(store)
    at = notes_page()
    at.toggle(key="anonymise").set_value(True).run()
    assert not at.exception, at.exception
    assert any("may name" in w.value for w in at.warning)
    shown = set(texts(at))
    assert not shown & {n.body for n in seeded.values()}
    assert not any("Diabetes nurse, P007" in m.value for m in at.markdown)
    # No export of the notes' text (the tables' own downloads show the anonymised labels).
    assert not [b for b in at.get("download_button") if b.label != "Download (CSV)"]
    standouts = table_with(at, "vs benchmark")
    assert all(label.startswith("Practice ") for label in standouts["Practice"])

    at.toggle(key="notes_show_text").set_value(True).run()
    assert {n.body for n in seeded.values()} <= set(texts(at))


def test_a_link_with_filters_opens_the_same_list(store) -> None:
    seeded = add_seed_notes(store)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["notes_tag"] = ["mdt", "no-such-tag"]
    at.query_params["notes_text"] = "review"
    at.run()
    at.switch_page(NOTES_PAGE).run()
    assert not at.exception, at.exception
    assert at.multiselect(key="notes_tag").value == ["mdt"]  # the unknown tag is dropped
    assert at.text_input(key="notes_text").value == "review"
    bodies = {n.body for n in seeded.values()}
    assert set(texts(at)) & bodies == {seeded["copd"].body}
