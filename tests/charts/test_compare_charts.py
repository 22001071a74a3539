"""The Compare practices bar chart and the Compare two indicators scatter: their specs."""

from __future__ import annotations

import polars as pl
import pytest

from netcompare.charts.compare import BAR_SELECTION, compare_chart
from netcompare.charts.scatter import POINT_SELECTION, scatter_chart
from netcompare.views.compare_practices import BARS_SCHEMA, unique_labels

BARS = pl.DataFrame(
    {
        "order": [1, 2, 3],
        "bar_label": ["◆ Alma Road", "Bridge Street", "Practice C"],
        "label": ["Alma Road", "Bridge Street", "Practice C"],
        "practice_id": ["P1", "P2", "P3"],
        "network_id": ["N1", "N2", "N2"],
        "network_name": ["One", "Two", "Two"],
        "in_network": [True, False, False],
        "rank": [1, 2, 3],
        "rank_words": ["1st (1st–2nd)", "2nd (1st–3rd)", "3rd (2nd–3rd)"],
        "numerator": [95, 80, 40],
        "denominator": [100, 100, 100],
        "value": [0.95, 0.80, 0.40],
        "ci95_lower": [0.89, 0.71, 0.31],
        "ci95_upper": [0.98, 0.87, 0.50],
        "rag": ["green", "amber", "red"],
        "verdict_words": ["", "", ""],
        "trend_words": ["", "", ""],
    },
    schema=BARS_SCHEMA,
)


def spec(**kwargs) -> dict:
    args = {"benchmark": 0.72, "target": 0.9, "summary": "Bar chart of 3 practices."} | kwargs
    return compare_chart(BARS, "Title", "Caption", **args).to_dict()


def layer(s: dict, name: str) -> dict:
    found = [part for part in s["layer"] if part.get("name") == name]
    assert len(found) == 1, [part.get("name") for part in s["layer"]]
    return found[0]


def rows(s: dict, part: dict) -> list[dict]:
    data = part.get("data", s.get("data"))
    return s["datasets"][data["name"]]


def test_bars_whiskers_symbols_and_lines():
    s = spec()
    bars = layer(s, "bars")
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "value_pct"
    assert bars["encoding"]["x"]["scale"]["domain"][0] == 0  # a bar's length is its value
    assert bars["encoding"]["y"]["sort"] == BARS["bar_label"].to_list()
    # A click selects the practice (Altair lifts a layer's selection to the top, naming the
    # layer it is on).
    assert s["params"][0]["name"] == BAR_SELECTION and s["params"][0]["views"] == ["bars"]
    assert s["params"][0]["select"]["fields"] == ["practice_id"]
    drawn = rows(s, bars)
    assert [r["value_pct"] for r in drawn] == [95.0, 80.0, 40.0]
    whiskers = layer(s, "whiskers")
    assert whiskers["mark"]["type"] == "errorbar" and whiskers["mark"]["ticks"]
    assert whiskers["encoding"]["x"]["field"] == "ci95_lower_pct"
    assert whiskers["encoding"]["x2"]["field"] == "ci95_upper_pct"
    assert [round(r["ci95_lower_pct"], 6) for r in drawn] == [89.0, 71.0, 31.0]
    assert [round(r["ci95_upper_pct"], 6) for r in drawn] == [98.0, 87.0, 50.0]
    assert [r["end_text"] for r in drawn] == ["✔ 95.0%", "▲ 80.0%", "✖ 40.0%"]
    ends = layer(s, "rag_symbols")
    # In a column right of the plot, never over the lines.
    assert ends["encoding"]["x"] == {"value": {"expr": "width"}}
    assert ends["encoding"]["text"]["field"] == "end_text"
    benchmark = layer(s, "benchmark_line")
    assert benchmark["mark"]["type"] == "rule" and benchmark["mark"]["strokeDash"]
    assert rows(s, benchmark)[0]["x"] == 72.0
    target = layer(s, "target_line")
    assert target["mark"]["type"] == "rule"
    assert rows(s, target)[0]["x"] == 90.0
    # The network's bar is outlined: the stroke depends on in_network.
    assert bars["encoding"]["stroke"]["condition"]["test"] == "datum.in_network"
    assert s["description"] == "Bar chart of 3 practices."


def test_no_target_no_target_line():
    names = [part.get("name") for part in spec(target=None)["layer"]]
    assert "target_line" not in names and "benchmark_line" in names


def test_presentation_mode_text_is_large_and_rows_taller():
    small, large = spec(), spec(large=True)
    assert large["config"]["axis"]["labelFontSize"] >= 16
    assert large["config"]["text"]["fontSize"] >= 16
    assert large["height"]["step"] > small["height"]["step"]
    assert large["height"]["step"] >= large["config"]["axis"]["labelFontSize"] + 8


def test_repeated_names_are_told_apart_without_codes():
    assert unique_labels(["The Surgery", "Alma", "The Surgery"]) == [
        "The Surgery",
        "Alma",
        "The Surgery (2)",
    ]


def test_scatter_highlights_the_network_and_selects_a_practice():
    points = pl.DataFrame(
        {
            "practice_id": ["P1", "P2"],
            "label": ["Alma Road", "Bridge Street"],
            "network_id": ["N1", "N2"],
            "network_name": ["One", "Two"],
            "in_network": [True, False],
            "x_value": [0.5, 0.6],
            "y_value": [0.7, 0.8],
        }
    )
    s = scatter_chart(
        points, "T", "C", x_title="X (%)", y_title="Y (%)", summary="Scatter plot."
    ).to_dict()
    dots = layer(s, "points")
    assert s["params"][0]["name"] == POINT_SELECTION and s["params"][0]["views"] == ["points"]
    assert dots["encoding"]["x"]["field"] == "x_pct" and dots["encoding"]["y"]["field"] == "y_pct"
    assert dots["encoding"]["shape"]["scale"]["range"] == ["diamond", "circle"]
    drawn = {r["practice_id"]: r for r in rows(s, dots)}
    assert drawn["P1"]["group"] == "network" and drawn["P2"]["group"] == "other"
    assert drawn["P1"]["x_pct"] == 50.0 and drawn["P2"]["y_pct"] == 80.0
    assert layer(s, "network_labels")["encoding"]["text"]["field"] == "label"


def test_scatter_names_close_together_are_moved_apart():
    from netcompare.charts.common import fonts
    from netcompare.charts.scatter import HEIGHT, label_positions

    frame = pl.DataFrame(
        {
            "practice_id": ["A", "B", "C", "D"],
            "in_network": [True, True, True, False],
            "y_pct": [50.0, 50.1, 90.0, 10.0],
        }
    )
    placed = dict(label_positions(frame, False).iter_rows())
    gap = (fonts(False)["text"] + 3) * 80 / HEIGHT[False]
    assert placed["B"] - placed["A"] == pytest.approx(gap)
    assert (placed["A"] + placed["B"]) / 2 == pytest.approx(50.05)
    assert placed["C"] == 90.0  # alone: level with its point
