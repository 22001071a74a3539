"""Every page of the app in AppTest, on the shipped sample data: it runs without an exception,
and it shows the right practices, values and chart specs (checked against numbers computed
here from sample_data/*.csv with polars, not by the app's own code)."""

from __future__ import annotations

import datetime as dt
import math
import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.load import load_dataset
from netcompare.stats.funnel import estimate_overdispersion, funnel_limits
from tests.app.apptest_reading import (
    SAMPLE,
    chart_titled,
    drawn_charts,
    expected_values,
    latest_period,
    no_exception,
    practice_network,
    sample_table,
    texts,
)
from tests.app.conftest import APP
from tests.app.tiny_datasets import write_tiny

PAGES = {
    "pages/overview.py": "Overview: who meets the targets",
    "pages/league.py": "League table: MMR1 by 24 months",
    "pages/funnel.py": "Funnel plot: MMR1 by 24 months",
    "pages/trends.py": "Trends: MMR1 by 24 months",
    "pages/networks.py": "Networks: MMR1 by 24 months",
    "pages/data.py": "Data",
}
LETTER = re.compile(r"^Practice [A-Z]+$")
ORD = "(?:st|nd|rd|th)"


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    no_exception(at)
    return at


def choose(at: AppTest, key: str, value: object) -> AppTest:
    """Set one shared sidebar filter (selectbox or toggle) and rerun."""
    widgets = [w for w in (*at.sidebar.selectbox, *at.sidebar.toggle) if w.key == key]
    assert widgets, f"no sidebar widget {key!r}"
    widgets[0].set_value(value).run()
    no_exception(at)
    return at


def league_caption(at: AppTest) -> str:
    """The league table's own caption (indicator, period, benchmark, method, …)."""
    found = [c for c in texts(at, "caption") if " · Benchmark: " in c]
    assert len(found) == 1, texts(at, "caption")
    return found[0]


def league_frame(at: AppTest) -> pl.DataFrame:
    """The league table as shown (a pandas frame in AppTest) as polars, trend column dropped."""
    shown = at.dataframe[0].value
    return pl.from_pandas(shown.drop(columns=["Last 12 periods"]))


# --- smoke: every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*PAGES, "pages/notes.py"])
def test_every_page_runs_without_an_exception(app: AppTest, page: str):
    go(app, page)
    assert app.title, f"{page} shows no title"
    if page in PAGES:
        assert app.title[0].value == PAGES[page]
    # The shared filters are drawn on every page.
    assert [w.key for w in app.sidebar.selectbox] == [
        "data",
        "network",
        "package",
        "indicator",
        "period",
        "practice",
    ]
    assert [w.key for w in app.sidebar.toggle] == ["net_exceptions", "anonymise", "present"]


def test_every_page_runs_on_every_network_and_all_networks(app: AppTest):
    networks = sample_table("networks").get_column("network_id").to_list()
    for network in [*networks, "all"]:
        choose(app, "network", network)
        for page in PAGES:
            go(app, page)


def test_default_view_is_the_latest_period_of_the_first_indicator(app: AppTest):
    period = app.sidebar.selectbox(key="period")
    assert period.value == latest_period().isoformat()
    assert app.sidebar.selectbox(key="indicator").value == "IMM_MMR1"
    assert app.sidebar.toggle(key="net_exceptions").value is False  # all patients by default


# --- overview: the RAG chart ----------------------------------------------------------------------


def test_overview_rows_are_the_chosen_networks_practices_then_network_then_all(app: AppTest):
    practices = practice_network()
    for network_id, network_name in [("N2", "Canal Basin"), ("N4", "Riverside East")]:
        choose(app, "network", network_id)
        chart = chart_titled(app, f"{network_name}: all care packages, Sep 2026")
        cells = chart.layer_data(0)
        rows = cells.unique("row_id", maintain_order=True).sort("row_order")
        members = practices.filter(pl.col("network_id") == network_id).sort("practice_name")
        assert rows.get_column("row_label").to_list() == [
            *members.get_column("practice_name").to_list(),
            f"{network_name} (network)",
            "All practices",
        ]
        # Every indicator is a column: 16 in the sample data.
        assert cells.get_column("indicator_id").n_unique() == sample_table("indicators").height


def test_overview_cells_hold_the_values_and_rag_against_each_target(app: AppTest):
    choose(app, "network", "N2")
    cells = chart_titled(app, "Canal Basin:").layer_data(0)
    indicators = sample_table("indicators")
    period = latest_period()
    checked = 0
    for ind in indicators.iter_rows(named=True):
        expected = expected_values(ind["indicator_id"], period)
        for row in cells.filter(
            (pl.col("indicator_id") == ind["indicator_id"]) & (pl.col("row_kind") == "practice")
        ).iter_rows(named=True):
            want = expected.filter(pl.col("practice_id") == row["row_id"]).row(0, named=True)
            assert row["numerator"] == want["numerator"]
            assert row["denominator"] == want["denominator"]
            assert math.isclose(row["value"], want["value"], rel_tol=1e-12)
            target, amber = ind["target"], ind["amber_threshold"]
            if target is None:
                rag = "none"
            elif want["value"] >= target:
                rag = "green"
            elif amber is not None and want["value"] >= amber:
                rag = "amber"
            else:
                rag = "red"
            assert row["rag"] == rag, (row["row_id"], ind["indicator_id"])
            checked += 1
    assert checked == 5 * 16
    # The network and all-practices rows are pooled: sum of numerators over sum of denominators.
    mmr1 = expected_values("IMM_MMR1", period).join(
        sample_table("practices").select("practice_id", "network_id"), on="practice_id"
    )
    canal = mmr1.filter(pl.col("network_id") == "N2")
    network_cell = cells.filter(
        (pl.col("row_kind") == "network") & (pl.col("indicator_id") == "IMM_MMR1")
    ).row(0, named=True)
    assert network_cell["value"] == pytest.approx(
        canal["numerator"].sum() / canal["denominator"].sum(), rel=1e-12
    )
    all_cell = cells.filter(
        (pl.col("row_kind") == "all") & (pl.col("indicator_id") == "IMM_MMR1")
    ).row(0, named=True)
    assert all_cell["value"] == pytest.approx(
        mmr1["numerator"].sum() / mmr1["denominator"].sum(), rel=1e-12
    )


def test_overview_rag_is_colour_blind_safe_and_the_chart_states_what_it_shows(app: AppTest):
    chart = chart_titled(app, "Bow Common:")
    cells = chart.layer_data(0)
    # Each cell carries a symbol besides its colour; the legend carries words.
    symbols = {"green": "✔", "amber": "▲", "red": "✖", "none": "○"}
    for rag, symbol in symbols.items():
        rated = cells.filter((pl.col("rag") == rag) & pl.col("value").is_not_null())
        assert rated.height or rag == "none", rag
        assert set(rated.get_column("status").to_list()) <= {rag}, rag
        assert set(rated.get_column("symbol").to_list()) <= {symbol}, rag
        assert all(t.endswith(symbol) for t in rated.get_column("cell_text").to_list()), rag
    # The symbol is drawn as its own text layer under the value, larger than the value.
    texts = {
        chart.layers[i]["encoding"]["text"]["field"]: chart.layers[i]["mark"]["fontSize"]
        for i in chart.layers_with_mark("text")
    }
    assert texts["symbol"] > texts["value_text"]
    assert chart.layers[0]["encoding"]["color"]["field"] == "status"
    legend = chart.layers[0]["encoding"]["color"]["legend"]["labelExpr"]
    for words in ("meets target", "near target", "below target", "no target"):
        assert words in legend
    sub = chart.subtitle
    assert "Sep 2026" in sub
    assert "Benchmark: the indicator's target" in sub
    assert "Denominator: all patients" in sub
    assert "Source: Riverbank sample borough" in sub


def test_overview_for_all_networks_has_one_row_per_network(app: AppTest):
    choose(app, "network", "all")
    cells = chart_titled(app, "All networks:").layer_data(0)
    rows = cells.unique("row_id", maintain_order=True).sort("row_order")
    names = sample_table("networks").sort("network_name").get_column("network_name").to_list()
    assert rows.get_column("row_label").to_list() == [
        *[f"{n} (network)" for n in names],
        "All practices",
    ]


def test_overview_care_package_filter_keeps_its_indicators(app: AppTest):
    choose(app, "package", "Type 2 diabetes")
    chart = chart_titled(app, "Bow Common: Type 2 diabetes, Sep 2026")
    ids = set(chart.layer_data(0).get_column("indicator_id").unique().to_list())
    expected = sample_table("indicators").filter(pl.col("care_package") == "Type 2 diabetes")
    assert ids == set(expected.get_column("indicator_id").to_list())
    # The indicator choice follows the care package.
    assert app.sidebar.selectbox(key="indicator").value in ids


def test_overview_period_choice_changes_the_values(app: AppTest):
    choose(app, "network", "N1")
    choose(app, "period", "2025-03-01")
    chart = chart_titled(app, "Limekiln Fields: all care packages, Mar 2025")
    cell = (
        chart.layer_data(0)
        .filter((pl.col("row_id") == "P003") & (pl.col("indicator_id") == "IMM_MMR1"))
        .row(0, named=True)
    )
    want = expected_values("IMM_MMR1", dt.date(2025, 3, 1)).filter(pl.col("practice_id") == "P003")
    assert cell["numerator"] == want["numerator"].item()
    assert cell["denominator"] == want["denominator"].item()


def test_overview_cells_are_clickable(app: AppTest):
    chart = chart_titled(app, "Bow Common:")
    params = chart.spec.get("params", [])
    assert any(p.get("name") == "cell" and p["select"]["type"] == "point" for p in params)
    assert "Click a cell to drill down to that practice and indicator." in texts(app, "caption")


# --- league table ---------------------------------------------------------------------------------


def test_league_lists_every_practice_ranked_with_values_from_the_data(app: AppTest):
    go(app, "pages/league.py")
    table = league_frame(app)
    assert table.height == 36
    expected = expected_values("IMM_MMR1", latest_period()).join(
        practice_network().select("practice_id", "practice_name", "network_name"),
        on="practice_id",
    )
    # Every practice is named (P029 does not share its name outside its network: a letter).
    shown = set(table.get_column("Practice").to_list())
    named = set(expected.filter(pl.col("practice_id") != "P029")["practice_name"].to_list())
    assert named <= shown
    assert "Pepper Street Surgery" not in shown
    # Values are numerator / denominator of the data file, in rank order (higher is better).
    joined = table.join(
        expected.rename({"practice_name": "Practice"}), on="Practice", how="left"
    ).filter(pl.col("practice_id").is_not_null())
    assert joined.height == 35
    for row in joined.iter_rows(named=True):
        assert row["Numerator"] == row["numerator"]
        assert row["Denominator"] == row["denominator"]
        assert row["Value %"] == pytest.approx(100 * row["value"], rel=1e-12)
        assert row["Network"] == row["network_name"]
    values = table.get_column("Value %").to_list()
    assert values == sorted(values, reverse=True)
    ranks = [int(re.match(r"\d+", r).group()) for r in table.get_column("Rank (95% interval)")]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    # The rank carries its interval: "3rd (1st–9th)", and the rank lies inside it.
    for text in table.get_column("Rank (95% interval)"):
        m = re.fullmatch(rf"(\d+){ORD} \((\d+){ORD}–(\d+){ORD}\)", text)
        assert m, text
        rank, lo, hi = map(int, m.groups())
        assert lo <= rank <= hi


def test_league_shows_ci_rag_comparison_change_and_sparkline(app: AppTest):
    go(app, "pages/league.py")
    shown = app.dataframe[0].value
    assert list(shown.columns) == [
        "Rank",
        "Rank (95% interval)",
        "Yours",
        "Practice",
        "Notes",
        "Network",
        "Numerator",
        "Denominator",
        "Value %",
        "95% CI %",
        "RAG",
        "vs benchmark",
        "vs benchmark (95% CI, second method)",
        "Change (pts)",
        "Recent trend (5 periods)",
        "Last 12 periods",
        "Flag",
    ]
    period = latest_period()
    now = expected_values("IMM_MMR1", period)
    before = expected_values("IMM_MMR1", dt.date(2026, 8, 1))
    change = now.join(before, on="practice_id", suffix="_prev").select(
        "practice_id", ((pl.col("value") - pl.col("value_prev")) * 100).alias("change")
    )
    names = sample_table("practices").select("practice_id", pl.col("practice_name").alias("name"))
    changes_checked = 0
    for _, row in shown.iterrows():
        lo, hi = (float(x) for x in row["95% CI %"].split("–"))
        assert lo <= row["Value %"] <= hi
        assert row["RAG"].split(" ")[0] in {"✔", "▲", "✖"}
        assert row["RAG"].split(" ")[1] in {"green", "amber", "red"}
        assert len(row["Last 12 periods"]) == 12
        match = names.filter(pl.col("name") == row["Practice"])
        if match.height:
            want = change.filter(pl.col("practice_id") == match["practice_id"].item())
            assert row["Change (pts)"] == f"{want['change'].item():+.1f}"
            changes_checked += 1
    assert changes_checked == 35  # every practice named (P029 is a letter outside Victoria Green)
    assert set(shown["vs benchmark"]) <= {
        "▲▲ better (outside 99.8% limits)",
        "▲ better (outside 95% limits)",
        "● similar (within limits)",
        "▼ worse (outside 95% limits)",
        "▼▼ worse (outside 99.8% limits)",
    }
    assert set(shown["vs benchmark (95% CI, second method)"]) <= {
        "▲▲ significantly better (99.8%)",
        "▲ better (95%)",
        "● similar",
        "▼ worse (95%)",
        "▼▼ significantly worse (99.8%)",
    }
    caption = league_caption(app)
    assert "MMR1 by 24 months · Sep 2026" in caption
    assert "Change since Aug 2026" in caption
    assert "second method: Wilson 95% and 99.8% CI" in caption


def test_league_marks_the_chosen_network(app: AppTest):
    choose(app, "network", "N8")
    go(app, "pages/league.py")
    table = league_frame(app)
    mine = table.filter(pl.col("Yours") == "◆")
    assert set(mine.get_column("Network").to_list()) == {"Bridge Street"}
    assert mine.height == 4
    # "Only my network's practices" keeps just those rows.
    app.toggle(key="league_only_mine").set_value(True).run()
    no_exception(app)
    assert (
        league_frame(app).get_column("Practice").to_list() == mine.get_column("Practice").to_list()
    )


def test_league_benchmark_choice_is_stated(app: AppTest):
    # The benchmark is chosen once, on the funnel plot page, and the league table follows it.
    go(app, "pages/funnel.py")
    app.selectbox(key="benchmark").set_value("target").run()
    go(app, "pages/league.py")
    assert "Benchmark: target 95%" in league_caption(app)
    assert any("centred on the target" in c for c in texts(app, "caption"))
    go(app, "pages/funnel.py")
    app.selectbox(key="benchmark").set_value("all").run()
    go(app, "pages/league.py")
    mmr1 = expected_values("IMM_MMR1", latest_period())
    pooled = mmr1["numerator"].sum() / mmr1["denominator"].sum()
    assert f"all practices average ({pooled:.1%}, pooled)" in league_caption(app)


def test_league_download_is_the_table_as_csv(app: AppTest):
    go(app, "pages/league.py")
    # The Compare practices chart above the table has its own PNG, SVG and data buttons.
    buttons = [b for b in app.get("download_button") if "compare_chart" not in b.proto.id]
    assert len(buttons) == 1
    assert buttons[0].proto.label == "Download this table (CSV)"


# --- anonymising and the practice that does not share its name ------------------------------------


def test_anonymise_replaces_every_name_by_a_letter(app: AppTest):
    choose(app, "network", "N7")
    choose(app, "anonymise", True)
    names = set(sample_table("practices").get_column("practice_name").to_list())
    go(app, "pages/league.py")
    practices = league_frame(app).get_column("Practice").to_list()
    assert len(practices) == 36
    assert all(LETTER.match(p) for p in practices), practices
    go(app, "pages/overview.py")
    rows = chart_titled(app, "Victoria Green:").layer_data(0)
    labels = rows.filter(pl.col("row_kind") == "practice").get_column("row_label").unique()
    assert labels.len() == 4
    assert all(LETTER.match(p) for p in labels)
    go(app, "pages/funnel.py")
    points = chart_titled(app, "MMR1 by 24 months").data_with_column("flag")
    assert not set(points.get_column("label").to_list()) & names
    go(app, "pages/trends.py")
    trend = drawn_charts(app)[0]
    assert LETTER.match(trend.title.split(":")[0]), trend.title
    assert not any(n in trend.title for n in names)


def test_anonymise_with_codes_shows_practice_codes(app: AppTest):
    choose(app, "network", "N7")
    choose(app, "anonymise", True)
    app.sidebar.radio(key="anon_style").set_value("codes").run()
    no_exception(app)
    go(app, "pages/league.py")
    practices = league_frame(app).get_column("Practice").to_list()
    assert sorted(practices) == sorted(sample_table("practices")["practice_id"].to_list())


def test_practice_not_sharing_its_name_is_a_letter_outside_its_network(app: AppTest):
    p029 = sample_table("practices").filter(pl.col("practice_id") == "P029")
    assert p029["share_name"].item() is False
    go(app, "pages/league.py")
    for network_id, shown_as in [("N1", "Practice AC"), ("N7", "Pepper Street Surgery")]:
        choose(app, "network", network_id)
        table = league_frame(app)
        p029 = table.filter(
            (
                pl.col("Numerator")
                == expected_values("IMM_MMR1", latest_period())
                .filter(pl.col("practice_id") == "P029")["numerator"]
                .item()
            )
            & (pl.col("Network") == "Victoria Green")
        )
        assert p029.get_column("Practice").to_list() == [shown_as]
        others = set(table.get_column("Practice").to_list()) - {shown_as}
        assert "Pepper Street Surgery" not in others
    go(app, "pages/overview.py")
    rows = chart_titled(app, "Victoria Green:").layer_data(0)
    assert "Pepper Street Surgery" in rows.get_column("row_label").to_list()
    choose(app, "network", "N6")
    go(app, "pages/funnel.py")
    points = chart_titled(app, "MMR1 by 24 months").data_with_column("flag")
    p029 = points.filter(pl.col("practice_id") == "P029")
    assert p029.get_column("label").to_list() == ["Practice AC"]
    assert "Pepper Street Surgery" not in points.get_column("label").to_list()


def test_the_sidebar_practice_choice_follows_the_same_naming_rules(app: AppTest):
    choose(app, "network", "all")
    labels = app.sidebar.selectbox(key="practice").options  # the labels a user sees
    assert len(labels) == 36
    assert not any("Pepper Street Surgery" in label for label in labels), labels
    assert "Practice AC" in labels
    assert "Tannery Health Centre (P030)" in labels
    choose(app, "network", "N7")
    labels = app.sidebar.selectbox(key="practice").options
    assert sorted(labels) == [
        "Dockhead Health Centre (P032)",
        "Gasholder Group Practice (P031)",
        "Pepper Street Surgery (P029)",
        "Tannery Health Centre (P030)",
    ]
    choose(app, "anonymise", True)
    labels = app.sidebar.selectbox(key="practice").options
    assert sorted(labels) == ["Practice AC", "Practice AD", "Practice AE", "Practice AF"]
    # The chosen practice survives anonymising: the same practice, now as a letter.
    go(app, "pages/trends.py")
    assert chart_titled(app, "Practice A").title.startswith(
        app.sidebar.selectbox(key="practice").options[app.sidebar.selectbox(key="practice").index]
    )


# --- exceptions switch ----------------------------------------------------------------------------


def test_net_of_exceptions_raises_the_heavy_excepter_value(app: AppTest):
    choose(app, "indicator", "DM_RETINAL")
    go(app, "pages/league.py")
    period = latest_period()
    name = "Gasholder Practice"  # P018, which excepts many patients

    def p018(at: AppTest) -> dict:
        return league_frame(at).filter(pl.col("Practice") == name).row(0, named=True)

    all_patients = p018(app)
    want = expected_values("DM_RETINAL", period).filter(pl.col("practice_id") == "P018")
    assert all_patients["Denominator"] == want["denominator"].item()
    assert all_patients["Value %"] == pytest.approx(100 * want["value"].item())
    assert "Denominator: all patients" in league_caption(app)

    choose(app, "net_exceptions", True)
    net = p018(app)
    want_net = expected_values("DM_RETINAL", period, net_of_exceptions=True).filter(
        pl.col("practice_id") == "P018"
    )
    assert net["Denominator"] == want_net["denominator"].item()
    assert net["Value %"] == pytest.approx(100 * want_net["value"].item())
    assert net["Value %"] > all_patients["Value %"] + 20  # 65% of all, 89% net of exceptions
    assert "Denominator: net of exceptions" in league_caption(app)
    go(app, "pages/funnel.py")
    assert "Denominator: net of exceptions" in chart_titled(app, "Diabetic retinal").subtitle


# --- funnel plot ----------------------------------------------------------------------------------


def test_funnel_states_phi_and_tau2_from_the_statistics_core(app: AppTest):
    go(app, "pages/funnel.py")
    chart = chart_titled(app, "MMR1 by 24 months, Sep 2026: 36 practices")
    data = expected_values("IMM_MMR1", latest_period())
    x = data["numerator"].to_numpy().astype(float)
    n = data["denominator"].to_numpy().astype(float)
    od = estimate_overdispersion(x, n, x.sum() / n.sum())
    sub = chart.subtitle
    assert "Spiegelhalter arcsine, over-dispersion adjusted (FunnelPlotR)" in sub
    assert od.phi > 1  # the sample data's MMR1 is over-dispersed: the limits are widened
    assert f"over-dispersion adjusted: φ = {od.phi:.3f}, τ² = {od.tau2:.6f}" in sub
    assert f"all practices average ({x.sum() / n.sum():.1%}, pooled)" in sub
    assert "limits 95% (dashed) and 99.8% (solid)" in sub
    assert "Denominator: all patients" in sub


def test_funnel_draws_both_limits_and_every_practice_with_tooltips(app: AppTest):
    go(app, "pages/funnel.py")
    chart = chart_titled(app, "MMR1 by 24 months")
    curves = chart.data_with_column("limit")
    assert set(curves.get_column("level").to_list()) == {"95% limits", "99.8% limits"}
    assert set(curves.get_column("limit").to_list()) == {
        "funnel95_lower",
        "funnel95_upper",
        "funnel998_lower",
        "funnel998_upper",
    }
    # The 99.8% funnel is wider than the 95% one at every denominator.
    wide = curves.pivot(on="limit", index="denominator", values="y")
    assert (wide["funnel998_lower"] <= wide["funnel95_lower"]).all()
    assert (wide["funnel998_upper"] >= wide["funnel95_upper"]).all()
    points = chart.data_with_column("flag")
    assert points.height == 36
    data = expected_values("IMM_MMR1", latest_period())
    got = points.select("practice_id", "numerator", "denominator").sort("practice_id")
    assert got.to_dicts() == data.select("practice_id", "numerator", "denominator").to_dicts()
    dots = [layer for layer in chart.layers if "tooltip" in layer.get("encoding", {})]
    assert len(dots) == 1
    tooltip = [t["field"] for t in dots[0]["encoding"]["tooltip"]]
    assert tooltip[:2] == ["label", "network_name"]
    # The chosen network (Bow Common) is highlighted.
    mine = points.filter(pl.col("in_network"))
    assert set(mine["network_name"].to_list()) == {"Bow Common"}
    assert set(mine["group"].to_list()) == {"chosen network"}


def test_funnel_outliers_are_listed_and_labelled(app: AppTest):
    go(app, "pages/funnel.py")
    chart = chart_titled(app, "MMR1 by 24 months")
    points = chart.data_with_column("flag")
    outside = points.filter(pl.col("status") != "within limits")
    assert outside.height >= 1  # the sample data has outliers on MMR1
    listed = pl.from_pandas(app.dataframe[0].value)
    assert sorted(listed["Practice"].str.replace("◆ ", "").to_list()) == sorted(
        outside["label"].to_list()
    )
    # Each practice's status is what the statistics core says for the numbers in the data file.
    data = expected_values("IMM_MMR1", latest_period())
    result = funnel_limits(
        data["numerator"].to_numpy().astype(float), data["denominator"].to_numpy().astype(float)
    )
    status = {
        pid: "outside 99.8%"
        if o998 != "none"
        else "outside 95%"
        if o95 != "none"
        else "within limits"
        for pid, o95, o998 in zip(
            data["practice_id"], result.outlier95, result.outlier998, strict=True
        )
    }
    assert dict(points.select("practice_id", "status").iter_rows()) == status
    # Every outlier is labelled on the chart (labels are drawn in several text layers,
    # "labels_left", "labels_right_bold", …).
    label_layers = [
        i for i, layer in enumerate(chart.layers) if layer.get("name", "").startswith("labels_")
    ]
    assert label_layers
    labelled = {
        label for i in label_layers for label in chart.layer_data(i).get_column("label").to_list()
    }
    assert set(outside["label"].to_list()) <= labelled


def test_funnel_method_and_benchmark_options(app: AppTest):
    go(app, "pages/funnel.py")
    app.selectbox(key="method").set_value("wilson").run()
    no_exception(app)
    sub = chart_titled(app, "MMR1 by 24 months").subtitle
    assert "Inverted Wilson, no over-dispersion (PHEindicatormethods)" in sub
    assert "φ" not in sub
    app.selectbox(key="benchmark").set_value("target").run()
    no_exception(app)
    chart = chart_titled(app, "MMR1 by 24 months")
    assert "Benchmark: target 95%" in chart.subtitle
    rule = [i for i in chart.layers_with_mark("rule") if chart.layers[i].get("name") == "benchmark"]
    assert [chart.layer_data(i)["benchmark"].item() for i in rule] == [0.95]
    choose(app, "network", "N3")
    app.selectbox(key="benchmark").set_value("network").run()
    no_exception(app)
    mmr1 = expected_values("IMM_MMR1", latest_period()).join(
        sample_table("practices").select("practice_id", "network_id"), on="practice_id"
    )
    old_market = mmr1.filter(pl.col("network_id") == "N3")
    value = old_market["numerator"].sum() / old_market["denominator"].sum()
    assert f"network average ({value:.1%}, pooled)" in chart_titled(app, "MMR1").subtitle


# --- trends and SPC -------------------------------------------------------------------------------


def _pooled_series(practice_ids: list[str]) -> dict:
    v = sample_table("values").filter(
        (pl.col("indicator_id") == "IMM_MMR1") & pl.col("practice_id").is_in(practice_ids)
    )
    g = v.group_by("period").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    return {
        r["period"].isoformat(): r["numerator"] / r["denominator"] for r in g.iter_rows(named=True)
    }


def test_trend_lines_are_the_practice_its_network_and_all_practices(app: AppTest):
    choose(app, "network", "N2")
    choose(app, "practice", "P007")
    go(app, "pages/trends.py")
    chart = chart_titled(app, "Mariners Medical Centre: MMR1 by 24 months")
    lines = chart.data_with_column("series")
    assert set(lines["series"].unique().to_list()) == {
        "Mariners Medical Centre",
        "Canal Basin (network average)",
        "All practices",
    }
    canal = sample_table("practices").filter(pl.col("network_id") == "N2")["practice_id"]
    expected = {
        "Mariners Medical Centre": _pooled_series(["P007"]),
        "Canal Basin (network average)": _pooled_series(canal.to_list()),
        "All practices": _pooled_series(sample_table("practices")["practice_id"].to_list()),
    }
    for row in lines.iter_rows(named=True):
        want = expected[row["series"]][row["period"][:10]]
        assert row["value"] == pytest.approx(want, rel=1e-12)
    assert lines.filter(pl.col("series") == "All practices").height == 36
    # The target is drawn.
    rules = chart.layers_with_mark("rule")
    assert [chart.layer_data(i)["target"].item() for i in rules] == [0.95]


def test_spc_chart_has_mdc_point_types_limits_and_icons(app: AppTest):
    go(app, "pages/trends.py")
    spc = chart_titled(app, "SPC:")
    points = spc.data_with_column("point_type")
    assert points.height == 36
    assert set(points["point_type"].to_list()) <= {
        "common_cause",
        "improvement",
        "concern",
        "neutral_high",
        "neutral_low",
    }
    colour = spc.layers[spc.layers_with_mark("point")[-1]]["encoding"]["color"]["scale"]
    assert colour["range"][:3] == ["#7B7D7D", "#289DE0", "#FAB428"]  # MDC grey, blue, orange
    mean = points["mean"].unique()
    assert mean.len() == 1
    assert mean.item() == pytest.approx(points["value"].mean(), rel=1e-12)
    assert (points["lpl"] < points["mean"]).all() and (points["upl"] > points["mean"]).all()
    assert "XmR chart" in spc.subtitle and "improvement = increase" in spc.subtitle
    # The two Making Data Count icons are drawn (SVG) with their words.
    images = app.get("image")
    assert len(images) == 2
    for image in images:
        assert image.proto.imgs[0].url.startswith("data:image/svg+xml;base64,")
    captions = texts(app, "caption")
    assert any(c.startswith(("Special cause", "Common cause")) for c in captions)
    assert any(
        c in captions
        for c in (
            "Consistently passing the target",
            "Consistently failing the target",
            "Hit and miss: the target lies within the limits",
        )
    )


def test_spc_rebase_and_p_chart(app: AppTest):
    go(app, "pages/trends.py")
    app.multiselect(key="rebase").set_value(["2025-03-01"]).run()
    no_exception(app)
    points = chart_titled(app, "SPC:").data_with_column("point_type")
    before = points.filter(pl.col("date").str.slice(0, 10) < "2025-03-01")
    after = points.filter(pl.col("date").str.slice(0, 10) >= "2025-03-01")
    assert before["mean"].unique().len() == 1 and after["mean"].unique().len() == 1
    assert before["mean"][0] == pytest.approx(before["value"].mean(), rel=1e-12)
    assert after["mean"][0] == pytest.approx(after["value"].mean(), rel=1e-12)
    assert before["mean"][0] != after["mean"][0]

    app.multiselect(key="rebase").set_value([]).run()
    app.radio(key="spc_kind").set_value("p").run()
    no_exception(app)
    spc = chart_titled(app, "SPC:")
    assert "p-chart" in spc.subtitle
    points = spc.data_with_column("point_type")
    # p-chart limits depend on each month's denominator, so they vary from point to point.
    assert points["upl"].n_unique() > 1


def test_trend_of_the_network(app: AppTest):
    choose(app, "network", "N5")
    go(app, "pages/trends.py")
    app.radio(key="trend_subject").set_value("network").run()
    no_exception(app)
    chart = chart_titled(app, "Wharfside (network average): MMR1 by 24 months")
    lines = chart.data_with_column("series")
    assert set(lines["series"].unique().to_list()) == {
        "Wharfside (network average)",
        "All practices",
    }
    choose(app, "network", "all")
    assert "Choose a network in the sidebar to see its trend." in texts(app, "info")


# --- networks and incentives ----------------------------------------------------------------------


def _network_values(indicator_id: str) -> pl.DataFrame:
    values = expected_values(indicator_id, latest_period()).join(
        practice_network().select("practice_id", "network_id", "network_name"), on="practice_id"
    )
    return values.group_by("network_id", "network_name").agg(
        (pl.col("numerator").sum() / pl.col("denominator").sum()).alias("value"),
        pl.len().alias("practices"),
    )


def test_networks_page_shows_pooled_averages_against_the_network_target(app: AppTest):
    go(app, "pages/networks.py")
    nets = _network_values("IMM_MMR1")
    meeting = nets.filter(pl.col("value") >= 0.95).height
    metric = app.metric[0]
    assert metric.label == "Networks meeting the network target"
    assert metric.value == f"{meeting} of 8"
    bars = chart_titled(app, "Network averages, Sep 2026")
    drawn = bars.data_with_column("status")
    for row in drawn.iter_rows(named=True):
        want = nets.filter(pl.col("network_id") == row["network_id"]).row(0, named=True)
        assert row["value"] == pytest.approx(want["value"], rel=1e-12)
        assert row["practices"] == want["practices"]
        assert row["status"] == ("✔ meets target" if want["value"] >= 0.95 else "✖ below target")
    assert [bars.layer_data(i)["target"].item() for i in bars.layers_with_mark("rule")] == [0.95]
    spread = chart_titled(app, "Spread of practices within each network")
    assert spread.data_with_column("label").height == 36


def _expected_incentives(contract: float, upfront: float) -> dict[str, float]:
    indicators = sample_table("indicators").filter(pl.col("network_target").is_not_null())
    earned = {}
    met: dict[str, int] = {}
    for ind in indicators.iter_rows(named=True):
        for row in _network_values(ind["indicator_id"]).iter_rows(named=True):
            ok = row["value"] >= ind["network_target"]
            met[row["network_name"]] = met.get(row["network_name"], 0) + int(ok)
    for name, k in met.items():
        earned[name] = contract * upfront + contract * (1 - upfront) * k / indicators.height
    return earned


def test_incentives_pay_70_percent_up_front_and_the_rest_per_target_met(app: AppTest):
    go(app, "pages/networks.py")
    assert app.number_input(key="contract_value").value == 100_000
    assert app.slider(key="upfront_pct").value == 70
    table = pl.from_pandas(app.dataframe[-1].value)
    assert table.height == 8
    assert (table["Up front £"] == 70_000).all()
    assert (table["At risk £"] == 30_000).all()
    expected = _expected_incentives(100_000, 0.70)
    for row in table.iter_rows(named=True):
        assert row["Earned at today's averages £"] == pytest.approx(expected[row["Network"]])
        assert row["Not earned £"] == pytest.approx(100_000 - expected[row["Network"]])
    assert table.filter(pl.col("Yours") == "◆")["Network"].to_list() == ["Bow Common"]

    app.number_input(key="contract_value").set_value(200_000).run()
    app.slider(key="upfront_pct").set_value(50).run()
    no_exception(app)
    table = pl.from_pandas(app.dataframe[-1].value)
    assert (table["Up front £"] == 100_000).all()
    expected = _expected_incentives(200_000, 0.50)
    for row in table.iter_rows(named=True):
        assert row["Earned at today's averages £"] == pytest.approx(expected[row["Network"]])


def test_networks_page_for_an_indicator_without_network_target(app: AppTest):
    choose(app, "indicator", "DM_HBA1C")
    go(app, "pages/networks.py")
    assert "This indicator has no network target: averages are shown without one." in texts(
        app, "info"
    )
    assert not app.metric


# --- data page ------------------------------------------------------------------------------------


def test_data_page_says_what_is_loaded(app: AppTest):
    go(app, "pages/data.py")
    metrics = {m.label: m.value for m in app.metric}
    values = sample_table("values")
    assert metrics == {
        "Networks": "8",
        "Practices": "36",
        "Indicators": str(sample_table("indicators").height),
        "Periods": str(values["period"].n_unique()),
        "Values": f"{values.height:,}",
    }
    assert app.header[0].value == "Riverbank sample borough (fictional)"
    # Validation: every warning of the loaded data set is listed, and "no warnings" only if none.
    warnings = load_dataset(SAMPLE).warnings
    assert warnings, "the sample data has small denominators to warn about"
    assert texts(app, "warning") == [str(w) for w in warnings]
    assert not any("No warnings" in s.value for s in app.success)


def test_data_page_loads_another_folder(app: AppTest, tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    go(app, "pages/data.py")
    app.text_input[0].set_value(str(folder))
    app.button[0].click().run()
    no_exception(app)
    assert app.sidebar.selectbox(key="data").value == "custom"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Practices"] == "6"
    assert app.header[0].value == "Tiny test borough"


def _button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def test_data_page_loads_uploaded_files(app: AppTest, tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    go(app, "pages/data.py")
    uploader = app.get("file_uploader")[0]
    assert uploader.proto.label == "Or upload the four table files"
    files = [(f.name, f.read_bytes(), "text/csv") for f in sorted(folder.glob("*.csv"))]
    assert len(files) == 4
    uploader.set_value(files)
    _button(app, "Check and load uploads").click().run()
    no_exception(app)
    assert app.sidebar.selectbox(key="data").value == "custom"
    assert {m.label: m.value for m in app.metric}["Practices"] == "6"


def test_data_page_names_an_uploaded_file_it_cannot_use(app: AppTest):
    go(app, "pages/data.py")
    app.get("file_uploader")[0].set_value([("practise.csv", b"a,b\n1,2\n", "text/csv")])
    _button(app, "Check and load uploads").click().run()
    assert not app.exception
    errors = texts(app, "error")
    assert len(errors) == 1
    assert errors[0].startswith("practise.csv: not a table of a data set")
    assert app.sidebar.selectbox(key="data").value == "sample"


def test_data_page_explains_a_folder_that_cannot_be_loaded(app: AppTest, tmp_path):
    go(app, "pages/data.py")
    app.text_input[0].set_value(str(tmp_path / "missing"))
    app.button[0].click().run()
    assert not app.exception
    errors = texts(app, "error")
    assert len(errors) == 1
    assert "missing" in errors[0] and "no such folder" in errors[0]
    # The sample data stays loaded.
    assert app.sidebar.selectbox(key="data").value == "sample"


# --- everywhere: URL, presentation mode -----------------------------------------------------------


def test_a_link_reproduces_the_view():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {
            "network": "Canal Basin",
            "indicator": "Diabetic retinal screening attended",
            "period": "Mar 2026",
            "net_exceptions": "true",
        }
    )
    at.run()
    no_exception(at)
    assert at.sidebar.selectbox(key="network").value == "N2"
    assert at.sidebar.selectbox(key="indicator").value == "DM_RETINAL"
    assert at.sidebar.selectbox(key="period").value == "2026-03-01"
    assert at.sidebar.toggle(key="net_exceptions").value is True
    at.switch_page("pages/league.py").run()
    no_exception(at)
    assert at.title[0].value == "League table: Diabetic retinal screening attended"
    assert "Mar 2026" in league_caption(at)


def test_a_stale_link_falls_back_to_the_default_view():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"network": "No Such Network", "period": "Jan 1990"})
    at.run()
    no_exception(at)
    assert at.sidebar.selectbox(key="period").value == latest_period().isoformat()


@pytest.mark.parametrize("net", [False, True])
def test_every_chart_states_indicator_period_benchmark_method_and_exceptions(
    app: AppTest, net: bool
):
    choose(app, "net_exceptions", net)
    patients = "Denominator: net of exceptions" if net else "Denominator: all patients"
    seen = 0
    for page in ("pages/overview.py", "pages/funnel.py", "pages/trends.py", "pages/networks.py"):
        go(app, page)
        for chart in drawn_charts(app):
            sub = chart.subtitle
            assert chart.title, page
            for part in ("Sep 2026", "Benchmark: ", "Method: ", patients, "Source: "):
                assert part in sub, (page, chart.title, part)
            if page != "pages/overview.py":
                assert "MMR1 by 24 months" in chart.title + sub
            seen += 1
    assert seen == 7  # RAG, scatter, funnel, trend, SPC, network bars, spread
    go(app, "pages/league.py")
    caption = league_caption(app)
    for part in ("MMR1 by 24 months", "Sep 2026", "Benchmark: ", "Method: ", patients):
        assert part in caption


def test_presentation_mode_enlarges_fonts_and_charts(app: AppTest):
    small = chart_titled(app, "Bow Common:").spec["title"]["fontSize"]
    choose(app, "present", True)
    assert any("font-size: 22px" in m.value for m in app.markdown)
    assert chart_titled(app, "Bow Common:").spec["title"]["fontSize"] > small
    go(app, "pages/funnel.py")
    large = chart_titled(app, "MMR1").spec["title"]["fontSize"]
    choose(app, "present", False)
    assert large >= 16
    assert large > chart_titled(app, "MMR1").spec["title"]["fontSize"]


# --- summaries and data one click away --------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "charts"),
    [
        ("pages/overview.py", {"rag_chart": "RAG chart of ", "scatter_chart": "Scatter plot of "}),
        ("pages/league.py", {"compare_chart": "Bar chart of "}),
        ("pages/funnel.py", {"funnel_chart": "Funnel plot of "}),
        ("pages/trends.py", {"trend_chart": "Trend of ", "spc_chart": "SPC chart of "}),
        (
            "pages/networks.py",
            {"network_bars": "Averages of ", "practice_spread": "Values of "},
        ),
    ],
)
def test_each_chart_shows_its_summary_and_offers_its_data_as_csv(
    app: AppTest, page: str, charts: dict[str, str]
):
    go(app, page)
    captions = texts(app, "caption")
    descriptions = [c.spec.get("description", "") for c in drawn_charts(app)]
    for starts in charts.values():
        # The chart's text alternative, also written under it for everyone.
        said = [c for c in captions if c.startswith(starts)]
        assert len(said) == 1, (starts, captions)
        assert said[0] in descriptions
    buttons = {b.proto.id: b.proto.label for b in app.get("download_button")}
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels.count("Data (CSV)") == len(charts), buttons
    for b in app.get("download_button"):
        assert not b.proto.label.startswith(("⬇", "📥"))  # a Material icon, not an emoji
        if b.proto.label == "Data (CSV)":
            assert b.proto.icon == ":material/download:"
