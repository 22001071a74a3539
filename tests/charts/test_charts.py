"""The Altair chart builders: every chart carries its title and caption lines, RAG is told by
symbol and word as well as colour, the funnel has its limit layers, and presentation mode
enlarges the fonts. Specs are checked as the Vega-Lite dicts Altair produces."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from netcompare.charts.common import (
    NEUTRAL_STATUS_COLOUR,
    RAG_COLOURS,
    RAG_SYMBOLS,
    RAG_WORDS,
    titled,
    to_records,
)
from netcompare.charts.funnel import POINT_SELECTION, funnel_chart
from netcompare.charts.icons import (
    assurance_icon_svg,
    assurance_words,
    variation_icon_svg,
    variation_words,
)
from netcompare.charts.networks import network_bars, practice_spread
from netcompare.charts.rag import CELL_SELECTION, rag_chart
from netcompare.charts.trends import spc_chart_spec, trend_chart
from netcompare.stats.funnel import FunnelSummary, funnel_limits_grid
from netcompare.stats.spc import spc_chart
from netcompare.views.format import VERDICT_WORDS

CAPTION = (
    "MMR1 by 24 months · Sep 2026 · Benchmark: target 95% · Method: Spiegelhalter arcsine, "
    "over-dispersion adjusted; φ = 1.162 · Denominator: all patients (exceptions counted in the "
    "denominator) · Source: Riverbank sample borough (fictional)"
)


def with_verdict_words(points: pl.DataFrame) -> pl.DataFrame:
    """The verdict every page gives (higher is better here), as the funnel view adds it."""
    verdict = (
        pl.when(pl.col("outlier998") == "high")
        .then(pl.lit("best"))
        .when(pl.col("outlier95") == "high")
        .then(pl.lit("better"))
        .when(pl.col("outlier998") == "low")
        .then(pl.lit("worst"))
        .when(pl.col("outlier95") == "low")
        .then(pl.lit("worse"))
        .otherwise(pl.lit("similar"))
    )
    return points.with_columns(
        verdict.alias("verdict"), verdict.replace_strict(VERDICT_WORDS).alias("verdict_words")
    )


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def all_data(s: dict) -> list[list[dict]]:
    """Each layer's inline rows (to_dict inlines polars data as datasets)."""
    datasets = s.get("datasets", {})
    out = []
    for layer in s.get("layer", [s]):
        data = layer.get("data", s.get("data", {}))
        if "values" in data:
            out.append(data["values"])
        else:
            out.append(datasets[data["name"]])
    return out


def test_titled_splits_the_caption_into_lines_of_at_most_110_characters():
    import altair as alt

    chart = titled(alt.Chart(alt.Data(values=[{"a": 1}])).mark_point(), "Title", CAPTION)
    title = spec(chart)["title"]
    assert title["text"] == "Title"
    assert " · ".join(title["subtitle"]) == CAPTION
    assert all(len(line) <= 110 for line in title["subtitle"])
    assert len(title["subtitle"]) >= 2
    large = spec(titled(alt.Chart().mark_point(), "Title", CAPTION, large=True))["title"]
    assert large["fontSize"] > title["fontSize"]
    assert large["subtitleFontSize"] > title["subtitleFontSize"]


def test_to_records_keeps_dates_as_iso_strings_and_drops_lists():
    frame = pl.DataFrame({"period": [dt.date(2025, 1, 1)], "value": [0.5], "trend": [[0.1, 0.2]]})
    out = to_records(frame)
    assert out.columns == ["period", "value"]
    assert out["period"].to_list() == ["2025-01-01"]


def _grid() -> pl.DataFrame:
    rows = []
    for r, (row_id, label, kind) in enumerate(
        [("P1", "Alder", "practice"), ("N1", "North (network)", "network"), ("__all", "All", "all")]
    ):
        for c, (ind, name, value, rag) in enumerate(
            [
                ("HI", "High", 0.85, "green"),
                ("AM", "Amber", 0.75, "amber"),
                ("RD", "Red", 0.5, "red"),
                ("NT", "No target", 0.6, "none"),
                ("ND", "No data", None, "no data"),
            ]
        ):
            rows.append(
                {
                    "row_id": row_id,
                    "row_label": label,
                    "row_kind": kind,
                    "row_order": r,
                    "col_order": c,
                    "indicator_id": ind,
                    "indicator_name": name,
                    "numerator": None if value is None else int(value * 100),
                    "denominator": None if value is None else 100,
                    "value": value,
                    "target": None if rag in ("none", "no data") else 0.8,
                    "rag": rag,
                    # As netcompare.views.rag.overview_view gives them (judged by target).
                    "status": rag,
                    "status_words": RAG_WORDS[rag],
                    "value_text": "–" if value is None else f"{value:.0%}",
                    "symbol": RAG_SYMBOLS[rag],
                    "cell_text": "–" if value is None else f"{value:.0%} {RAG_SYMBOLS[rag]}",
                }
            )
    return pl.DataFrame(rows)


def test_rag_chart_cells_carry_symbols_and_the_legend_words():
    s = spec(rag_chart(_grid(), "North: all care packages, Sep 2026", CAPTION))
    assert s["title"]["text"] == "North: all care packages, Sep 2026"
    cells = all_data(s)[0]
    by_rag = {c["rag"]: c["cell_text"] for c in cells if c["row_id"] == "P1"}
    assert by_rag == {
        "green": "85% ✔",
        "amber": "75% ▲",
        "red": "50% ✖",
        "none": "60% ○",
        "no data": "–",
    }
    rect = s["layer"][0]
    colour = rect["encoding"]["color"]
    assert colour["scale"]["domain"] == list(RAG_COLOURS)
    assert colour["scale"]["range"] == list(RAG_COLOURS.values())
    legend = colour["legend"]["labelExpr"]
    for rag, symbol in RAG_SYMBOLS.items():
        if rag != "no data":
            assert symbol in legend and RAG_WORDS[rag] in legend
    assert {c["status_words"] for c in cells} == set(RAG_WORDS.values())
    # The value and, under it, its symbol large enough to carry the rating alone.
    texts = [layer for layer in s["layer"] if layer["mark"]["type"] == "text"]
    assert [t["encoding"]["text"]["field"] for t in texts] == ["value_text", "symbol"]
    assert texts[1]["mark"]["fontSize"] > texts[0]["mark"]["fontSize"]
    # Rows keep the grid's order; a click selects a cell.
    assert rect["encoding"]["y"]["sort"] == ["Alder", "North (network)", "All"]
    assert any(p["name"] == CELL_SELECTION for p in s["params"])


def test_rag_chart_judged_by_the_benchmark_uses_the_grids_status_digits_and_legend():
    verdicts = {"green": "better", "amber": "similar", "red": "worse", "none": "higher"}
    words = {"better": "▲ better", "similar": "● similar", "worse": "▼ worse", "higher": "▲ hi"}
    grid = _grid().with_columns(
        pl.col("rag").replace(verdicts).alias("status"),
        pl.col("value_text").str.replace("%", ".0%"),
    )
    grid = grid.with_columns(pl.col("status").replace(words).alias("status_words"))
    legend = {**words, "no data": "no data"}
    s = spec(rag_chart(grid, "North", CAPTION, legend_title="Against the benchmark", legend=legend))
    colour = s["layer"][0]["encoding"]["color"]
    assert colour["field"] == "status"
    assert colour["legend"]["title"] == "Against the benchmark"
    assert colour["scale"]["domain"] == list(legend)
    # better / similar / worse in the colours of meets / near / below; higher a neutral grey
    assert colour["scale"]["range"] == [
        RAG_COLOURS["green"],
        RAG_COLOURS["amber"],
        RAG_COLOURS["red"],
        NEUTRAL_STATUS_COLOUR,
        RAG_COLOURS["no data"],
    ]
    for text in words.values():
        assert text in colour["legend"]["labelExpr"]
    cells = all_data(s)[0]
    assert "85.0%" in {c["value_text"] for c in cells}  # the grid's digits, not whole percents
    tooltip = {t["field"]: t["title"] for t in s["layer"][0]["encoding"]["tooltip"]}
    assert tooltip["status_words"] == "Against the benchmark"


def _funnel_points() -> tuple[pl.DataFrame, pl.DataFrame, float]:
    summary = FunnelSummary(0.8, "arcsine-od", 2.0, 0.001, True, 4)
    grid = funnel_limits_grid(summary, n_max=500, n_min=10, points=50)
    points = pl.DataFrame(
        {
            "practice_id": ["A", "B", "C", "D"],
            "label": ["Alder", "Birch", "Cedar", "Damson"],
            "network_name": ["North", "North", "South", "South"],
            "in_network": [True, True, False, False],
            "value": [0.8, 0.5, 0.95, 0.81],
            "numerator": [80, 50, 95, 81],
            "denominator": [100, 100, 100, 100],
            "ci95_lower": [0.71, 0.4, 0.89, 0.72],
            "ci95_upper": [0.87, 0.6, 0.98, 0.88],
            "outlier95": ["none", "low", "high", "none"],
            "outlier998": ["none", "low", "none", "none"],
            "status": ["within limits", "outside 99.8%", "outside 95%", "within limits"],
        }
    )
    return with_verdict_words(points), grid, 0.8


def test_funnel_chart_has_both_limit_layers_the_benchmark_and_labelled_outliers():
    points, grid, benchmark = _funnel_points()
    s = spec(funnel_chart(points, grid, benchmark, "MMR1, Sep 2026: 4 practices", CAPTION))
    assert s["title"]["text"] == "MMR1, Sep 2026: 4 practices"
    layers = {layer["name"]: layer for layer in s["layer"]}
    assert [layer["name"] for layer in s["layer"][:7]] == [
        "limits",
        "benchmark",
        "practices",
        "network_rings",
        "off_scale_up",
        "off_scale_down",
        "leaders",
    ]
    assert {layers[n]["mark"]["type"] for n in ("off_scale_up", "off_scale_down")} == {"text"}
    data = all_data(s)
    curves = pl.DataFrame(data[0])
    assert sorted(curves["limit"].unique().to_list()) == [
        "funnel95_lower",
        "funnel95_upper",
        "funnel998_lower",
        "funnel998_upper",
    ]
    dash = layers["limits"]["encoding"]["strokeDash"]["scale"]
    assert dash["domain"] == ["95% limits", "99.8% limits"]
    assert dash["range"] == [[6, 4], [1, 0]]  # 95% dashed, 99.8% solid
    assert curves.height == 4 * grid.height
    assert data[1] == [{"benchmark": 0.8}]
    dots = pl.DataFrame(data[2])
    assert dots["flag"].to_list() == [
        "within limits",
        "low: outside 99.8%",
        "high: outside 95%",
        "within limits",
    ]
    assert dots["group"].to_list() == ["chosen network"] * 2 + ["other practices"] * 2
    assert [t["field"] for t in layers["practices"]["encoding"]["tooltip"]][:2] == [
        "label",
        "network_name",
    ]
    assert any(p["name"] == POINT_SELECTION for p in s["params"])
    # The chosen network's practices are ringed.
    assert [r["label"] for r in data[3]] == ["Alder", "Birch"]


def test_presentation_mode_enlarges_chart_fonts():
    points, grid, benchmark = _funnel_points()
    small = spec(funnel_chart(points, grid, benchmark, "t", CAPTION))
    large = spec(funnel_chart(points, grid, benchmark, "t", CAPTION, large=True))
    assert large["config"]["axis"]["labelFontSize"] > small["config"]["axis"]["labelFontSize"]
    assert large["title"]["fontSize"] > small["title"]["fontSize"]
    assert large["height"] > small["height"]


def _series() -> pl.DataFrame:
    periods = [dt.date(2025, m, 1) for m in range(1, 4)]
    rows = []
    for series, base in [("Alder", 0.7), ("North (network average)", 0.75), ("All practices", 0.8)]:
        for i, p in enumerate(periods):
            rows.append(
                {
                    "period": p,
                    "series": series,
                    "value": base + 0.01 * i,
                    "numerator": 1,
                    "denominator": 2,
                }
            )
    return pl.DataFrame(rows)


def test_trend_chart_puts_the_subject_first_and_draws_the_target():
    s = spec(trend_chart(_series(), "Alder", 0.95, "Alder: MMR1", CAPTION))
    colour = s["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Alder", "North (network average)", "All practices"]
    rules = [layer for layer in s["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1
    assert all_data(s)[-1] == [{"target": 0.95, "label": "target 95%"}]
    no_target = spec(trend_chart(_series(), "Alder", None, "Alder: MMR1", CAPTION))
    assert not [layer for layer in no_target["layer"] if layer["mark"]["type"] == "rule"]


def test_spc_chart_uses_making_data_count_colours_and_names_each_point_type():
    y = [0.5, 0.52, 0.51, 0.53, 0.5, 0.52, 0.51, 0.6, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67]
    frame = pl.DataFrame(
        {
            "date": [dt.date(2025, 1, 1) + dt.timedelta(days=31 * i) for i in range(len(y))],
            "value": y,
        }
    )
    out, summary = spc_chart(frame, improvement="increase", target=0.7)
    s = spec(spc_chart_spec(out, 0.7, "SPC: Alder", CAPTION))
    points = next(layer for layer in s["layer"] if layer["mark"]["type"] == "point")
    colour = points["encoding"]["color"]
    assert colour["scale"]["domain"][:3] == ["common_cause", "improvement", "concern"]
    assert colour["scale"]["range"][:3] == ["#7B7D7D", "#289DE0", "#FAB428"]
    assert "special cause: improvement" in colour["legend"]["labelExpr"]
    drawn = pl.DataFrame(all_data(s)[2])
    assert "improvement" in drawn["type"].to_list()  # the late rise is special cause
    assert summary.variation_icon == "improvement_high"
    limits = pl.DataFrame(all_data(s)[0])
    assert set(limits["kind"].to_list()) == {"mean", "process limits"}
    assert all_data(s)[-1] == [{"target": 0.7}]


def test_network_charts_mark_who_meets_the_target_in_words():
    networks = pl.DataFrame(
        {
            "network_id": ["N1", "N2", "N3"],
            "network_name": ["North", "South", "East"],
            "practices": [2, 2, 1],
            "numerator": [160, 150, 40],
            "denominator": [200, 200, 100],
            "value": [0.8, 0.75, 0.4],
            "network_target": [0.75, 0.75, 0.75],
            "meets": [True, True, False],
            "in_network": [True, False, False],
        }
    )
    s = spec(network_bars(networks, 0.75, "Network averages, Feb 2025", CAPTION))
    bars = pl.DataFrame(all_data(s)[0])
    assert bars["status"].to_list() == ["✔ meets target", "✔ meets target", "✖ below target"]
    assert bars["value_text"].to_list() == ["80.0%", "75.0%", "40.0%"]
    assert all_data(s)[-1] == [{"target": 0.75}]
    no_target = spec(
        network_bars(networks.with_columns(pl.lit(None).alias("meets")), None, "t", CAPTION)
    )
    assert set(pl.DataFrame(all_data(no_target)[0])["status"]) == {"no network target"}
    practices = pl.DataFrame(
        {
            "practice_id": ["A", "B", "C"],
            "label": ["Alder", "Birch", "Cedar"],
            "network_id": ["N1", "N1", "N2"],
            "network_name": ["North", "North", "South"],
            "value": [0.85, 0.75, 0.6],
            "numerator": [85, 75, 60],
            "denominator": [100, 100, 100],
            "in_network": [True, True, False],
        }
    )
    spread = spec(practice_spread(practices, ["North", "South"], 0.75, "Spread", CAPTION))
    assert spread["title"]["text"] == "Spread"
    assert [layer["mark"]["type"] for layer in spread["layer"]] == ["boxplot", "point", "rule"]


@pytest.mark.parametrize(
    ("icon", "words"),
    [
        ("improvement_high", "Special cause improvement (high)"),
        ("concern_low", "Special cause concern (low)"),
        ("common_cause", "Common cause variation: no significant change"),
    ],
)
def test_variation_icons_are_labelled_svg(icon: str, words: str):
    svg = variation_icon_svg(icon)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert f'aria-label="{words}"' in svg
    assert variation_words(icon) == words


def test_assurance_icons_are_labelled_svg():
    for assurance, letter in [("pass", "P"), ("fail", "F"), ("inconsistent", "?")]:
        svg = assurance_icon_svg(assurance)
        assert f">{letter}</text>" in svg
        assert f'aria-label="{assurance_words(assurance)}"' in svg
    assert assurance_words("none") == "No target: no assurance"
