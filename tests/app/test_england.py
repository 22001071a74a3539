"""A new user switches to the built-in England data set and looks at one PCN (issue 7)."""

from __future__ import annotations

import polars as pl
from streamlit.testing.v1 import AppTest

from netcompare.data.builtin import builtin_path
from netcompare.data.load import load_dataset
from tests.app.apptest_reading import chart_titled
from tests.app.conftest import APP

ENGLAND = "England QOF prevalence 2022-23"
PCN = "Tower Hamlets Network 1 PCN"
DIABETES = "Diabetes prevalence (17+)"


def england_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["data"] = ENGLAND
    at.query_params["network"] = PCN
    at.query_params["indicator"] = DIABETES
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def expected_practices() -> pl.DataFrame:
    data = load_dataset(builtin_path("england-prevalence-2223"))
    net = data.networks.filter(pl.col("network_name") == PCN).get_column("network_id").item()
    mine = data.practices.filter(pl.col("network_id") == net)
    values = data.slice("PREV_DM", data.latest_period).join(mine, on="practice_id")
    return values.with_columns((pl.col("numerator") / pl.col("denominator")).alias("value"))


def test_england_is_selectable_and_the_pcn_is_chosen() -> None:
    at = england_app("pages/overview.py")
    assert at.sidebar.selectbox(key="data").value == "england-prevalence-2223"
    assert at.sidebar.selectbox(key="indicator").value == "PREV_DM"
    assert PCN in at.sidebar.selectbox(key="network").format_func(
        at.sidebar.selectbox(key="network").value
    )


def test_league_table_lists_the_pcn_practices_with_their_prevalence() -> None:
    at = england_app("pages/league.py")
    table = pl.from_pandas(at.dataframe[0].value)
    expected = expected_practices()
    mine = table.filter(pl.col("Yours") == "◆")
    assert sorted(mine.get_column("Practice").to_list()) == sorted(
        expected.get_column("practice_name").to_list()
    )
    for name, value in expected.select("practice_name", "value").rows():
        shown = mine.filter(pl.col("Practice") == name).get_column("Value %").item()
        assert abs(shown - value * 100) < 1e-9


def test_funnel_plot_shows_all_england_with_the_pcn_highlighted() -> None:
    at = england_app("pages/funnel.py")
    assert at.title[0].value == f"Funnel plot: {DIABETES}"
    expected = expected_practices()
    outliers = pl.from_pandas(at.dataframe[0].value)
    # The PCN's outliers are listed first, marked with ◆.
    listed = outliers.get_column("Practice").to_list()
    marked = [p for p in listed if p.startswith("◆ ")]
    assert listed[: len(marked)] == marked
    chart = chart_titled(at, DIABETES)
    assert "6378 practices" in chart.title
    assert "over-dispersion adjusted" in chart.subtitle
    points = [frame for frame in chart.datasets.values() if "in_network" in frame.columns]
    assert points and points[0].height == 6378
    highlighted = points[0].filter(pl.col("in_network"))
    assert sorted(highlighted.get_column("label").to_list()) == sorted(
        expected.get_column("practice_name").to_list()
    )
    # The outliers marked ◆ are exactly the PCN's practices outside the limits on the chart.
    pcn_outliers = highlighted.filter(pl.col("status") != "within limits")["label"].to_list()
    assert sorted(p[2:] for p in marked) == sorted(pcn_outliers)
