"""Issue 12: charts readable on a projector, fitting their width, naming the chosen
network's practices, marking what is off the scale and what has notes, and saying in one
sentence what they show.

Font sizes are checked twice: in the Vega-Lite spec each builder emits, and in the SVG that
Vega itself draws from it (vl-convert, the renderer the exports use), where every <text>
element's font-size is what a viewer gets."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import polars as pl
import pytest
import vl_convert

from netcompare.charts.common import LARGE_MIN_FONT
from netcompare.charts.export import EXPORT_WIDTH
from netcompare.charts.funnel import (
    ASSUMED_PLOT_WIDTH,
    CHAR_WIDTH,
    FLAG_FILLS,
    FLAG_SHAPES,
    FLAGS,
    HEIGHT,
    funnel_chart,
    funnel_summary,
    funnel_value_domain,
    place_labels,
)
from netcompare.charts.networks import network_bars, practice_spread
from netcompare.charts.rag import WIDTH_BUDGET, rag_chart, rag_summary
from netcompare.charts.trends import spc_chart_spec, trend_chart
from netcompare.data.load import load_dataset
from netcompare.views.common import ALL, ViewOptions
from netcompare.views.funnel import funnel_view
from netcompare.views.networks import network_summary
from netcompare.views.rag import overview_view
from netcompare.views.trends import trend_view
from tests.charts.test_charts import with_verdict_words

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


@pytest.fixture(scope="module")
def data():
    return load_dataset(SAMPLE)


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def font_sizes(node, path="") -> list[tuple[str, float]]:
    """Every font size a spec sets, with where."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FONT_KEYS and isinstance(value, int | float):
                found.append((f"{path}.{key}", value))
            found += font_sizes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += font_sizes(value, f"{path}[{i}]")
    return found


def text_marks(s: dict) -> list[dict]:
    return [
        layer["mark"]
        for layer in s.get("layer", [s])
        if isinstance(layer.get("mark"), dict) and layer["mark"]["type"] == "text"
    ]


def rendered_texts(chart) -> list[tuple[float, str]]:
    """(font size, text) of every text Vega draws for the chart (SVG, no browser)."""
    s = chart.to_dict()
    if s.get("width") == "container":
        s["width"] = EXPORT_WIDTH
    svg = vl_convert.vegalite_to_svg(s)
    out = []
    for m in re.finditer(r"<text([^>]*)>(.*?)</text>", svg, flags=re.S):
        attrs, body = m.groups()
        size = re.search(r'font-size="([\d.]+)(?:px)?"', attrs) or re.search(
            r"font-size:\s*([\d.]+)px", attrs
        )
        assert size, f"a text without a font size: {m.group(0)[:120]}"
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", body) or [body]
        out += [(float(size.group(1)), html.unescape(line)) for line in lines]
    return out


def svg_width(chart) -> float:
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1))


@pytest.fixture(scope="module")
def charts(data) -> dict:
    """Every chart builder, in presentation mode, on the sample borough (Bow Common)."""
    period = data.latest_period
    options = ViewOptions("N6")
    grid = overview_view(data, period, options).grid
    funnel = funnel_view(data, "IMM_MMR1", period, options)
    summary = network_summary(data, "IMM_MMR1", period, options)
    trend = trend_view(data, "IMM_MMR1", options, practice_id="P026", until=period)
    return {
        "rag": rag_chart(
            grid, "Bow Common: all care packages, Sep 2026", funnel.caption, large=True
        ),
        "funnel": funnel_chart(
            funnel.points, funnel.grid, funnel.benchmark, funnel.title, funnel.caption, large=True
        ),
        "network_bars": network_bars(
            summary.chart_networks,
            summary.network_target,
            "Network averages",
            summary.caption,
            large=True,
        ),
        "practice_spread": practice_spread(
            summary.chart_practices,
            list(summary.chart_order),
            summary.network_target,
            "Spread",
            summary.spread_caption,
            large=True,
        ),
        "trend": trend_chart(
            trend.lines, trend.subject_label, trend.target, trend.title, trend.caption, large=True
        ),
        "spc": spc_chart_spec(
            trend.spc, trend.target, trend.spc_title, trend.spc_caption, large=True
        ),
    }


@pytest.mark.parametrize(
    "name", ["rag", "funnel", "network_bars", "practice_spread", "trend", "spc"]
)
def test_in_presentation_mode_every_font_the_spec_sets_is_at_least_16px(charts, name):
    s = spec(charts[name])
    sizes = font_sizes(s)
    small = [(where, size) for where, size in sizes if size < LARGE_MIN_FONT]
    assert not small, small
    config = s["config"]
    for part in ("axis", "legend"):
        assert config[part]["labelFontSize"] >= LARGE_MIN_FONT
        assert config[part]["titleFontSize"] >= LARGE_MIN_FONT
        assert config[part]["labelLimit"] == 0  # nothing cut
    assert config["text"]["fontSize"] >= LARGE_MIN_FONT
    assert s["title"]["fontSize"] >= LARGE_MIN_FONT
    assert s["title"]["subtitleFontSize"] >= LARGE_MIN_FONT
    # A text mark without its own size takes config.text's.
    for mark in text_marks(s):
        assert mark.get("fontSize", config["text"]["fontSize"]) >= LARGE_MIN_FONT


@pytest.mark.parametrize(
    "name", ["rag", "funnel", "network_bars", "practice_spread", "trend", "spc"]
)
def test_in_presentation_mode_every_text_vega_draws_is_at_least_16px_and_uncut(charts, name):
    texts = rendered_texts(charts[name])
    assert len(texts) > 10
    small = [(size, text) for size, text in texts if size < LARGE_MIN_FONT]
    assert not small, small
    cut = [text for _, text in texts if text.endswith("…")]
    assert not cut, cut


def test_laptop_charts_keep_their_smaller_fonts(data):
    grid = overview_view(data, data.latest_period, ViewOptions("N6")).grid
    small = spec(rag_chart(grid, "t", "c"))
    assert small["config"]["axis"]["labelFontSize"] < LARGE_MIN_FONT


@pytest.mark.parametrize("large", [False, True])
def test_the_rag_grid_of_every_indicator_fits_a_1366px_screen(data, large):
    # All 16 indicators of the sample, one network (rows: its practices, two averages),
    # and all networks (rows: the 8 networks, all practices).
    for network in ("N6", ALL):
        grid = overview_view(data, data.latest_period, ViewOptions(network)).grid
        assert grid["indicator_id"].n_unique() == 16
        chart = rag_chart(grid, "All care packages, Sep 2026", "a · b", large=large)
        assert svg_width(chart) <= WIDTH_BUDGET[large] + 10
        texts = [text for _, text in rendered_texts(chart)]
        # Headers are whole: every indicator name can be read from its (≤ 2) lines.
        joined = " ".join(texts)
        for name in grid["indicator_name"].unique():
            assert all(word in joined for word in name.split()), name


def test_rag_symbols_are_larger_than_the_values(data):
    grid = overview_view(data, data.latest_period, ViewOptions("N6")).grid
    for large in (False, True):
        s = spec(rag_chart(grid, "t", "c", large=large))
        marks = {m.get("fontWeight"): m["fontSize"] for m in text_marks(s)}
        value, symbol = marks["bold"], marks[None]
        assert symbol > value and symbol >= 18


def _points(n_extra_high: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, float]:
    from netcompare.stats.funnel import FunnelSummary, funnel_limits_grid

    summary = FunnelSummary(0.8, "arcsine-od", 2.0, 0.001, True, 4)
    grid = funnel_limits_grid(summary, n_max=1000, n_min=10, points=50)
    rows = [
        # practice, network?, value, denominator, outlier95, outlier998, status
        ("A", True, 0.80, 400, "none", "none", "within limits"),
        ("B", True, 0.79, 410, "none", "none", "within limits"),
        ("C", True, 0.81, 420, "none", "none", "within limits"),
        ("D", False, 0.86, 600, "high", "none", "outside 95%"),
        ("E", False, 0.90, 600, "high", "high", "outside 99.8%"),
        ("F", False, 0.70, 500, "low", "low", "outside 99.8%"),
        ("G", False, 0.75, 480, "low", "none", "outside 95%"),
        ("H", False, 0.80, 300, "none", "none", "within limits"),
        ("Z", False, 0.27, 900, "low", "low", "outside 99.8%"),  # far off the value axis
    ]
    points = pl.DataFrame(
        {
            "practice_id": [r[0] for r in rows],
            "label": [f"Practice {r[0]}" for r in rows],
            "network_name": ["North" if r[1] else "South" for r in rows],
            "in_network": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "numerator": [round(r[2] * r[3]) for r in rows],
            "denominator": [r[3] for r in rows],
            "ci95_lower": [r[2] - 0.04 for r in rows],
            "ci95_upper": [r[2] + 0.04 for r in rows],
            "outlier95": [r[4] for r in rows],
            "outlier998": [r[5] for r in rows],
            "status": [r[6] for r in rows],
        }
    )
    return with_verdict_words(points), grid, 0.8


def layer(s: dict, name: str) -> dict:
    return next(x for x in s["layer"] if x.get("name") == name)


def layer_rows(s: dict, name: str) -> list[dict]:
    data = layer(s, name)["data"]
    return data.get("values") or s["datasets"][data["name"]]


def label_rows(s: dict) -> list[dict]:
    return [
        r
        for x in s["layer"]
        if x.get("name", "").startswith("labels_")
        for r in layer_rows(s, x["name"])
    ]


def test_funnel_names_every_practice_of_the_chosen_network_and_every_outlier():
    points, grid, benchmark = _points()
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    named = {r["practice_id"] for r in label_rows(s)}
    network = set(points.filter(pl.col("in_network"))["practice_id"])
    outliers = set(points.filter(pl.col("status") != "within limits")["practice_id"])
    assert named == network | outliers
    # The chosen network's labels are bold; the others are not.
    bold = {
        r["practice_id"]
        for x in s["layer"]
        if x.get("name", "").endswith("_bold")
        for r in layer_rows(s, x["name"])
    }
    assert bold == network


def test_funnel_labels_do_not_overlap():
    # The three network practices sit almost on top of each other.
    points, grid, benchmark = _points()
    domain = funnel_value_domain(points, grid, benchmark)
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    rows = label_rows(s)
    width, height = ASSUMED_PLOT_WIDTH[False], HEIGHT[False]
    font = layer(s, "labels_left_bold")["mark"]["fontSize"]
    x_max = layer(s, "practices")["encoding"]["x"]["scale"]["domain"][1]
    lo, hi = domain
    boxes = []
    for r in rows:
        px = r["denominator"] / x_max * width + r["dx"]
        w = len(r["label_text"]) * CHAR_WIDTH * font
        left, right = (px, px + w) if r["align"] == "left" else (px - w, px)
        y = (hi - r["label_y"]) / (hi - lo) * height
        boxes.append((left, right, y - font * 0.6, y + font * 0.6))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]), (a, b)
    # Labels that had to move are tied to their points by a leader line.
    assert len(layer_rows(s, "leaders")) == len(rows)


def test_place_labels_moves_a_crowded_label_off_its_neighbour():
    frame = pl.DataFrame(
        {
            "denominator": [100, 100],
            "value_shown": [0.5, 0.5],
            "label_text": ["Alder", "Birch"],
            "in_network": [False, False],
        }
    )
    placed = place_labels(frame, 1000, (0.0, 1.0), large=False)
    assert placed["label_y"][0] != placed["label_y"][1]


def test_funnel_marks_points_off_the_value_axis():
    # As in England: hundreds of practices near the benchmark, one far below (27%).
    points, grid, benchmark = _points()
    crowd = pl.concat(
        [
            points.filter(pl.col("practice_id") == "H").with_columns(
                pl.lit(f"H{i}").alias("practice_id"),
                pl.lit(0.78 + 0.0001 * i).alias("value"),
                pl.lit(200 + i, pl.Int64).alias("denominator"),
            )
            for i in range(200)
        ]
    )
    points = pl.concat([points, crowd])
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    lo, _ = layer(s, "practices")["encoding"]["y"]["scale"]["domain"]
    assert lo > 0.27  # the axis is not flattened to show Z
    drawn = {r["practice_id"]: r for r in layer_rows(s, "practices")}
    assert drawn["Z"]["value_shown"] == pytest.approx(lo)
    assert drawn["Z"]["value"] == 0.27  # the tooltip keeps the true value
    assert [r["practice_id"] for r in layer_rows(s, "off_scale_down")] == ["Z"]
    assert layer_rows(s, "off_scale_up") == []
    z = next(r for r in label_rows(s) if r["practice_id"] == "Z")
    assert "27.0%" in z["label_text"] and "off scale" in z["label_text"]
    assert "beyond the value axis" in " ".join(s["title"]["subtitle"])


def test_funnel_shows_note_counts_in_the_tooltip_and_marks_points_with_notes():
    points, grid, benchmark = _points()
    s = spec(funnel_chart(points, grid, benchmark, "t", "c", note_counts={"H": 3, "A": 1}))
    tooltip = {t["field"]: t["title"] for t in layer(s, "practices")["encoding"]["tooltip"]}
    assert tooltip["n_notes"] == "Peer notes"
    counts = {r["practice_id"]: r["n_notes"] for r in layer_rows(s, "practices")}
    assert counts["H"] == 3 and counts["A"] == 1 and counts["B"] == 0
    labels = {r["practice_id"]: r["label_text"] for r in label_rows(s)}
    # H is neither an outlier nor in the network: named because it has notes.
    assert labels["H"] == "Practice H ✎3"
    assert labels["A"] == "Practice A ✎1"
    assert labels["B"] == "Practice B"
    without = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    assert {r["n_notes"] for r in layer_rows(without, "practices")} == {0}


def test_funnel_outliers_at_95_and_99_8_differ_by_shape_and_fill_not_shade_only():
    points, grid, benchmark = _points()
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    enc = layer(s, "practices")["encoding"]
    assert enc["shape"]["field"] == enc["fill"]["field"] == enc["stroke"]["field"] == "flag"
    shapes = dict(zip(enc["shape"]["scale"]["domain"], enc["shape"]["scale"]["range"], strict=True))
    fills = dict(zip(enc["fill"]["scale"]["domain"], enc["fill"]["scale"]["range"], strict=True))
    assert shapes["within limits"] == "circle"
    assert shapes["high: outside 95%"] == shapes["high: outside 99.8%"] == "triangle-up"
    assert shapes["low: outside 95%"] == shapes["low: outside 99.8%"] == "triangle-down"
    for side in ("high", "low"):
        assert fills[f"{side}: outside 95%"] == "#FFFFFF"  # hollow
        assert fills[f"{side}: outside 99.8%"] != "#FFFFFF"  # filled
    assert list(shapes) == FLAGS and FLAG_SHAPES and FLAG_FILLS


def test_funnel_rings_the_chosen_network_in_the_legend():
    points, grid, benchmark = _points()
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    ring = layer(s, "network_rings")
    assert ring["mark"]["filled"] is False
    assert ring["encoding"]["color"]["legend"]["title"] == "Practices"
    assert {r["ring"] for r in layer_rows(s, "network_rings")} == {"in North"}


def test_funnel_summary_names_the_networks_outliers_and_counts_the_rest():
    points, grid, benchmark = _points()
    sentence = funnel_summary(points, benchmark)
    assert sentence == (
        "Funnel plot of 9 practices around a benchmark of 80.0%: 2 significantly high "
        "(1 beyond the 99.8% limit) and 3 significantly low (2 beyond 99.8%); "
        "of North's 3 practices none is an outlier."
    )
    s = spec(funnel_chart(points, grid, benchmark, "t", "c"))
    assert s["description"] == sentence


def test_every_chart_carries_its_summary_as_its_description(charts, data):
    for name, chart in charts.items():
        description = spec(chart).get("description", "")
        assert description.endswith(".") and len(description) > 30, name
    grid = overview_view(data, data.latest_period, ViewOptions("N6")).grid
    sentence = rag_summary(grid)
    assert sentence.startswith("RAG chart of 4 practices on 16 indicators: of 64 cells, ")
    numbers = [int(n) for n in re.findall(r"(\d+) (?:meet|are|have)", sentence)]
    assert sum(numbers) == 64


def test_network_summaries_say_who_meets_the_target(charts):
    bars = spec(charts["network_bars"])["description"]
    assert re.search(r"\d of 8 meet the network target", bars) or "Averages of 8 networks" in bars
    assert "Bow Common is" in bars
    assert "widest spread" in spec(charts["practice_spread"])["description"]
