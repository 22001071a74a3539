"""Compare practices (the League table page's bar chart) and Compare two indicators (the
Overview's scatter), issue 14 points 1 and 3, in AppTest on every built-in data set.

Each test first changes a sidebar filter (the network), then reads what the page drew: the
bars against the league table the page shows, the lines against pooled values computed here
from the data set with polars, the scatter's points against each practice's values and its
correlation against SciPy's. Clicking a mark is sent as the chart's selection state (AppTest
cannot click a chart); the profile button it offers must set the jump to the profile page.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from scipy import stats
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from netcompare.charts.common import RAG_SYMBOLS
from netcompare.data.builtin import builtin_datasets, builtin_path
from netcompare.data.load import load_dataset
from netcompare.ui import widgets
from netcompare.ui.widgets import GOTO_KEY, PROFILE_PAGE
from tests.app.apptest_reading import DrawnChart, drawn_charts, no_exception, texts
from tests.app.conftest import APP

DATASETS = [d.key for d in builtin_datasets()]
BARS = "practices compared"


def pick_network(key: str) -> str:
    """A network to change to: for the sample not the default (Bow Common) and not N7
    (whose practice P029 hides its name); for England a London PCN; for any other data set
    the network of most practices."""
    data = load_dataset(builtin_path(key))
    if key == "sample":
        return "N1"
    if key == "england-prevalence-2223":
        return (
            data.networks.filter(pl.col("network_name") == "Tower Hamlets Network 1 PCN")
            .get_column("network_id")
            .item()
        )
    counts = data.practices.group_by("network_id").len().sort(["len", "network_id"])
    return counts.get_column("network_id")[-1]


def open_page(key: str, page: str, network: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["data"] = key
    at.run()
    no_exception(at)
    at.sidebar.selectbox(key="network").set_value(network or pick_network(key)).run()
    no_exception(at)
    at.switch_page(page).run()
    no_exception(at)
    return at


def chart_with(at: AppTest, words: str) -> DrawnChart:
    found = [c for c in drawn_charts(at) if words in c.title]
    assert len(found) == 1, [c.title for c in drawn_charts(at)]
    return found[0]


def named_layer(chart: DrawnChart, name: str) -> dict:
    found = [layer for layer in chart.layers if layer.get("name") == name]
    assert len(found) == 1, [layer.get("name") for layer in chart.layers]
    return found[0]


def layer_rows(chart: DrawnChart, name: str) -> pl.DataFrame:
    return chart.layer_data(chart.layers.index(named_layer(chart, name)))


def league_shown(at: AppTest) -> pl.DataFrame:
    shown = at.dataframe[0].value
    return pl.from_pandas(shown.drop(columns=["Last 12 periods"]))


def click(at: AppTest, chart_key: str, selection: str, practice_id: str) -> AppTest:
    """Run as if the mark of ``practice_id`` had been clicked on chart ``chart_key``."""
    charts = [e for e in at.get("vega_lite_chart") if e.proto.id.endswith(chart_key)]
    assert len(charts) == 1
    states = at._tree.get_widget_states()
    states.widgets.append(
        WidgetState(
            id=charts[0].proto.id,
            string_value=json.dumps({"selection": {selection: [{"practice_id": practice_id}]}}),
        )
    )
    at._run(states)
    no_exception(at)
    return at


def pooled(values: pl.DataFrame) -> float:
    return values["numerator"].sum() / values["denominator"].sum()


def expected_counts(key: str, indicator_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(every practice's counts in the latest period, the practices of the network's area),
    from the data set's files."""
    data = load_dataset(builtin_path(key))
    period = data.periods(indicator_id)[-1]
    values = data.slice(indicator_id, period).filter(pl.col("denominator") > 0)
    net = pick_network(key)
    area = data.networks.filter(pl.col("network_id") == net)["parent_area"].item()
    nets = data.networks.filter(pl.col("parent_area") == area)["network_id"]
    in_area = data.practices.filter(pl.col("network_id").is_in(nets.implode()))
    return values, values.join(in_area.select("practice_id", "network_id"), on="practice_id")


# --- Compare practices ------------------------------------------------------------------------


@pytest.mark.parametrize("key", DATASETS)
def test_the_bars_are_the_league_tables_practices_values_and_intervals(key: str):
    at = open_page(key, "pages/league.py")
    chart = chart_with(at, BARS)
    bars = chart.data_with_column("bar_label")
    table = league_shown(at)
    # Same practices, same values, in the table's rank order (value order is the default).
    assert bars["label"].to_list() == table["Practice"].to_list()
    for got, want in zip(bars["value_pct"].to_list(), table["Value %"].to_list(), strict=True):
        assert abs(got - want) < 1e-9
    # The whiskers are the table's 95% CI.
    whiskers = named_layer(chart, "whiskers")
    assert whiskers["mark"]["type"] == "errorbar"
    assert whiskers["encoding"]["x"]["field"] == "ci95_lower_pct"
    assert whiskers["encoding"]["x2"]["field"] == "ci95_upper_pct"
    ci = [
        f"{round(lo, 1)}–{round(hi, 1)}"
        for lo, hi in bars.select("ci95_lower_pct", "ci95_upper_pct").iter_rows()
    ]
    assert ci == table["95% CI %"].to_list()
    # The chosen network is marked: ◆ in the axis label, the same practices as the table's ◆.
    mine = bars.filter(pl.col("in_network"))
    assert mine.height >= 1
    assert mine["label"].to_list() == table.filter(pl.col("Yours") == "◆")["Practice"].to_list()
    assert all(b.startswith("◆ ") for b in mine["bar_label"])
    assert not any(b.startswith("◆ ") for b in bars.filter(~pl.col("in_network"))["bar_label"])
    # The RAG symbol at each bar's end is its RAG rating's, as the table gives it.
    ends = named_layer(chart, "rag_symbols")
    assert ends["encoding"]["x"] == {"value": {"expr": "width"}}
    for text, rag in zip(bars["end_text"], table["RAG"], strict=True):
        assert text.startswith(RAG_SYMBOLS[rag.split(" ")[-1]])


@pytest.mark.parametrize("key", DATASETS)
def test_the_benchmark_and_target_lines_are_at_their_values(key: str):
    at = open_page(key, "pages/league.py")
    indicator_id = at.sidebar.selectbox(key="indicator").value
    data = load_dataset(builtin_path(key))
    indicator = data.indicator(indicator_id)
    everyone, area = expected_counts(key, indicator_id)
    has_area = area.height < everyone.height
    chart = chart_with(at, BARS)
    benchmark = layer_rows(chart, "benchmark_line")["x"].item()
    # The area's average by default where the data has areas; every practice's otherwise.
    assert abs(benchmark - 100 * pooled(area if has_area else everyone)) < 1e-9
    names = [layer.get("name") for layer in chart.layers]
    if indicator.target is None:
        assert "target_line" not in names
    else:
        assert abs(layer_rows(chart, "target_line")["x"].item() - 100 * indicator.target) < 1e-9
    if has_area:
        # The national benchmark instead.
        at.radio(key="compare_line").set_value("all").run()
        no_exception(at)
        benchmark = layer_rows(chart_with(at, BARS), "benchmark_line")["x"].item()
        assert abs(benchmark - 100 * pooled(everyone)) < 1e-9
        assert f"all practices in {data.name} average" in chart_with(at, BARS).subtitle


@pytest.mark.parametrize("key", DATASETS)
def test_sorting_by_name_and_showing_only_the_network(key: str):
    at = open_page(key, "pages/league.py")
    network = pick_network(key)
    by_value = chart_with(at, BARS).data_with_column("bar_label")
    assert by_value["rank"].to_list() == sorted(by_value["rank"].to_list())
    at.radio(key="compare_sort").set_value("name").run()
    no_exception(at)
    by_name = chart_with(at, BARS).data_with_column("bar_label")
    labels = by_name["label"].to_list()
    assert labels == sorted(labels, key=str.lower)
    assert sorted(labels) == sorted(by_value["label"].to_list())
    # The order is the y axis's sort, so the bars are drawn in it.
    assert named_layer(chart_with(at, BARS), "bars")["encoding"]["y"]["sort"] == (
        by_name["bar_label"].to_list()
    )
    at.toggle(key="compare_scope").set_value(True).run()
    no_exception(at)
    only = chart_with(at, BARS).data_with_column("bar_label")
    data = load_dataset(builtin_path(key))
    members = data.practices.filter(pl.col("network_id") == network)["practice_id"]
    with_data = by_value.filter(pl.col("practice_id").is_in(members.implode()))
    assert sorted(only["practice_id"].to_list()) == sorted(with_data["practice_id"].to_list())
    assert only["in_network"].all()
    # Still sorted by name, still the table's values.
    assert only["label"].to_list() == sorted(only["label"].to_list(), key=str.lower)


def test_a_practice_that_hides_its_name_is_not_named_outside_its_network():
    at = open_page("sample", "pages/league.py", network="N1")
    data = load_dataset(builtin_path("sample"))
    hidden = data.practices.filter(~pl.col("share_name"))
    name = hidden["practice_name"].item()
    chart = chart_with(at, BARS)
    bars = chart.data_with_column("bar_label")
    row = bars.filter(pl.col("practice_id") == hidden["practice_id"].item())
    assert row["label"].item().startswith("Practice ")
    assert name not in json.dumps(chart.spec, ensure_ascii=False)
    for column in ("label", "bar_label"):
        assert name not in bars[column].to_list()
    # Clicking its bar names it as the table does, never by its name.
    click(at, "compare_chart", "bar", hidden["practice_id"].item())
    assert name not in " ".join(texts(at, "subheader") + texts(at, "markdown"))
    assert row["label"].item() in texts(at, "subheader")
    # In its own network it is named.
    at.sidebar.selectbox(key="network").set_value(hidden["network_id"].item()).run()
    no_exception(at)
    bars = chart_with(at, BARS).data_with_column("bar_label")
    assert name in bars["label"].to_list()


@pytest.fixture
def jumps_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py follows a jump at the start of the next run; the profile page is being built
    on another branch, so record the jump instead of switching to a page not here yet."""
    monkeypatch.setattr(widgets, "follow_jump", lambda: None)


@pytest.mark.parametrize("key", DATASETS)
def test_clicking_a_bar_offers_the_practices_profile(key: str, jumps_recorded: None):
    at = open_page(key, "pages/league.py")
    bars = chart_with(at, BARS).data_with_column("bar_label")
    target = bars.filter(pl.col("in_network")).row(0, named=True)
    assert not [b for b in at.button if b.key == "compare_profile"]
    click(at, "compare_chart", "bar", target["practice_id"])
    assert target["label"] in texts(at, "subheader")
    button = at.button(key="compare_profile")
    assert button.label == f"Profile of {target['label']}"
    button.click().run()
    no_exception(at)
    assert at.session_state[GOTO_KEY] == PROFILE_PAGE
    assert at.session_state["practice"] == target["practice_id"]


def test_england_without_a_network_says_to_choose_one():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["data"] = "england-prevalence-2223"
    at.run()
    at.sidebar.selectbox(key="network").set_value("all").run()
    at.switch_page("pages/league.py").run()
    no_exception(at)
    assert not [c for c in drawn_charts(at) if BARS in c.title]
    assert any("too many to draw as bars" in t for t in texts(at, "info"))


# --- Compare two indicators -----------------------------------------------------------------


@pytest.mark.parametrize("key", DATASETS)
def test_the_scatter_shows_each_practices_two_values_and_their_correlation(
    key: str, jumps_recorded: None
):
    at = open_page(key, "pages/overview.py")
    data = load_dataset(builtin_path(key))
    x_id, y_id = at.selectbox(key="scatter_x").value, at.selectbox(key="scatter_y").value
    assert x_id != y_id
    # Change the pair: the last two indicators.
    ids = data.indicators["indicator_id"].to_list()
    at.selectbox(key="scatter_x").set_value(ids[-1]).run()
    at.selectbox(key="scatter_y").set_value(ids[-2]).run()
    no_exception(at)
    x_id, y_id = ids[-1], ids[-2]
    chart = chart_with(at, " against ")
    points = chart.data_with_column("x_value")

    def values(indicator_id: str) -> pl.DataFrame:
        period = data.periods(indicator_id)[-1]
        rows = data.slice(indicator_id, period).filter(pl.col("denominator") > 0)
        return rows.select("practice_id", (pl.col("numerator") / pl.col("denominator")))

    _, area = expected_counts(key, x_id)
    everyone = load_dataset(builtin_path(key)).practices
    members = area["practice_id"] if area.height < values(x_id).height else everyone["practice_id"]
    both = (
        values(x_id)
        .rename({"numerator": "x"})
        .join(values(y_id).rename({"numerator": "y"}), on="practice_id")
        .filter(pl.col("practice_id").is_in(members.implode()))
        .sort("practice_id")
    )
    got = points.sort("practice_id")
    assert got["practice_id"].to_list() == both["practice_id"].to_list()
    for a, b in zip(got["x_value"], both["x"], strict=True):
        assert abs(a - b) < 1e-12
    for a, b in zip(got["y_value"], both["y"], strict=True):
        assert abs(a - b) < 1e-12
    r = stats.pearsonr(both["x"].to_numpy(), both["y"].to_numpy()).statistic
    rho = stats.spearmanr(both["x"].to_numpy(), both["y"].to_numpy()).statistic
    words = [t for t in texts(at, "markdown") if "Pearson's r" in t]
    assert len(words) == 1
    assert f"Pearson's r = {r:.2f}" in words[0] and f"Spearman's ρ = {rho:.2f}" in words[0]
    assert f"Over the {both.height} practices" in words[0]
    # The network's practices are highlighted (and named beside their points).
    network = pick_network(key)
    mine = data.practices.filter(pl.col("network_id") == network)["practice_id"]
    highlighted = got.filter(pl.col("in_network"))["practice_id"].to_list()
    assert highlighted == sorted(set(mine) & set(both["practice_id"]))
    assert named_layer(chart, "network_labels")["transform"] == [{"filter": "datum.in_network"}]
    # A point links to its practice's profile.
    target = got.filter(pl.col("in_network")).row(0, named=True)
    click(at, "scatter_chart", "practice", target["practice_id"])
    button = at.button(key="scatter_profile")
    assert button.label == f"Profile of {target['label']}"
    button.click().run()
    no_exception(at)
    assert at.session_state[GOTO_KEY] == PROFILE_PAGE
    assert at.session_state["practice"] == target["practice_id"]
