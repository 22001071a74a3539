"""Every page with an indicator has its definition one click away (issue 14.4): a
"Definition" popover (the overview: "Definitions", for the indicators it shows) whose table
says the chosen indicator's numerator and denominator as the indicators table has them; it
follows the indicator chosen in the sidebar; on the sample and on the England data set. The
Data page's indicators table and its CSV download carry the definitions too.

Expected texts are read here with polars from the data sets' own files, not by the app."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from netcompare.data.builtin import builtin_path
from tests.app.apptest_reading import SAMPLE, no_exception, shown
from tests.app.conftest import APP

INDICATOR_PAGES = (
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
)
ENGLAND_KEY = "england-prevalence-2223"


def indicator_rows(folder_table: pl.DataFrame, indicator_id: str) -> dict[str, object]:
    return folder_table.filter(pl.col("indicator_id") == indicator_id).row(0, named=True)


def sample_indicator(indicator_id: str) -> dict[str, object]:
    table = pl.read_csv(SAMPLE / "indicators.csv", infer_schema_length=None)
    return indicator_rows(table, indicator_id)


def england_indicator(indicator_id: str) -> dict[str, object]:
    table = pl.read_parquet(builtin_path(ENGLAND_KEY) / "indicators.parquet")
    return indicator_rows(table, indicator_id)


def popovers(node: object) -> list[Block]:
    """Every popover block under ``node``, in page order."""
    found = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == "popover":
            found.append(child)
        found.extend(popovers(child))
    return found


def definition(at: AppTest) -> dict[str, str]:
    """The rows of the page's one definition popover, as a reader sees them."""
    blocks = [
        b for b in popovers(at.main) if b.proto.popover.label in ("Definition", "Definitions")
    ]
    assert len(blocks) == 1, [b.proto.popover.label for b in popovers(at.main)]
    assert blocks[0].proto.popover.icon == ":material/info:"
    tables = blocks[0].table
    assert len(tables) == 1
    frame = tables[0].value
    pairs = zip(frame["Field"], frame["Definition"], strict=True)
    return {shown(str(f)): shown(str(t)) for f, t in pairs}


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    no_exception(at)
    return at


def choose_indicator(at: AppTest, indicator_id: str) -> AppTest:
    at.sidebar.selectbox(key="indicator").set_value(indicator_id).run()
    no_exception(at)
    return at


def assert_defines(at: AppTest, expected: dict[str, object]) -> None:
    rows = definition(at)
    assert rows["Name"] == expected["name"]
    assert rows["Code"] == expected["indicator_id"]
    assert rows["Numerator"] == expected["numerator_definition"]
    assert rows["Denominator"] == expected["denominator_definition"]
    assert rows["Licence"] == expected["licence"]
    assert rows["Source"] == expected["source"]


@pytest.mark.parametrize("page", INDICATOR_PAGES)
def test_each_page_defines_the_chosen_indicator_and_follows_the_sidebar(
    app: AppTest, page: str
) -> None:
    go(app, page)
    assert_defines(app, sample_indicator("IMM_MMR1"))
    # Another indicator chosen in the sidebar first, then the page again: its definition.
    choose_indicator(app, "DM_RETINAL")
    go(app, page)
    assert_defines(app, sample_indicator("DM_RETINAL"))
    # And changed while on the page.
    choose_indicator(app, "COPD_SMOKER")
    rows = definition(app)
    assert_defines(app, sample_indicator("COPD_SMOKER"))
    assert rows["Polarity"] == "lower is better"
    assert rows["Target"] == "none"


def test_the_definition_says_polarity_targets_and_period_in_words(app: AppTest) -> None:
    go(app, "pages/league.py")
    rows = definition(app)
    row = sample_indicator("IMM_MMR1")
    assert rows == {
        "Name": "MMR1 by 24 months",
        "Code": "IMM_MMR1",
        "Description": row["description"],
        "Numerator": row["numerator_definition"],
        "Denominator": row["denominator_definition"],
        "Polarity": "higher is better",
        "Target": "95%",
        "Amber from": "90%",
        "Network target": "95%",
        "Period type": "monthly (each period is a calendar month)",
        "Care package": "Childhood immunisation",
        "Source": "netcompare sample generator (fictional)",
        "Licence": "CC0 1.0: invented data, free to use",
    }


def test_overview_offers_the_definition_of_any_indicator_it_shows(app: AppTest) -> None:
    go(app, "pages/overview.py")
    picker = app.main.selectbox(key="overview_definitions_IMM_MMR1")
    assert len(picker.options) == 16  # all care packages: every indicator of the sample
    picker.set_value("CVD_STATIN").run()
    no_exception(app)
    assert_defines(app, sample_indicator("CVD_STATIN"))
    # Choosing a care package in the sidebar offers only its indicators.
    app.sidebar.selectbox(key="package").set_value("COPD").run()
    no_exception(app)
    pickers = [s for s in app.main.selectbox if (s.key or "").startswith("overview_definitions")]
    assert len(pickers) == 1
    assert pickers[0].options == [
        "COPD annual review with care plan",
        "Pulmonary rehab referral, MRC >=3",
        "COPD flu vaccination",
        "COPD current smokers",
    ]
    assert definition(app)["Care package"] == "COPD"


def test_data_page_indicators_table_has_the_definitions(app: AppTest) -> None:
    go(app, "pages/data.py")
    expected = pl.read_csv(SAMPLE / "indicators.csv", infer_schema_length=None)
    tables = [pl.from_pandas(d.value) for d in app.dataframe]
    [table] = [t for t in tables if "Numerator" in t.columns]
    by_id = {r["Indicator"]: r for r in table.to_dicts()}
    assert set(by_id) == set(expected["indicator_id"])
    for row in expected.iter_rows(named=True):
        got = by_id[row["indicator_id"]]
        assert got["Numerator"] == row["numerator_definition"]
        assert got["Denominator"] == row["denominator_definition"]
        assert got["Licence"] == row["licence"]
    # Its download (written when clicked: tests/views/test_definition.py checks the CSV).
    assert any(b.key == "indicators_table_csv" for b in app.get("download_button"))


@pytest.fixture
def england() -> AppTest:
    """The app on the England data set (function scope: after the notes database is
    isolated, conftest.isolated_notes)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["data"] = ENGLAND_KEY
    at.run()
    return at


@pytest.mark.parametrize("page", INDICATOR_PAGES)
def test_england_pages_define_the_prevalence_indicators(england: AppTest, page: str) -> None:
    at = england
    assert at.sidebar.selectbox(key="data").value == ENGLAND_KEY
    choose_indicator(at, "PREV_DM")
    go(at, page)
    assert_defines(at, england_indicator("PREV_DM"))
    rows = definition(at)
    assert rows["Numerator"].startswith("Patients on the practice's QOF Diabetes")
    assert rows["Denominator"].startswith("Registered patients aged 17 or over")
    assert rows["Licence"] == "Open Government Licence v3.0"
    assert rows["Polarity"] == "neither: no direction is better"
    choose_indicator(at, "PREV_HYP")
    assert_defines(at, england_indicator("PREV_HYP"))
