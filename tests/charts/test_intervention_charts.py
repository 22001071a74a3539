"""Interventions on the trend and SPC charts (netcompare.charts.trends): a dashed rule at each
date with its short label and full text on hover, in a colour apart from every other line for
colour-blind viewers; the summaries name them; with none, the charts are exactly as before."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import polars as pl
import pytest
import vl_convert

from netcompare.charts.common import HIGHLIGHT_COLOUR, LARGE_MIN_FONT, MDC_COLOURS
from netcompare.charts.trends import (
    INTERVENTION_COLOUR,
    intervention_records,
    spc_chart_spec,
    spc_summary,
    trend_chart,
    trend_summary,
)
from netcompare.stats.spc import spc_chart
from netcompare.views.interventions import Intervention
from tests.charts.test_palette import SIMULATIONS, contrast, distance
from tests.hostile import HOSTILE, hostile

CAPTION = "MMR1 by 24 months · Sep 2025 · Source: test"
MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, m, 1) for m in range(1, 10)]


def intervention(uid: str, date: dt.date, label: str = "Recall change", **fields) -> Intervention:
    values = {
        "note_uid": uid,
        "date": date,
        "label": label,
        "text": fields.pop("text", f"{label}: we now phone every family twice."),
        "kind_label": "Action",
        "author": "Dr Lee",
        "practice_id": "P001",
        "started": date + dt.timedelta(days=14),
    }
    values.update(fields)
    return Intervention(**values)


RECALL = intervention("a", dt.date(2025, 3, 1))
TEXTS = intervention("b", dt.date(2024, 6, 1), "Texted parents", kind_label="What we do")


def lines(periods: list[dt.date] = MONTHS, labels: list[str] | None = None) -> pl.DataFrame:
    rows = []
    for series, base in [("Alder", 0.7), ("North (network average)", 0.75), ("All practices", 0.8)]:
        for i, p in enumerate(periods):
            rows.append(
                {
                    "period": p,
                    "series": series,
                    "value": base + 0.005 * i,
                    "numerator": 7,
                    "denominator": 10,
                }
            )
    frame = pl.DataFrame(rows)
    if labels is not None:
        mapping = dict(zip(periods, labels, strict=True))
        frame = frame.with_columns(
            pl.col("period").replace_strict(mapping, return_dtype=pl.String).alias("period_label")
        )
    return frame


def spc(periods: list[dt.date] = MONTHS) -> pl.DataFrame:
    y = [0.70, 0.72, 0.68, 0.71, 0.69, 0.72, 0.68, 0.70, 0.71, 0.69, 0.72, 0.70]
    y = (y + [0.72, 0.71, 0.73, 0.72, 0.71, 0.73, 0.72, 0.74, 0.73] * 3)[: len(periods)]
    out, _ = spc_chart(pl.DataFrame({"date": periods, "value": y}))
    return out.with_columns(
        pl.col("date").dt.strftime("%b %Y").alias("period_label")  # as the trend view labels it
    )


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def layer_rows(s: dict, layer: dict) -> list[dict]:
    data = layer.get("data", s.get("data", {}))
    return data["values"] if "values" in data else s["datasets"][data["name"]]


def intervention_layers(s: dict) -> list[dict]:
    return [
        layer
        for layer in s["layer"]
        if layer["mark"].get("color") == INTERVENTION_COLOUR
        or layer["mark"].get("stroke") == "white"
    ]


def charts(interventions=()) -> dict[str, dict]:
    return {
        "trend": spec(
            trend_chart(lines(), "Alder", 0.95, "Alder: MMR1", CAPTION, interventions=interventions)
        ),
        "spc": spec(
            spc_chart_spec(spc(), 0.95, "SPC: Alder", CAPTION, interventions=interventions)
        ),
    }


# --- colour ----------------------------------------------------------------------------------


CHART_COLOURS = {
    "subject": HIGHLIGHT_COLOUR,
    "network": "#0072B2",
    "all practices": "#7F7F7F",
    "target": "#D55E00",
    "limits": "#555555",
    "process line": "#AAAAAA",
    **MDC_COLOURS,
}


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_the_intervention_colour_stays_apart_from_every_line_and_point(simulation: str):
    for name, colour in CHART_COLOURS.items():
        d = distance(INTERVENTION_COLOUR, colour, simulation)
        assert d >= 25, f"intervention vs {name} under {simulation}: ΔE {d:.0f}"


def test_the_intervention_label_is_readable_on_white():
    assert contrast(INTERVENTION_COLOUR, "#FFFFFF") >= 4.5
    # The colours the charts draw are the ones checked here.
    drawn = json.dumps(charts())
    for name, colour in CHART_COLOURS.items():
        if name not in MDC_COLOURS and name != "subject":
            assert colour in drawn, name


def test_the_colour_check_can_fail():
    # Okabe-Ito's bluish green and sky blue, the obvious picks, are too close to a colour
    # the charts already draw for some viewers: the check above would refuse them.
    for candidate in ("#009E73", "#56B4E9"):
        worst = min(
            distance(candidate, colour, simulation)
            for colour in CHART_COLOURS.values()
            for simulation in SIMULATIONS
        )
        assert worst < 25, candidate


# --- the layers ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trend", "spc"])
def test_no_interventions_leave_the_chart_exactly_as_it_was(name: str):
    plain = charts()[name]
    assert charts(())[name] == plain
    assert not intervention_layers(plain)
    # With interventions, the chart is the same chart with layers added at the end (and its
    # summary one sentence longer).
    marked = charts((RECALL,))[name]
    added = intervention_layers(marked)
    assert added and marked["layer"][: len(plain["layer"])] == plain["layer"]
    assert len(marked["layer"]) == len(plain["layer"]) + len(added)
    for key in set(plain) | set(marked):
        if key not in ("layer", "description", "datasets"):
            assert marked.get(key) == plain.get(key), key
    assert marked["description"].startswith(plain["description"])


@pytest.mark.parametrize("name", ["trend", "spc"])
def test_each_intervention_is_a_dashed_rule_at_its_date_with_its_text_on_hover(name: str):
    s = charts((RECALL, TEXTS))[name]
    field = "period" if name == "trend" else "date"
    [rule] = [layer for layer in s["layer"] if layer["mark"].get("color") == INTERVENTION_COLOUR
              and layer["mark"]["type"] == "rule"]  # fmt: skip
    assert rule["mark"]["strokeDash"]
    assert rule["encoding"]["x"]["field"] == field
    rows = layer_rows(s, rule)
    assert [r[field] for r in rows] == ["2024-06-01", "2025-03-01"]  # by date
    assert [r["label"] for r in rows] == ["Texted parents", "Recall change"]
    recall = rows[1]
    assert recall["text"] == "Recall change: we now phone every family twice."
    assert (recall["kind"], recall["author"], recall["started"]) == (
        "Action",
        "Dr Lee",
        "15 Mar 2025",
    )
    assert recall["period_label"] == "Mar 2025"
    assert rows[0]["kind"] == "What we do"
    tooltip = {t["field"]: t["title"] for t in rule["encoding"]["tooltip"]}
    assert tooltip == {
        "kind": "Intervention",
        "started": "Started",
        "period_label": "From",
        "author": "By",
        "text": "Note",
    }
    labels = [
        layer
        for layer in s["layer"]
        if layer["mark"]["type"] == "text" and layer["mark"].get("color") == INTERVENTION_COLOUR
    ]
    assert labels and all(layer["encoding"]["text"]["field"] == "label" for layer in labels)
    assert all("tooltip" in layer["encoding"] for layer in labels)
    # The x axis is the chart's own, so the rule sits on its period.
    assert rule["encoding"]["x"] == s["layer"][0]["encoding"]["x"]


def test_interventions_outside_the_charts_periods_are_not_drawn():
    early = intervention("e", dt.date(2023, 5, 1), "Before the data")
    late = intervention("l", dt.date(2026, 1, 1), "After the data")
    s = charts((early, RECALL, late))["spc"]
    rows = [r for layer in intervention_layers(s) for r in layer_rows(s, layer)]
    assert {r["label"] for r in rows} == {"Recall change"}
    assert "Before the data" not in s["description"] and "After the data" not in s["description"]


def test_a_financial_year_chart_draws_the_rule_on_the_periods_own_tick():
    years = [dt.date(2020, 4, 1), dt.date(2021, 4, 1), dt.date(2022, 4, 1)]
    labels = ["2020-21", "2021-22", "2022-23"]
    frame = lines(years, labels)
    change = intervention("fy", dt.date(2021, 4, 1), "Recall change")
    s = spec(
        trend_chart(
            frame, "Alder", None, "t", "c", period_type="financial_year", interventions=(change,)
        )
    )
    [rule] = [layer for layer in s["layer"] if layer["mark"]["type"] == "rule"]
    assert rule["encoding"]["x"]["field"] == "period_label"
    assert rule["encoding"]["x"]["sort"] == labels
    assert [r["period_label"] for r in layer_rows(s, rule)] == ["2021-22"]
    # A date that is not one of the chart's periods has no tick to sit on.
    odd = intervention("odd", dt.date(2021, 9, 1), "Mid-year")
    assert intervention_records((odd,), frame, "period", "financial_year") == []


def test_labels_that_would_overlap_go_on_separate_rows_and_stay_on_the_chart():
    near = [
        intervention("1", dt.date(2024, 3, 1), "Recall change"),
        intervention("2", dt.date(2024, 4, 1), "Texted parents"),
        intervention("3", dt.date(2025, 9, 1), "Evening clinics"),
    ]
    records = intervention_records(near, spc(), "date")
    ys = [r["label_y"] for r in records]
    assert ys[0] != ys[1]  # a month apart: one label under the other
    assert ys[2] == ys[0]  # far from both: the top row again
    assert [r["align"] for r in records] == ["left", "left", "right"]  # the last, leftwards
    large = intervention_records(near, spc(), "date", large=True)
    assert large[1]["label_y"] > records[1]["label_y"]  # rows as tall as the larger font


@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_hostile_text_is_drawn_as_literal_text(n: int):
    text = hostile(n)
    change = intervention("h", dt.date(2025, 3, 1), text[:32], text=text, author=text)
    s = charts((change,))["trend"]
    rows = [r for layer in intervention_layers(s) for r in layer_rows(s, layer)]
    assert rows and all(r["text"] == text and r["author"] == text for r in rows)
    assert all(r["label"] == text[:32] for r in rows)
    # Never in an expression or a format: only in the data.
    for layer in s["layer"]:
        assert text not in json.dumps(layer.get("encoding", {}))
        assert text not in json.dumps(layer.get("mark", {}))


def test_the_labels_are_drawn_by_vega_as_text():
    for s in charts((RECALL, TEXTS)).values():
        s["width"] = 800
        svg = vl_convert.vegalite_to_svg(s)
        texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
        assert texts.count("Recall change") == 2  # the white halo and the label
        assert texts.count("Texted parents") == 2


def test_presentation_mode_labels_are_large():
    s = spec(
        spc_chart_spec(spc(), 0.95, "SPC: Alder", CAPTION, large=True, interventions=(RECALL,))
    )
    s["width"] = 683
    svg = vl_convert.vegalite_to_svg(s)
    sizes = [
        float(size)
        for size, body in re.findall(r'<text[^>]*font-size="([\d.]+)px"[^>]*>([^<]*)</text>', svg)
        if body == "Recall change"
    ]
    assert sizes and min(sizes) >= LARGE_MIN_FONT


# --- the summaries ---------------------------------------------------------------------------


def test_the_summaries_name_the_interventions():
    frame = lines()
    plain = trend_summary(frame, "Alder", 0.95)
    assert trend_summary(frame, "Alder", 0.95, interventions=()) == plain
    marked = trend_summary(frame, "Alder", 0.95, interventions=(RECALL, TEXTS))
    assert marked == plain + (
        " 2 interventions marked: “Texted parents” (Jun 2024) and “Recall change” (Mar 2025)."
    )
    chart = spc()
    plain_spc = spc_summary(chart, "Alder", "MMR1")
    assert spc_summary(chart, "Alder", "MMR1", interventions=(RECALL,)) == (
        plain_spc + " 1 intervention marked: “Recall change” (Mar 2025)."
    )
    s = charts((RECALL,))
    assert s["trend"]["description"].endswith("1 intervention marked: “Recall change” (Mar 2025).")
    assert s["spc"]["description"].endswith("1 intervention marked: “Recall change” (Mar 2025).")
