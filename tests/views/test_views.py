"""The tables the pages show (netcompare.views), on a hand-made data set whose every number is
worked out here: two networks of two practices, a higher-is-better indicator with a target, a
lower-is-better one and one without a target."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from netcompare.data.dataset import DataSet
from netcompare.data.indicator import Indicator
from netcompare.data.schema import schema
from netcompare.views.common import (
    LABEL_CODES,
    LABEL_LETTERS,
    PracticeRef,
    ViewOptions,
    chart_caption,
    effective_counts,
    practice_labels,
)
from netcompare.views.format import NOTES, VERDICT_WORDS, with_note_counts
from netcompare.views.funnel import funnel_view
from netcompare.views.league import league_table
from netcompare.views.networks import incentive_table, network_summary
from netcompare.views.rag import overview_view, rag_grid
from netcompare.views.trends import SPC_P, rebase_periods, trend_view
from tests.app.tiny_datasets import load_tables

DEC, JAN, FEB = dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)
NORTH = ViewOptions(network_id="N1")
SOUTH = ViewOptions(network_id="N2")

# (practice, indicator, period, numerator, denominator, exceptions)
VALUES = [
    ("A1", "HI", DEC, 78, 100, 0),
    ("A2", "HI", DEC, 72, 100, 20),
    ("B1", "HI", DEC, 58, 100, 0),
    ("B2", "HI", DEC, 86, 100, 0),
    ("A1", "HI", JAN, 80, 100, 0),
    ("A2", "HI", JAN, 70, 100, 25),
    ("B1", "HI", JAN, 62, 100, 0),
    ("B2", "HI", JAN, 88, 100, 0),
    ("A1", "HI", FEB, 85, 100, 0),  # green (target 80%)
    ("A2", "HI", FEB, 75, 100, 25),  # amber (70-80%); 75/75 net of exceptions: green
    ("B1", "HI", FEB, 60, 100, 0),  # red
    ("B2", "HI", FEB, 90, 100, 10),  # green
    ("A1", "LO", FEB, 15, 100, 0),  # lower is better, target 20%: green
    ("A2", "LO", FEB, 25, 100, 0),  # amber (20-30%)
    ("B1", "LO", FEB, 40, 100, 0),  # red
    ("B2", "LO", FEB, 20, 100, 0),  # green, at the target
    ("A1", "NT", FEB, 50, 100, 0),
    ("A2", "NT", FEB, 55, 100, 0),
    ("B1", "NT", FEB, 60, 100, 0),
    ("B2", "NT", FEB, 65, 100, 0),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> DataSet:
    networks = pl.DataFrame(
        {
            "network_id": ["N1", "N2"],
            "network_name": ["North", "South"],
            "parent_area": ["Town", "Town"],
        }
    )
    practices = pl.DataFrame(
        {
            "practice_id": ["A1", "A2", "B1", "B2"],
            "practice_name": ["Alder", "Birch", "Cedar", "Damson"],
            "network_id": ["N1", "N1", "N2", "N2"],
            "list_size": [5000, 6000, 7000, 8000],
            "share_name": [True, False, True, True],  # Birch is named only inside North
        }
    )
    indicators = pl.DataFrame(
        {
            "indicator_id": ["HI", "LO", "NT"],
            "name": ["Higher is better", "Lower is better", "No target"],
            "care_package": ["Pack", "Pack", "Other"],
            "description": [None, None, None],
            "polarity": ["high", "low", "high"],
            "target": [0.8, 0.2, None],
            "amber_threshold": [0.7, 0.3, None],
            "network_target": [0.75, 0.25, None],
            "source": ["test"] * 3,
        },
        schema_overrides={
            "description": pl.String,
            "target": pl.Float64,
            "amber_threshold": pl.Float64,
            "network_target": pl.Float64,
        },
    )
    values = pl.DataFrame(
        VALUES,
        schema={
            "practice_id": pl.String,
            "indicator_id": pl.String,
            "period": pl.Date,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "exceptions": pl.Int64,
        },
        orient="row",
    )
    tables = {
        "networks": networks,
        "practices": practices,
        "indicators": indicators,
        "values": values,
    }
    return load_tables(tmp_path_factory.mktemp("views") / "data", tables)


# --- common: counts, labels, captions ----------------------------------------------------------


def test_effective_counts_all_patients_or_net_of_exceptions():
    frame = pl.DataFrame(
        {"numerator": [75, 0, 3], "denominator": [100, 5, 4], "exceptions": [25, 5, None]}
    )
    assert effective_counts(frame, False)["value"].to_list() == [0.75, 0.0, 0.75]
    net = effective_counts(frame, True)
    assert net["denominator"].to_list() == [75, 0, 4]
    assert net["value"].to_list() == [1.0, None, 0.75]  # nobody left: no value, no crash


def test_practice_labels_hide_a_practice_outside_its_network(data: DataSet):
    north = dict(practice_labels(data, NORTH).select("practice_id", "label").iter_rows())
    assert north == {"A1": "Alder", "A2": "Birch", "B1": "Cedar", "B2": "Damson"}
    south = dict(practice_labels(data, SOUTH).select("practice_id", "label").iter_rows())
    assert south["A2"] == "Practice B"  # letters follow practice code order
    assert south["B1"] == "Cedar"
    letters = practice_labels(data, ViewOptions(network_id="N1", labels=LABEL_LETTERS))
    assert letters["label"].to_list() == ["Practice A", "Practice B", "Practice C", "Practice D"]
    codes = practice_labels(data, ViewOptions(network_id="N2", labels=LABEL_CODES))
    assert codes["label"].to_list() == ["A1", "Practice B", "B1", "B2"]


def test_chart_caption_states_indicator_period_benchmark_method_and_patients():
    caption = chart_caption(
        "MMR1", FEB, benchmark="target 95%", method="Wilson", net_of_exceptions=True, source="S"
    )
    assert caption == (
        "MMR1 · Feb 2025 · Benchmark: target 95% · Method: Wilson · Denominator: net of "
        "exceptions (excepted patients left out of the denominator) · Source: S"
    )


# --- the RAG grid ---------------------------------------------------------------------------------


def _cells(grid: pl.DataFrame, indicator: str) -> list[tuple[str, str, float | None]]:
    rows = grid.filter(pl.col("indicator_id") == indicator).sort("row_order")
    return list(rows.select("row_label", "rag", "value").iter_rows())


def test_rag_grid_rows_and_ratings_for_one_network(data: DataSet):
    grid = rag_grid(data, FEB, NORTH)
    assert _cells(grid, "HI") == [
        ("Alder", "green", 0.85),
        ("Birch", "amber", 0.75),
        ("North (network)", "green", 0.80),  # pooled 160/200, at the target
        ("All practices", "amber", 0.775),  # pooled 310/400
    ]
    assert _cells(grid, "LO") == [
        ("Alder", "green", 0.15),
        ("Birch", "amber", 0.25),
        ("North (network)", "green", 0.20),
        ("All practices", "amber", 0.25),
    ]
    assert [r[1] for r in _cells(grid, "NT")] == ["none"] * 4
    assert grid.height == 4 * 3
    assert grid.select("row_kind").unique(maintain_order=True)["row_kind"].to_list() == [
        "practice",
        "network",
        "all",
    ]


def test_rag_grid_for_all_networks_and_net_of_exceptions(data: DataSet):
    grid = rag_grid(data, FEB, ViewOptions())
    assert _cells(grid, "HI") == [
        ("North (network)", "green", 0.80),
        ("South (network)", "amber", 0.75),
        ("All practices", "amber", 0.775),
    ]
    net = rag_grid(data, FEB, ViewOptions(network_id="N1", net_of_exceptions=True))
    assert _cells(net, "HI")[1] == ("Birch", "green", 1.0)


def test_rag_grid_care_package_and_a_network_without_data(data: DataSet):
    grid = rag_grid(data, FEB, SOUTH, care_package="Other")
    assert set(grid["indicator_id"].to_list()) == {"NT"}
    # LO has no values in January: every cell says so, and every row keeps its name.
    empty = rag_grid(data, JAN, SOUTH, care_package="Pack")
    lo = _cells(empty, "LO")
    assert [r[0] for r in lo] == ["Cedar", "Damson", "South (network)", "All practices"]
    assert {r[1] for r in lo} == {"no data"}


# --- league table -------------------------------------------------------------------------------


def test_league_table_ranks_every_practice_with_change_and_trend(data: DataSet):
    league = league_table(data, "HI", FEB, NORTH)
    table = league.table
    assert table.columns == [
        "rank",
        "rank_lower",
        "rank_upper",
        "label",
        "network_name",
        "in_network",
        "numerator",
        "denominator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "rag",
        "verdict",
        "comparison",
        "change",
        "recent_trend",
        "trend",
        "small_n",
        "practice_id",
        "network_id",
    ]
    assert table["label"].to_list() == ["Damson", "Alder", "Birch", "Cedar"]
    assert table["rank"].to_list() == [1, 2, 3, 4]
    assert (table["rank_lower"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_upper"]).all()
    assert table["in_network"].to_list() == [False, True, True, False]
    assert table["rag"].to_list() == ["green", "green", "amber", "red"]
    assert table["change"].to_list() == pytest.approx([0.02, 0.05, 0.05, -0.02])
    assert table["trend"].to_list()[1] == pytest.approx([0.78, 0.80, 0.85])
    # Three periods: too few for the 5-point recent trend.
    assert set(table["recent_trend"]) == {"cannot_be_calculated"}
    assert league.previous_period == JAN
    assert league.comparison.group_label == "practices in Town"


def test_league_table_lower_is_better_and_anonymised(data: DataSet):
    table = league_table(data, "LO", FEB, SOUTH).table
    assert table["label"].to_list() == ["Alder", "Damson", "Practice B", "Cedar"]
    assert table["change"].is_null().all()  # no earlier period
    letters = league_table(data, "HI", FEB, ViewOptions(network_id="N1", labels=LABEL_LETTERS))
    assert set(letters.table["label"].to_list()) == {
        "Practice A",
        "Practice B",
        "Practice C",
        "Practice D",
    }


def test_league_table_benchmarks(data: DataSet):
    target = league_table(data, "HI", FEB, NORTH, benchmark="target").comparison
    assert target.benchmark_label == "target 80%"
    assert target.summary.benchmark == 0.8
    network = league_table(data, "HI", FEB, NORTH, benchmark="network").comparison
    assert network.summary.benchmark == pytest.approx(0.8)
    assert network.benchmark_label == "network average (80.0%, pooled)"
    none = league_table(data, "NT", FEB, NORTH, benchmark="target").comparison
    assert none.notes == ("This indicator has no target: the benchmark is all practices instead.",)


# --- funnel ---------------------------------------------------------------------------------------


def test_funnel_view_outliers_agree_with_the_limits(data: DataSet):
    for method in ("arcsine-od", "arcsine", "wilson"):
        funnel = funnel_view(data, "HI", FEB, NORTH, method=method)
        points = funnel.points
        assert points.height == 4
        for p in points.iter_rows(named=True):
            in95 = p["funnel95_lower"] <= p["value"] <= p["funnel95_upper"]
            in998 = p["funnel998_lower"] <= p["value"] <= p["funnel998_upper"]
            want = "within limits" if in95 else "outside 95%" if in998 else "outside 99.8%"
            assert p["status"] == want, (method, p["label"])
        outliers = funnel.outliers
        assert set(outliers["practice_id"].to_list()) == set(
            points.filter(pl.col("status") != "within limits")["practice_id"].to_list()
        )
        centre = funnel.comparison.summary.benchmark
        for o in outliers.iter_rows(named=True):
            assert o["direction"] == ("high" if o["value"] > centre else "low")
        grid = funnel.grid
        assert grid.height > 100
        assert (grid["funnel998_lower"] <= grid["funnel95_lower"]).all()
        assert (grid["funnel95_upper"] <= grid["funnel998_upper"]).all()


def test_funnel_view_unadjusted_flags_b1_as_low(data: DataSet):
    # Without over-dispersion adjustment, 60/100 against the pooled 77.5% is far outside 99.8%.
    funnel = funnel_view(data, "HI", FEB, NORTH, method="arcsine")
    b1 = funnel.points.filter(pl.col("practice_id") == "B1").row(0, named=True)
    assert b1["status"] == "outside 99.8%"
    assert funnel.outliers.filter(pl.col("practice_id") == "B1")["direction"].item() == "low"
    assert funnel.comparison.summary.benchmark == pytest.approx(0.775)


# --- trends ---------------------------------------------------------------------------------------


def test_trend_view_practice_against_network_and_all(data: DataSet):
    trend = trend_view(data, "HI", NORTH, practice_id="A1")
    assert trend.subject_label == "Alder"
    lines = {
        (s, p.isoformat()): v
        for s, p, v in trend.lines.select("series", "period", "value").iter_rows()
    }
    assert lines[("Alder", "2025-02-01")] == 0.85
    assert lines[("North (network average)", "2025-02-01")] == pytest.approx(0.80)
    assert lines[("All practices", "2025-02-01")] == pytest.approx(0.775)
    assert lines[("North (network average)", "2024-12-01")] == pytest.approx(0.75)
    assert len(lines) == 9
    assert trend.spc["value"].to_list() == [0.78, 0.80, 0.85]
    assert trend.spc["mean"].to_list() == pytest.approx([(0.78 + 0.80 + 0.85) / 3] * 3)
    assert trend.improvement == "increase"
    assert trend.target == 0.8


def test_trend_view_network_and_p_chart(data: DataSet):
    trend = trend_view(data, "HI", SOUTH, practice_id=None, until=JAN, chart=SPC_P)
    assert trend.subject_label == "South (network average)"
    assert set(trend.lines["series"].to_list()) == {"South (network average)", "All practices"}
    assert trend.spc.height == 2  # until January
    p_bar = (58 + 86 + 62 + 88) / 400
    assert trend.spc["mean"].to_list() == pytest.approx([p_bar, p_bar])
    width = 3 * (p_bar * (1 - p_bar) / 200) ** 0.5
    assert trend.spc["upl"].to_list() == pytest.approx([p_bar + width] * 2)


# --- networks and incentives ----------------------------------------------------------------------


def test_network_summary_pooled_values_and_who_meets_the_target(data: DataSet):
    hi = network_summary(data, "HI", FEB, NORTH)
    rows = list(hi.networks.select("network_name", "value", "meets", "in_network").iter_rows())
    assert rows == [
        ("North", pytest.approx(0.80), True, True),
        ("South", pytest.approx(0.75), True, False),  # at the network target of 75%
    ]
    assert hi.share_meeting == 1.0
    assert hi.practices.height == 4
    lo = network_summary(data, "LO", FEB, NORTH)
    rows = list(lo.networks.select("network_name", "value", "meets").iter_rows())
    # Lower is better: sorted best first; South's 30% misses the 25% network target.
    assert rows == [("North", pytest.approx(0.20), True), ("South", pytest.approx(0.30), False)]
    assert lo.share_meeting == 0.5
    none = network_summary(data, "NT", FEB, NORTH)
    assert none.share_meeting is None
    assert none.networks["meets"].is_null().all()


def test_incentive_table_arithmetic(data: DataSet):
    incentives = incentive_table(data, FEB, NORTH, contract_value=100_000, upfront_share=0.7)
    table = incentives.table
    assert sorted(incentives.indicator_ids) == ["HI", "LO"]
    rows = {r["network_name"]: r for r in table.iter_rows(named=True)}
    assert rows["North"]["targets"] == 2 and rows["North"]["met"] == 2
    assert rows["North"]["upfront"] == 70_000 and rows["North"]["at_risk"] == 30_000
    assert rows["North"]["earned"] == 100_000 and rows["North"]["lost"] == 0
    assert rows["South"]["met"] == 1
    assert rows["South"]["earned"] == pytest.approx(70_000 + 30_000 / 2)
    assert rows["South"]["lost"] == pytest.approx(15_000)
    assert table["network_name"].to_list() == ["North", "South"]  # most earned first
    assert table["in_network"].to_list() == [True, False]
    assert incentives.shown["Yours"].to_list() == ["◆", ""]
    assert incentives.shown["Targets met"].to_list() == ["2 of 2", "1 of 2"]
    assert incentives.at_risk_words == (
        "At risk: 30%, over the indicators with a network target in all care packages."
    )
    half = incentive_table(data, FEB, SOUTH, contract_value=50_000, upfront_share=0.5).table
    south = half.filter(pl.col("network_name") == "South").row(0, named=True)
    assert south["earned"] == pytest.approx(25_000 + 25_000 / 2)
    other = incentive_table(data, FEB, NORTH, care_package="Other")
    assert other.indicator_ids == ()
    assert set(other.table["earned"].to_list()) == {70_000.0}  # nothing at risk can be earned
    with pytest.raises(ValueError, match="between 0 and 1"):
        incentive_table(data, FEB, NORTH, upfront_share=1.5)


# --- what the pages show: tables as shown and their words --------------------------------------


def test_league_as_shown_marks_the_network_and_states_the_method(data: DataSet):
    league = league_table(data, "HI", FEB, NORTH)
    shown = league.shown
    assert shown["Practice"].to_list() == ["Damson", "Alder", "Birch", "Cedar"]
    assert shown["Yours"].to_list() == ["", "◆", "◆", ""]
    assert shown["Value %"].to_list() == pytest.approx([90.0, 85.0, 75.0, 60.0])
    assert shown["RAG"].to_list() == ["✔ green", "✔ green", "▲ amber", "✖ red"]
    assert shown["Change (pts)"].to_list() == ["+2.0", "+5.0", "+5.0", "-2.0"]
    assert shown["vs benchmark"].to_list() == [
        VERDICT_WORDS[v] for v in league.table["verdict"].to_list()
    ]
    assert "vs benchmark (95% CI, second method)" in shown.columns
    assert "practice_id" not in shown.columns
    assert [p.practice_id for p in league.practices] == ["B2", "A1", "A2", "B1"]
    assert [p.network_id for p in league.practices] == ["N2", "N1", "N1", "N2"]
    assert league.caption.startswith("Higher is better · Feb 2025 · Benchmark: all practices")
    assert "rank interval from 1,000 Beta-posterior draws (seed 1)" in league.caption
    assert league.caption.endswith(" · Ranked among practices in Town · Change since Jan 2025")
    assert league.target_note is None
    assert league.yours_help == "◆ = a practice in North"
    assert league_table(data, "NT", FEB, NORTH).target_note == (
        "This indicator has no target: RAG shows 'none'."
    )
    mine = league_table(data, "HI", FEB, NORTH, only_network=True)
    assert mine.shown["Practice"].to_list() == ["Alder", "Birch"]
    assert mine.table["rank"].to_list() == [2, 3]  # still ranked among all
    everyone = league_table(data, "HI", FEB, ViewOptions(), only_network=True)
    assert everyone.table.height == 4  # no network chosen: nothing to keep to


def test_notes_counts_sit_next_to_the_practice_name(data: DataSet):
    league = league_table(data, "HI", FEB, NORTH)
    counts = pl.DataFrame({"practice_id": ["A2", "Z9"], "n_notes": [3, 1]})
    shown = with_note_counts(league.shown, league.practice_ids, counts)
    assert shown.columns[3:6] == ["Practice", NOTES, "Network"]
    assert shown[NOTES].to_list() == [0, 0, 3, 0]


def test_funnel_view_words_and_outliers_as_listed(data: DataSet):
    funnel = funnel_view(data, "HI", FEB, NORTH, method="arcsine")
    assert funnel.title == "Higher is better, Feb 2025: 4 practices"
    assert "unadjusted limits (no over-dispersion adjustment requested)" in funnel.caption
    assert funnel.caption.startswith("Higher is better · Feb 2025 · Benchmark: all practices")
    listed = dict(zip(funnel.outliers["practice_id"], funnel.outliers_shown.rows(), strict=True))
    assert listed["B1"] == ("Cedar", "60.0%", "▼▼ worse (outside 99.8% limits)")
    assert funnel.outliers_key == "◆ = a practice in North"
    assert funnel_view(data, "HI", FEB, ViewOptions(), method="arcsine").outliers_key is None
    assert funnel.y_title == "Higher is better (%)"
    assert funnel.benchmark == pytest.approx(0.775)
    b1 = funnel.point("B1")
    assert b1 is not None and b1.practice.network_id == "N2"
    assert b1.words.startswith("60.0% (60 of 100), 95% CI ")
    assert b1.words.endswith(": ▼▼ worse (outside 99.8% limits).")
    assert funnel.point("nobody") is None
    wilson = funnel_view(data, "HI", FEB, NORTH, method="wilson").caption
    assert (
        "Inverted Wilson, no over-dispersion (PHEindicatormethods); no over-dispersion " in wilson
    )


def test_overview_view_cells_and_targets_met(data: DataSet):
    overview = overview_view(data, FEB, NORTH)
    assert overview.title == "North: all care packages, Feb 2025"
    assert "Benchmark: the indicator's target" in overview.caption
    assert overview.no_data is None and overview.too_many is None and overview.wide is None
    cell = overview.cell("A2", "HI")
    assert cell is not None
    assert cell.words == (
        "75.0% (75 of 100); target 80%; RAG: amber; vs benchmark: ● similar (within limits)."
    )
    assert cell.practice == PracticeRef("A2", "Birch", "N1")
    network = overview.cell("N1", "NT")
    assert network is not None and network.practice is None
    assert network.words == "52.5% (105 of 200); target none; RAG: none."  # 50 + 55 of 100 + 100
    assert overview.cell("A2", "nothing") is None
    assert overview.practice_ids == ["A1", "A2"]
    assert overview.targets_met_shown.rows() == [("Alder", 2, 0, 0), ("Birch", 0, 2, 0)]
    assert overview.targets_met_shown.columns == ["Practice", "✔ green", "▲ amber", "✖ red"]
    empty = overview_view(data, JAN, SOUTH, care_package="Other")
    assert empty.no_data == "No data for Jan 2025 in South: choose another period."


def test_network_summary_words(data: DataSet):
    summary = network_summary(data, "LO", FEB, NORTH)
    assert summary.meeting == "1 of 2"
    assert summary.meeting_help == "50% of networks; network target 25%"
    assert "Benchmark: network target 25%" in summary.caption
    assert "Method: pooled network average (Σ numerator / Σ denominator)" in summary.caption
    assert "Method: practice values" in summary.spread_caption
    assert summary.chart_order == ("North", "South")
    assert summary.subset_note is None and summary.table is None and summary.singles_note is None
    assert summary.chart_practices.height == 4


def test_trend_view_titles_and_captions(data: DataSet):
    trend = trend_view(data, "HI", NORTH, practice_id="A2", until=FEB)
    assert trend.title == "Birch: Higher is better"
    assert trend.spc_title == "SPC: Birch"
    assert "Benchmark: North and all practices (pooled averages) · Method: monthly values" in (
        trend.caption
    )
    assert "Benchmark: the series' own mean; target 80%" in trend.spc_caption
    assert "XmR chart" in trend.spc_caption and "improvement = increase" in trend.spc_caption
    assert trend.practice == PracticeRef("A2", "Birch", "N1")
    p_chart = trend_view(data, "HI", SOUTH, practice_id=None, until=FEB, chart=SPC_P)
    assert p_chart.practice is None
    assert p_chart.title == "South (network average): Higher is better"
    assert "Method: p-chart, limits p̄ ± 3√(p̄(1−p̄)/n)" in p_chart.spc_caption
    assert rebase_periods(data, "HI", FEB) == [JAN, FEB]
    with pytest.raises(ValueError, match="unknown SPC chart"):
        trend_view(data, "HI", NORTH, practice_id="A1", chart="xbar")


def test_indicator_is_a_typed_record(data: DataSet):
    hi = data.indicator("HI")
    assert hi == Indicator(
        indicator_id="HI",
        name="Higher is better",
        care_package="Pack",
        description=None,
        polarity="high",
        target=0.8,
        amber_threshold=0.7,
        network_target=0.75,
        source="test",
        period_type="month",  # the indicators table has no period_type column: the default
    )
    assert data.indicator("NT").target is None
    with pytest.raises(KeyError):
        data.indicator("nothing")


def test_indicator_reads_an_optional_period_type():
    row = {"indicator_id": "Y", "name": "Yearly", "care_package": "P", "polarity": "low"}
    assert Indicator.from_row(row).period_type == "month"
    assert Indicator.from_row(row | {"period_type": "year"}).period_type == "year"
    assert Indicator.from_row(row).target is None and Indicator.from_row(row).polarity == "low"


def test_many_networks_chart_the_top_and_bottom_twenty_and_yours(tmp_path):
    n = 45
    ids = [f"N{i:02d}" for i in range(n)]
    tables = {
        "networks": pl.DataFrame({"network_id": ids, "network_name": [f"Net {i}" for i in ids]}),
        "practices": pl.DataFrame(
            {"practice_id": [f"P{i}" for i in ids], "practice_name": ids, "network_id": ids}
        ),
        "indicators": pl.DataFrame(
            {"indicator_id": ["X"], "name": ["X"], "care_package": ["P"], "network_target": [0.5]}
        ),
        "values": pl.DataFrame(
            {
                "practice_id": [f"P{i}" for i in ids],
                "indicator_id": "X",
                "period": FEB,
                "numerator": [10 + k for k in range(n)],  # N44 highest, N00 lowest
                "denominator": 100,
            }
        ),
    }
    tables = {
        name: frame.with_columns(
            *(pl.lit(None, dtype).alias(c) for c, dtype in schema(name).items() if c not in frame)
        ).with_columns(
            *([pl.lit(True).alias("share_name")] if name == "practices" else []),
            *([pl.lit("high").alias("polarity")] if name == "indicators" else []),
        )
        for name, frame in tables.items()
    }
    data = load_tables(tmp_path / "many", tables)
    summary = network_summary(data, "X", FEB, ViewOptions(network_id="N22"))
    assert summary.networks.height == n
    shown = summary.chart_networks["network_id"].to_list()
    assert shown == [f"N{i:02d}" for i in range(44, 24, -1)] + ["N22"] + [
        f"N{i:02d}" for i in range(19, -1, -1)
    ]
    assert summary.subset_note == (
        "45 networks: the charts show the 20 highest and 20 lowest and your network; the table "
        "below lists them all."
    )
    assert summary.chart_practices.height == 41
    assert summary.table is not None and summary.table.height == n
    assert summary.table.filter(pl.col("Yours") == "◆")["Network"].to_list() == ["Net N22"]
    assert summary.singles_note is not None and summary.singles_note.count(",") == 9
