"""What a chart's "Data (CSV)" button gives: the frame as the chart shows it, safe to open in
a spreadsheet (OWASP's CSV-injection advice: a cell starting = + - @, tab or CR is quoted)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions
from netcompare.views.format import csv_safe, csv_text
from netcompare.views.funnel import funnel_view
from netcompare.views.networks import network_summary
from netcompare.views.rag import overview_view
from netcompare.views.trends import trend_view

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted():
    frame = pl.DataFrame(
        {
            "text": ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "Alder", "–", None],
            "number": [-1, 2, -3, 4, 5, 6, 7, 8, 9],
        }
    )
    safe = csv_safe(frame)
    assert safe["text"].to_list() == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Alder",
        "–",  # an en dash is not a minus sign
        None,
    ]
    assert safe["number"].to_list() == frame["number"].to_list()  # numbers stay numbers
    text = csv_text(frame.with_columns(pl.lit([[1.0]]).alias("trend")))
    assert text.splitlines()[0] == "text,number"  # list columns cannot be a CSV cell
    assert text.splitlines()[1] == "'=HYPERLINK(1),-1"


@pytest.fixture(scope="module")
def data():
    return load_dataset(SAMPLE)


def test_each_charts_data_is_its_rows_in_words_and_percent(data):
    period, options = data.latest_period, ViewOptions("N6")
    overview = overview_view(data, period, options)
    cells = overview.data_shown
    assert cells.height == overview.grid.height
    assert cells.columns[:3] == ["Practice / row", "Indicator", "Value"]
    assert set(cells["Value"]) <= set(overview.grid["value_text"])
    assert set(cells["Against target"]) <= set(overview.legend.values())
    funnel = funnel_view(data, "IMM_MMR1", period, options)
    points = funnel.data_shown
    assert points.height == funnel.points.height
    assert {"95% limit lower (%)", "99.8% limit upper (%)", "vs benchmark"} <= set(points.columns)
    row = points.row(0, named=True)
    assert row["95% limit lower (%)"] <= row["Benchmark (%)"] <= row["95% limit upper (%)"]
    summary = network_summary(data, "IMM_MMR1", period, options)
    assert summary.networks_shown.height == summary.chart_networks.height
    assert summary.practices_shown.height == summary.chart_practices.height
    trend = trend_view(data, "IMM_MMR1", options, practice_id="P026", until=period)
    assert trend.lines_shown.height == trend.lines.height
    assert trend.spc_shown.height == trend.spc.height
    assert "Upper process limit (%)" in trend.spc_shown.columns
    for frame in (cells, points, summary.networks_shown, trend.lines_shown, trend.spc_shown):
        assert csv_text(frame).count("\n") == frame.height + 1
