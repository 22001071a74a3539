"""One verdict per practice on every page, periods labelled as the data has them, and the
words and numbers of the shown tables (issue 12, points 7, 9, 10, 11)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from netcompare.charts.trends import spc_chart_spec, trend_chart
from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.data.schema import schema
from netcompare.errors import UserError
from netcompare.stats.funnel import FUNNEL_METHODS
from netcompare.views.common import ViewOptions
from netcompare.views.compare import FUNNEL_BENCHMARKS
from netcompare.views.data import dataset_view
from netcompare.views.format import (
    VERDICT_WORDS,
    network_averages_display,
    percent_digits,
    period_label,
)
from netcompare.views.funnel import funnel_view
from netcompare.views.league import league_table
from netcompare.views.networks import network_summary
from netcompare.views.notes import improvers_view, significantly_better
from netcompare.views.rag import JUDGED_BY_BENCHMARK, TITLE_BENCHMARK, overview_view
from netcompare.views.trends import trend_view
from tests.app.tiny_datasets import load_tables

ROOT = Path(__file__).resolve().parents[2]
BELLFIELD = "P004"  # outside the MMR1 funnel's 95% limits, inside the Wilson CI comparison
MMR1 = "IMM_MMR1"


@pytest.fixture(scope="module")
def sample() -> DataSet:
    return load_dataset(ROOT / "sample_data")


def _complete(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every optional column of the schema added (null), as a data set file may leave out."""
    return {
        name: frame.with_columns(
            *(pl.lit(None, dtype).alias(c) for c, dtype in schema(name).items() if c not in frame)
        )
        for name, frame in tables.items()
    }


def small_tables(
    periods: list[dt.date], *, target: float | None = 0.5, low: bool = False
) -> dict[str, pl.DataFrame]:
    """Two networks of two practices, one indicator: values rising a little each period."""
    practices = ["A1", "A2", "B1", "B2"]
    rows = [
        (p, "X", period, 20 + 10 * i + 2 * k + (40 if low and i == 3 else 0), 100)
        for k, period in enumerate(periods)
        for i, p in enumerate(practices)
    ]
    return _complete(
        {
            "networks": pl.DataFrame({"network_id": ["N1", "N2"], "network_name": ["N", "S"]}),
            "practices": pl.DataFrame(
                {
                    "practice_id": practices,
                    "practice_name": ["Alder", "Birch", "Cedar", "Damson"],
                    "network_id": ["N1", "N1", "N2", "N2"],
                    "share_name": [True] * 4,
                }
            ),
            "indicators": pl.DataFrame(
                {
                    "indicator_id": ["X"],
                    "name": ["Ex"],
                    "care_package": ["P"],
                    "polarity": ["high"],
                    "target": [target],
                },
                schema_overrides={"target": pl.Float64},
            ),
            "values": pl.DataFrame(
                rows,
                schema={
                    "practice_id": pl.String,
                    "indicator_id": pl.String,
                    "period": pl.Date,
                    "numerator": pl.Int64,
                    "denominator": pl.Int64,
                },
                orient="row",
            ),
        }
    )


FY = [dt.date(2020, 4, 1), dt.date(2021, 4, 1), dt.date(2022, 4, 1)]


@pytest.fixture(scope="module")
def yearly(tmp_path_factory: pytest.TempPathFactory) -> DataSet:
    """Financial-year data, the period type written in indicators.csv as a data set has it.

    Until the data layer reads the optional ``period_type`` column (issue 12, netcompare/data),
    load_dataset drops it: the test then adds it to the loaded data set's indicators frame.
    """
    tables = small_tables(FY)
    tables["indicators"] = tables["indicators"].with_columns(
        pl.lit("financial_year").alias("period_type")
    )
    data = load_tables(tmp_path_factory.mktemp("yearly"), tables, name="Yearly")
    if "period_type" not in data.indicators.columns:
        data = dataclasses.replace(data, indicators=tables["indicators"])
    assert data.indicator("X").period_type == "financial_year"
    return data


# --- one verdict ---------------------------------------------------------------------------------


def test_bellfield_disagreed_and_now_has_one_verdict(sample: DataSet):
    period = sample.periods(MMR1)[-1]
    options = ViewOptions(network_id="N1")  # Bellfield's network: its overview row
    funnel = funnel_view(sample, MMR1, period, options)
    point = funnel.points.filter(pl.col("practice_id") == BELLFIELD).row(0, named=True)
    assert point["status"] == "outside 95%" and point["outlier95"] == "high"
    league = league_table(sample, MMR1, period, options)
    row = league.table.filter(pl.col("practice_id") == BELLFIELD).row(0, named=True)
    # The case of the issue: the Wilson CI comparison (now the labelled second method) says
    # similar, the funnel says outside 95%. The verdict is the funnel's, everywhere.
    assert row["comparison"] == "similar"
    assert row["verdict"] == point["verdict"] == "better"
    shown = league.shown.filter(pl.col("Practice") == point["label"]).row(0, named=True)
    assert shown["vs benchmark"] == VERDICT_WORDS["better"] == "▲ better (outside 95% limits)"
    assert shown["vs benchmark (95% CI, second method)"] == "● similar"
    assert BELLFIELD in significantly_better(sample, MMR1, period, options).practice_ids
    overview = overview_view(sample, period, options)
    cell = overview.cell(BELLFIELD, MMR1)
    assert cell is not None and cell.words.endswith("vs benchmark: ▲ better (outside 95% limits).")
    listed = funnel.outliers_shown.filter(pl.col("Practice").str.contains("Bellfield"))
    assert listed["vs benchmark"].to_list() == ["▲ better (outside 95% limits)"]
    assert point["verdict_words"] == "▲ better (outside 95% limits)"


@pytest.mark.parametrize("method", FUNNEL_METHODS)
@pytest.mark.parametrize("centre", FUNNEL_BENCHMARKS)  # "benchmark" is pytest-benchmark's
def test_the_same_practice_gets_the_same_verdict_on_every_page(
    sample: DataSet, method: str, centre: str
):
    period = sample.periods(MMR1)[-1]
    options = ViewOptions(network_id="N1")
    kw = {"method": method, "benchmark": centre}
    funnel = dict(
        funnel_view(sample, MMR1, period, options, **kw)
        .points.select("practice_id", "verdict")
        .iter_rows()
    )
    league = dict(
        league_table(sample, MMR1, period, options, **kw)
        .table.select("practice_id", "verdict")
        .iter_rows()
    )
    assert league == funnel
    better = set(significantly_better(sample, MMR1, period, options, **kw).practice_ids)
    assert better == {p for p, v in funnel.items() if v in ("better", "best")}
    grid = overview_view(sample, period, options, **kw).grid.filter(
        (pl.col("indicator_id") == MMR1) & (pl.col("row_kind") == "practice")
    )
    assert grid.height >= 4
    for practice_id, verdict in grid.select("row_id", "verdict").iter_rows():
        assert verdict == funnel[practice_id], practice_id


def test_a_data_set_without_targets_is_judged_against_the_benchmark(tmp_path):
    tables = small_tables(FY[:2], target=None)
    data = load_tables(tmp_path / "no_targets", tables)
    overview = overview_view(data, FY[1], ViewOptions(network_id="N2"))
    assert overview.judged_by == JUDGED_BY_BENCHMARK
    assert overview.heading == TITLE_BENCHMARK
    assert overview.judged_note is not None and "No indicator shown has a target" in (
        overview.judged_note
    )
    practices = overview.grid.filter(pl.col("row_kind") == "practice")
    assert set(practices["status"]) <= set(VERDICT_WORDS)
    assert not set(practices["status"]) & {"none"}
    assert overview.legend_title == "Against the benchmark"
    assert overview.per_practice_shown is not None
    assert overview.per_practice_shown.columns == ["Practice", "▲ better", "● similar", "▼ worse"]


# --- periods as the data has them ----------------------------------------------------------------


def test_period_label_months_years_and_financial_years():
    assert period_label(dt.date(2026, 9, 1)) == "Sep 2026"
    assert period_label(dt.date(2022, 1, 1), "year") == "2022"
    assert period_label(dt.date(2022, 4, 1), "financial_year") == "2022-23"
    assert period_label(dt.date(2023, 3, 31), "financial_year") == "2022-23"
    assert period_label(dt.date(1999, 4, 1), "financial_year") == "1999-00"
    assert period_label(None) == "no period"


def test_yearly_data_is_labelled_as_years_everywhere(yearly: DataSet):
    options = ViewOptions(network_id="N1")
    funnel = funnel_view(yearly, "X", FY[-1], options)
    assert funnel.title.startswith("Ex, 2022-23: ")
    assert "Ex · 2022-23 · " in funnel.caption
    league = league_table(yearly, "X", FY[-1], options)
    assert "Ex · 2022-23 · " in league.caption and "Change since 2021-22" in league.caption
    assert "Apr" not in league.caption
    assert "2022-23" in significantly_better(yearly, "X", FY[-1], options).none_found
    improvers = improvers_view(yearly, "X", FY[-1], options)
    assert improvers.heading == "Most improved since the year before"
    assert set(improvers.shown["From"]) == {"2021-22"}
    overview = overview_view(yearly, FY[-1], options)
    assert overview.title.endswith(", 2022-23")
    assert dataset_view(yearly, options).periods_words == (
        "Periods from 2020-21 to 2022-23 (yearly)."
    )
    assert dataset_view(yearly, options).coverage_shown["Period"].to_list() == [
        "2020-21",
        "2021-22",
        "2022-23",
    ]

    trend = trend_view(yearly, "X", options, practice_id="A1", until=FY[-1])
    assert "Method: yearly values" in trend.caption
    assert "monthly" not in trend.caption + trend.spc_caption
    assert "Ex · 2022-23 · " in trend.spc_caption
    assert trend.lines.filter(pl.col("series") == "Alder")["period_label"].to_list() == [
        "2020-21",
        "2021-22",
        "2022-23",
    ]
    # One tick per period, with its label (not monthly ticks for three yearly points).
    for chart in (
        trend_chart(trend.lines, trend.subject_label, trend.target, "t", "c", period_type="year"),
        spc_chart_spec(trend.spc, trend.target, "t", "c", period_type=trend.period_type),
    ):
        spec = chart.to_dict()
        xs = [layer["encoding"]["x"] for layer in spec["layer"] if "x" in layer["encoding"]]
        assert xs and all(x["field"] == "period_label" and x["type"] == "ordinal" for x in xs)
        assert xs[0]["sort"] == ["2020-21", "2021-22", "2022-23"]
        assert "%b" not in json.dumps(spec)


def test_monthly_data_keeps_a_time_axis(tmp_path):
    months = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    data = load_tables(tmp_path / "monthly", small_tables(months))
    trend = trend_view(data, "X", ViewOptions(), practice_id="A1")
    assert "Method: monthly values" in trend.caption
    assert trend.lines["period_label"].to_list()[:3] == ["Jan 2025", "Feb 2025", "Mar 2025"]
    spec = trend_chart(trend.lines, trend.subject_label, None, "t", "c").to_dict()
    assert spec["layer"][0]["encoding"]["x"]["type"] == "temporal"


def test_an_spc_chart_on_one_period_says_the_data_set_has_one_period(tmp_path):
    data = load_tables(tmp_path / "one", small_tables(FY[:1]))
    with pytest.raises(UserError, match="this data set has only one period"):
        trend_view(data, "X", ViewOptions(), practice_id="A1")


# --- the two-in-three rule -----------------------------------------------------------------------


def test_the_two_in_three_choice_changes_the_spc_and_is_named(sample: DataSet):
    differs = []
    for practice_id in sample.practices["practice_id"]:
        mdc = trend_view(sample, MMR1, ViewOptions(), practice_id=practice_id)
        ptd = trend_view(sample, MMR1, ViewOptions(), practice_id=practice_id, two_in_three="ptd")
        assert "two of three beyond 2σ (Making Data Count 2023)" in mdc.spc_caption
        assert "two of three between 2σ and 3σ (NHSRplotthedots)" in ptd.spc_caption
        if mdc.spc["special_cause"].to_list() != ptd.spc["special_cause"].to_list():
            differs.append(practice_id)
    assert differs, "no sample practice where the two readings differ"


# --- formatting ----------------------------------------------------------------------------------


def test_low_prevalences_get_enough_digits():
    assert percent_digits([0.021, 0.005, 0.03]) == 1
    assert percent_digits([0.004, 0.009]) == 2
    assert percent_digits([0.5, 0.9]) == 0
    assert percent_digits([0.95, 0.97]) == 1  # a narrow spread near the top
    assert percent_digits([None]) == 1


def test_overview_cells_of_a_low_prevalence_read_apart(tmp_path):
    tables = small_tables(FY[:1], target=None)
    tables["values"] = tables["values"].with_columns(
        (pl.col("numerator") // 10).alias("numerator"), pl.lit(1000).alias("denominator")
    )
    data = load_tables(tmp_path / "low", tables)
    grid = overview_view(data, FY[0], ViewOptions(network_id="N1")).grid
    texts = grid.filter(pl.col("row_kind") == "practice")["cell_text"].to_list()
    assert [t.split(" ")[0] for t in texts] == ["0.2%", "0.3%"]


def test_tables_shown_have_no_none(sample: DataSet):
    period = sample.periods(MMR1)[-1]
    for options in (ViewOptions(), ViewOptions(network_id="N1")):
        first = sample.periods(MMR1)[0]
        league = league_table(sample, MMR1, first, options)  # no earlier period: no change
        assert set(league.shown["Change (pts)"]) == {"–"}
        assert league.caption.endswith("No earlier period: no change to show")
        for frame in (
            league.shown,
            funnel_view(sample, MMR1, period, options).outliers_shown,
            significantly_better(sample, MMR1, period, options).shown,
            overview_view(sample, period, options).per_practice_shown,
        ):
            assert frame is not None
            assert frame.null_count().sum_horizontal().item() == 0, frame


def test_meets_target_says_no_target_instead_of_none(tmp_path):
    data = load_tables(tmp_path / "nt", small_tables(FY[:1], target=None))
    summary = network_summary(data, "X", FY[0], ViewOptions())
    assert set(network_averages_display(summary.networks)["Meets target"]) == {"no target"}


def test_the_all_networks_table_has_names_and_percentages(tmp_path):
    n = 70  # more rows than a readable chart: a table instead
    ids = [f"N{i:02d}" for i in range(n)]
    tables = _complete(
        {
            "networks": pl.DataFrame(
                {"network_id": ids, "network_name": [f"Net {i}" for i in ids]}
            ),
            "practices": pl.DataFrame(
                {
                    "practice_id": [f"P{i}" for i in ids],
                    "practice_name": ids,
                    "network_id": ids,
                    "share_name": [True] * n,
                }
            ),
            "indicators": pl.DataFrame(
                {"indicator_id": ["X"], "name": ["Ex"], "care_package": ["P"], "polarity": "high"}
            ),
            "values": pl.DataFrame(
                {
                    "practice_id": [f"P{i}" for i in ids],
                    "indicator_id": "X",
                    "period": FY[0],
                    "numerator": [2 + k % 3 for k in range(n)],
                    "denominator": 100,
                }
            ),
        }
    )
    data = load_tables(tmp_path / "many", tables)
    overview = overview_view(data, FY[0], ViewOptions())
    assert overview.wide is not None
    assert overview.wide.columns == ["Network", "Ex"]
    assert overview.wide.null_count().sum_horizontal().item() == 0
    assert overview.wide["Ex"][0].startswith("2.0%")  # not 0.02, not "2%"
