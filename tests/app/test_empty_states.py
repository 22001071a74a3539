"""Empty and partial states are explained on the page, never a stack trace: an indicator with
no target, an indicator with no data yet, a month with too few practices for a comparison, a
network of one practice, a network with no data in the chosen month (tests/app/tiny_datasets)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest_reading import chart_titled, no_exception, texts
from tests.app.conftest import APP
from tests.app.tiny_datasets import write_tiny

PAGES = [
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
    "pages/data.py",
    "pages/profile.py",
]


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the tiny data set (NETCOMPARE_DATA replaces the default sample data)."""
    monkeypatch.setenv("NETCOMPARE_DATA", str(write_tiny(tmp_path / "tiny")))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    no_exception(at)
    assert at.sidebar.caption[-1].value == "Data: Tiny test borough"
    return at


def show(at: AppTest, page: str, **filters: object) -> AppTest:
    for key, value in filters.items():
        widgets = [w for w in (*at.sidebar.selectbox, *at.sidebar.toggle) if w.key == key]
        widgets[0].set_value(value).run()
        no_exception(at)
    at.switch_page(page).run()
    no_exception(at)
    return at


@pytest.mark.parametrize("indicator", ["ALPHA", "BETA", "GAMMA", "DELTA"])
def test_no_page_fails_on_the_awkward_cases(tiny: AppTest, indicator: str):
    for network in ["T1", "T2", "all"]:
        for page in PAGES:
            show(tiny, page, network=network, indicator=indicator)
            # A title, or a message saying why there is nothing to show.
            assert tiny.title or tiny.info, (page, network)


def test_indicator_without_target(tiny: AppTest):
    show(tiny, "pages/overview.py", network="T3")
    cells = chart_titled(tiny, "Trio:").layer_data(0)
    beta = cells.filter(pl.col("indicator_id") == "BETA")
    assert set(beta["rag"].to_list()) == {"none"}  # grey: no target, not red
    assert set(beta["symbol"].to_list()) == {"○"}  # the symbol drawn under each value
    assert set(beta["cell_text"].str.slice(-1).to_list()) == {"○"}
    show(tiny, "pages/league.py", indicator="BETA")
    assert "This indicator has no target: RAG shows 'none'." in texts(tiny, "caption")
    assert set(tiny.dataframe[0].value["RAG"]) == {"○ none"}
    # The benchmark is chosen on the funnel plot page; the league table follows it.
    show(tiny, "pages/funnel.py")
    tiny.selectbox(key="benchmark").set_value("target").run()
    no_exception(tiny)
    show(tiny, "pages/league.py")
    assert "This indicator has no target: the benchmark is all practices instead." in texts(
        tiny, "info"
    )
    show(tiny, "pages/networks.py")
    assert "This indicator has no network target: averages are shown without one." in texts(
        tiny, "info"
    )
    show(tiny, "pages/trends.py")
    assert "No target: no assurance" in texts(tiny, "caption")


def test_indicator_with_no_data_yet(tiny: AppTest):
    for page in PAGES[:5]:
        show(tiny, page, indicator="DELTA")
        infos = texts(tiny, "info")
        assert infos, page
        assert any(re.search("no (period with )?data", i.lower()) for i in infos), (page, infos)
    # The period choice says there is none, rather than offering months without data.
    assert [w.key for w in tiny.sidebar.selectbox][-2:] == ["period_empty", "practice"]
    assert tiny.sidebar.selectbox(key="period_empty").disabled


def test_too_few_practices_for_a_comparison(tiny: AppTest):
    # GAMMA has one practice with data in the latest month.
    show(tiny, "pages/league.py", indicator="GAMMA")
    infos = texts(tiny, "info")
    assert len(infos) == 1 and infos[0].startswith("No league table for Jun 2025:"), infos
    assert not tiny.dataframe
    show(tiny, "pages/funnel.py")
    infos = texts(tiny, "info")
    assert len(infos) == 1 and infos[0].startswith("No funnel plot for Jun 2025:"), infos
    assert not tiny.get("vega_lite_chart")
    # An earlier month, where every practice has data, works.
    show(tiny, "pages/funnel.py", period="2025-05-01")
    assert chart_titled(tiny, "Gamma sparse, May 2025: 6 practices")


def test_network_of_one_practice(tiny: AppTest):
    show(tiny, "pages/overview.py", network="T1", period="2025-05-01")
    rows = chart_titled(tiny, "Solo:").layer_data(0).unique("row_id", maintain_order=True)
    assert rows.sort("row_order")["row_label"].to_list() == [
        "Only Surgery",
        "Solo (network)",
        "All practices",
    ]
    show(tiny, "pages/networks.py")
    assert "Networks of one practice have no spread: Solo" in texts(tiny, "caption")
    show(tiny, "pages/trends.py")
    tiny.radio(key="trend_subject").set_value("network").run()
    no_exception(tiny)
    assert chart_titled(tiny, "Solo (network average): Alpha screening")


def test_network_with_no_data_in_the_month(tiny: AppTest):
    # Q1, the only practice of Solo, has no ALPHA value in June 2025.
    show(tiny, "pages/overview.py", network="T1")
    cells = chart_titled(tiny, "Solo: all care packages, Jun 2025").layer_data(0)
    alpha = cells.filter(pl.col("indicator_id") == "ALPHA")
    assert alpha.filter(pl.col("row_kind") != "all")["rag"].to_list() == ["no data", "no data"]
    assert alpha.filter(pl.col("row_kind") == "all")["value"].is_not_null().all()
    show(tiny, "pages/league.py")
    table = tiny.dataframe[0].value
    assert "Only Surgery" not in set(table["Practice"])
    assert len(table) == 5
    show(tiny, "pages/trends.py")
    lines = chart_titled(tiny, "Only Surgery: Alpha screening").data_with_column("series")
    mine = lines.filter(pl.col("series") == "Only Surgery")
    assert mine.height == 5  # January to May; June is missing, not zero


def test_care_package_where_the_network_has_no_data_in_the_month(tiny: AppTest):
    # GAMMA's package in June: only Q2 (in Pair) has data; the Solo network has none at all.
    show(tiny, "pages/overview.py", network="T1", package="Pack three")
    cells = chart_titled(tiny, "Solo: Pack three, Jun 2025").layer_data(0)
    rows = cells.sort("row_order")
    assert rows["row_label"].to_list() == ["Only Surgery", "Solo (network)", "All practices"]
    assert rows["rag"].to_list()[:2] == ["no data", "no data"]
    assert rows["value"].to_list()[2] is not None  # Q2's value, the only one that month
    assert rows["cell_text"].to_list()[:2] == ["–", "–"]
