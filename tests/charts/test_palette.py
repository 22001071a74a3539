"""The chart colours stay apart for colour-blind viewers, and text on them is readable.

Colour-vision deficiencies are simulated with the matrices of Machado, Oliveira & Fernandes
(2009, "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG
15(6)), severity 1.0, applied in linear RGB; colours are compared by their CIE76 distance in
CIELAB (ΔE ≈ 2.3 is just noticeable; the RAG colours must differ by far more). Contrast is
WCAG 2.2's relative-luminance ratio (1.4.3: ≥ 4.5:1 for text)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from netcompare.charts.common import (
    HIGH_COLOUR,
    LOW_COLOUR,
    RAG_COLOURS,
    RAG_TEXT_COLOURS,
    STATUS_COLOURS,
    STATUS_TEXT_COLOURS,
    VERDICT_COLOURS,
    WITHIN_COLOUR,
)

SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
RATINGS = ["green", "amber", "red", "none"]  # the four a cell is rated with


def linear_rgb(colour: str) -> np.ndarray:
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x = xyz @ np.clip(rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(x > 0.008856, np.cbrt(x), 7.787 * x + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, simulation: str) -> float:
    m = SIMULATIONS[simulation]
    return float(np.linalg.norm(lab(m @ linear_rgb(a)) - lab(m @ linear_rgb(b))))


def contrast(a: str, b: str) -> float:
    la, lb = (float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(c)) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_the_simulation_reproduces_the_reported_problem_with_the_old_palette():
    # Issue 12: under deuteranopia Okabe-Ito green read as the grey of "no target", and
    # orange as vermillion. The check below must see that, or it proves nothing.
    assert distance("#009E73", "#BBBBBB", "deuteranopia") < 25
    assert distance("#E69F00", "#D55E00", "deuteranopia") < 25


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_rag_colours_stay_apart_under_each_colour_vision_deficiency(simulation: str):
    for a, b in itertools.combinations(RATINGS, 2):
        d = distance(RAG_COLOURS[a], RAG_COLOURS[b], simulation)
        assert d >= 40, f"{a} vs {b} under {simulation}: ΔE {d:.0f}"
    # "no data" (a dash, no symbol) is lighter than "no target" for everyone.
    assert distance(RAG_COLOURS["none"], RAG_COLOURS["no data"], simulation) >= 15


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_funnel_high_low_and_within_stay_apart(simulation: str):
    for a, b in itertools.combinations([HIGH_COLOUR, LOW_COLOUR, WITHIN_COLOUR], 2):
        assert distance(a, b, simulation) >= 30


def test_rag_is_not_told_by_red_against_green():
    # The "green" rating is drawn blue: no red/green pair anywhere in the RAG palette.
    r, g, b = (int(RAG_COLOURS["green"][i : i + 2], 16) for i in (1, 3, 5))
    assert b > g > r


def test_cell_text_contrasts_with_its_cell():
    for rating, background in RAG_COLOURS.items():
        assert contrast(RAG_TEXT_COLOURS[rating], background) >= 4.5, rating


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_verdict_colours_stay_apart_under_each_colour_vision_deficiency(simulation: str):
    # Judged against the benchmark, a column holds better / similar / worse (or, for a
    # neutral indicator, higher / similar / lower) and "not judged" rows.
    for a, b in itertools.combinations(["better", "similar", "worse", "none"], 2):
        d = distance(STATUS_COLOURS[a], STATUS_COLOURS[b], simulation)
        assert d >= 40, f"{a} vs {b} under {simulation}: ΔE {d:.0f}"
    for a, b in itertools.combinations(["higher", "similar", "none"], 2):
        d = distance(STATUS_COLOURS[a], STATUS_COLOURS[b], simulation)
        assert d >= 25, f"{a} vs {b} under {simulation}: ΔE {d:.0f}"


def test_verdicts_reuse_the_rag_colours_and_text_on_every_status_contrasts():
    assert VERDICT_COLOURS["better"] == RAG_COLOURS["green"]
    assert VERDICT_COLOURS["similar"] == RAG_COLOURS["amber"]
    assert VERDICT_COLOURS["worse"] == RAG_COLOURS["red"]
    for status, background in STATUS_COLOURS.items():
        assert contrast(STATUS_TEXT_COLOURS[status], background) >= 4.5, status
