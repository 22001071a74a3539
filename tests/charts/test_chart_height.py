"""A stretched chart is given its plot height plus room for everything around the plot
(netcompare.charts.common.chart_frame_height): enough that Streamlit does not squeeze the
plot, not so much that a band of white is left. Checked against what Vega itself draws."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import vl_convert

from netcompare.charts.common import chart_frame_height, frame_height
from netcompare.charts.funnel import funnel_chart
from netcompare.charts.networks import network_bars, practice_spread
from netcompare.charts.trends import spc_chart_spec, trend_chart
from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions
from netcompare.views.funnel import funnel_view
from netcompare.views.networks import network_summary
from netcompare.views.trends import trend_view

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def views():
    data = load_dataset(SAMPLE)
    period, options = data.latest_period, ViewOptions("N6")
    return (
        funnel_view(data, "IMM_MMR1", period, options),
        network_summary(data, "IMM_MMR1", period, options),
        trend_view(data, "IMM_MMR1", options, practice_id="P026", until=period),
    )


def _charts(views, large: bool) -> dict:
    funnel, summary, trend = views
    return {
        "funnel": funnel_chart(
            funnel.points, funnel.grid, funnel.benchmark, funnel.title, funnel.caption, large=large
        ),
        "bars": network_bars(
            summary.chart_networks, summary.network_target, "Averages", summary.caption, large=large
        ),
        "spread": practice_spread(
            summary.chart_practices,
            list(summary.chart_order),
            summary.network_target,
            "Spread",
            summary.spread_caption,
            large=large,
        ),
        "trend": trend_chart(
            trend.lines, trend.subject_label, trend.target, trend.title, trend.caption, large=large
        ),
        "spc": spc_chart_spec(
            trend.spc, trend.target, trend.spc_title, trend.spc_caption, large=large
        ),
    }


@pytest.mark.parametrize("large", [False, True])
def test_the_room_given_round_each_plot_holds_its_title_caption_axis_and_legends(views, large):
    for name, chart in _charts(views, large).items():
        spec = chart.to_dict()
        spec["width"] = 600
        svg = vl_convert.vegalite_to_svg(spec)
        drawn = float(re.search(r'<svg[^>]*\sheight="([\d.]+)"', svg).group(1)) - chart.height
        estimate = chart_frame_height(chart.to_dict())
        assert drawn <= estimate <= drawn + 40, (name, drawn, estimate)
        # What the app uses: the same figure, read without turning the data into JSON.
        assert frame_height(chart) == estimate, name
