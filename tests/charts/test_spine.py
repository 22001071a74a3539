"""The spine chart's spec: bands, benchmark line, network and practice markers, rescaling."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from netcompare.charts.common import RAG_COLOURS, frame_height
from netcompare.charts.spine import (
    MARKER_SHAPES,
    QUARTILE_COLOUR,
    RANGE_COLOUR,
    spine_chart,
    spine_positions,
    spine_summary,
)
from netcompare.views.profile import PROFILE_SCHEMA


def rows(*specs: dict) -> pl.DataFrame:
    base = {
        "indicator_id": "I",
        "indicator_name": "Indicator",
        "care_package": "P",
        "polarity": "high",
        "period": dt.date(2026, 9, 1),
        "period_label": "Sep 2026",
        "numerator": 50,
        "denominator": 100,
        "value": 0.5,
        "ci95_lower": 0.4,
        "ci95_upper": 0.6,
        "rag": "green",
        "verdict": "similar",
        "trend": "no_change",
        "trend_words": "→ No significant change",
        "network_value": 0.55,
        "benchmark": 0.6,
        "practices": 30,
        "minimum": 0.2,
        "q25": 0.5,
        "q75": 0.7,
        "maximum": 0.8,
        "small_n": False,
    }
    return pl.DataFrame([{**base, **s} for s in specs], schema=PROFILE_SCHEMA)


def test_positions_centre_the_benchmark_and_the_farther_end_touches_the_edge():
    placed = spine_positions(rows({})).row(0, named=True)
    # benchmark 0.6; lowest 0.2 is 0.4 away, highest 0.8 is 0.2 away: half the row is 0.4.
    assert placed["x_benchmark"] == pytest.approx(0.5)
    assert placed["x_range_lo"] == pytest.approx(0.0)
    assert placed["x_range_hi"] == pytest.approx(0.75)
    assert placed["x_q_lo"] == pytest.approx(0.375)
    assert placed["x_q_hi"] == pytest.approx(0.625)
    assert placed["x_value"] == pytest.approx(0.375)
    assert placed["x_network"] == pytest.approx(0.4375)


def test_lower_is_better_rows_are_mirrored_so_better_is_right():
    placed = spine_positions(rows({"polarity": "low"})).row(0, named=True)
    assert placed["x_benchmark"] == pytest.approx(0.5)
    assert placed["x_range_lo"] == pytest.approx(0.25)  # the highest (worst) on the left
    assert placed["x_range_hi"] == pytest.approx(1.0)  # the lowest (best) on the right
    assert placed["x_value"] == pytest.approx(0.625)


def test_no_spread_and_missing_values():
    flat = {"minimum": 0.6, "q25": 0.6, "q75": 0.6, "maximum": 0.6, "value": None}
    placed = spine_positions(rows(flat)).row(0, named=True)
    assert placed["x_range_lo"] == placed["x_range_hi"] == 0.5
    assert placed["x_value"] is None


def spec_of(frame: pl.DataFrame, large: bool = False) -> dict:
    chart = spine_chart(
        frame, "Practice profile: X", "caption", practice_label="X", network_name="Net", large=large
    )
    return chart.to_dict()


def layer(spec: dict, mark: str, colour: str | None = None) -> dict:
    for part in spec["layer"]:
        m = part["mark"]
        if m["type"] == mark and (colour is None or m.get("color") == colour):
            return part
    raise AssertionError(f"no {mark} layer {colour}")


def test_spec_has_bands_benchmark_and_markers():
    frame = rows(
        {"indicator_id": "A", "indicator_name": "Alpha", "verdict": "better"},
        {"indicator_id": "B", "indicator_name": "Beta", "verdict": "worst", "polarity": "low"},
        {"indicator_id": "C", "indicator_name": "Gamma", "verdict": "similar"},
    )
    spec = spec_of(frame)
    assert [p["mark"]["type"] for p in spec["layer"]] == ["bar", "bar", "tick", "point", "point"]
    light = layer(spec, "bar", RANGE_COLOUR)
    assert light["encoding"]["x"]["field"] == "x_range_lo"
    assert light["encoding"]["x2"]["field"] == "x_range_hi"
    dark = layer(spec, "bar", QUARTILE_COLOUR)
    assert (dark["encoding"]["x"]["field"], dark["encoding"]["x2"]["field"]) == (
        "x_q_lo",
        "x_q_hi",
    )
    tick = layer(spec, "tick")
    assert tick["encoding"]["x"]["field"] == "x_benchmark"
    network, practice = spec["layer"][3], spec["layer"][4]
    assert network["mark"]["shape"] == "diamond"
    assert network["encoding"]["x"]["field"] == "x_network"
    assert practice["encoding"]["x"]["field"] == "x_value"
    colour = practice["encoding"]["color"]["scale"]
    assert colour["domain"] == ["better", "similar", "worse"]
    assert colour["range"] == [RAG_COLOURS["green"], RAG_COLOURS["amber"], RAG_COLOURS["red"]]
    shape = practice["encoding"]["shape"]["scale"]
    assert shape["range"] == [MARKER_SHAPES[c] for c in ("better", "similar", "worse")]
    # One row per indicator, in order; the period said once (the same for all).
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Alpha", "Beta", "Gamma"]
    assert spec["height"] >= 3 * 34
    # The data: the positions, and the numbers in percent for the tooltips.
    values = next(iter(spec["datasets"].values()))
    assert [v["x_benchmark"] for v in values] == [0.5, 0.5, 0.5]
    assert values[0]["benchmark_pct"] == 60.0 and values[0]["maximum_pct"] == 80.0
    tooltips = {t["title"] for t in spec["layer"][4]["encoding"]["tooltip"]}
    assert {"X (%)", "Net average (%)", "Benchmark (%)", "25th percentile (%)"} <= tooltips
    assert spec["title"]["text"] == "Practice profile: X"
    assert any("white diamond" in line for line in spec["title"]["subtitle"])
    assert frame_height(spine_chart(frame, "t", "c", practice_label="X", network_name="N")) > 0


def test_rows_name_their_period_when_periods_differ():
    frame = rows(
        {"indicator_name": "Alpha"},
        {"indicator_name": "Beta", "period_label": "2025-26"},
    )
    rows_drawn = spec_of(frame)["layer"][0]["encoding"]["y"]["sort"]
    assert rows_drawn == ["Alpha (Sep 2026)", "Beta (2025-26)"]


def test_presentation_mode_is_larger():
    frame = rows({})
    small, large = spec_of(frame), spec_of(frame, large=True)
    assert large["config"]["axis"]["labelFontSize"] >= 16
    assert large["layer"][4]["mark"]["size"] > small["layer"][4]["mark"]["size"]


def test_summary_counts_verdicts():
    frame = rows({"verdict": "better"}, {"verdict": "worst"}, {"verdict": None, "value": None})
    assert spine_summary(frame, "X") == (
        "Spine chart of X on 3 indicators (2 with data): against the benchmark, 1 better, "
        "0 similar, 1 worse."
    )
