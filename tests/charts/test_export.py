"""Charts download as real PNG and SVG files, stretched charts at a fixed width."""

from __future__ import annotations

import struct
from pathlib import Path

from netcompare.charts.export import EXPORT_WIDTH, chart_png, chart_svg
from netcompare.charts.funnel import funnel_chart
from netcompare.charts.rag import rag_chart
from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions
from netcompare.views.funnel import funnel_view
from netcompare.views.rag import overview_view

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_rag_chart_exports_png_and_svg_with_its_title() -> None:
    data = load_dataset(SAMPLE)
    grid = overview_view(data, data.latest_period, ViewOptions("N1")).grid
    chart = rag_chart(grid, "RAG N1", "a · b")
    png = chart_png(chart, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 600 and height > 200
    svg = chart_svg(chart)
    assert svg.lstrip().startswith("<svg")
    assert "RAG N1" in svg
    assert "Limekiln Fields (network)" in svg


def test_container_width_chart_gets_a_fixed_export_width() -> None:
    data = load_dataset(SAMPLE)
    view = funnel_view(data, "IMM_MMR1", data.latest_period, ViewOptions("N1"))
    chart = funnel_chart(view.points, view.grid, view.comparison.summary.benchmark, "F", "c")
    png = chart_png(chart, scale=1)
    width = struct.unpack(">II", png[16:24])[0]
    assert width >= EXPORT_WIDTH
