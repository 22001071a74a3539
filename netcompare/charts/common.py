"""Colours, symbols, font sizes and the frame shared by every chart.

Colours are checked for colour-blind viewers (tests/charts/test_palette.py simulates
protanopia, deuteranopia and tritanopia after Machado, Oliveira & Fernandes 2009): RAG is
blue / orange / dark red / grey, never green against red, and never shown by colour alone —
every cell also carries a symbol (✔ ▲ ✖ ·) large enough to read by itself, and a word.
"""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

# "green" / "amber" / "red" are the RAG ratings' names in the data (and in the PRODUCT
# brief); on screen they are blue, orange and dark red, which stay apart under every
# common colour-vision deficiency where Okabe-Ito green against grey, and orange against
# vermillion, do not.
RAG_COLOURS = {
    "green": "#0072B2",
    "amber": "#E69F00",
    "red": "#A50026",
    "none": "#C4C4C4",
    "no data": "#F7F7F7",
}
# Text drawn on each RAG colour: whichever of black and white contrasts more (≥ 4.5:1).
RAG_TEXT_COLOURS = {
    "green": "#FFFFFF",
    "amber": "#000000",
    "red": "#FFFFFF",
    "none": "#000000",
    "no data": "#000000",
}
RAG_SYMBOLS = {"green": "✔", "amber": "▲", "red": "✖", "none": "○", "no data": ""}
RAG_WORDS = {
    "green": "meets target",
    "amber": "near target",
    "red": "below target",
    "none": "no target",
    "no data": "no data",
}

HIGH_COLOUR = "#0072B2"  # blue: significantly high
LOW_COLOUR = "#D55E00"  # vermillion: significantly low
NEUTRAL_COLOUR = "#7F7F7F"
WITHIN_COLOUR = "#BDBDBD"
HIGHLIGHT_COLOUR = "#CC79A7"  # reddish purple: the chosen network
RING_COLOUR = "#000000"  # the ring round the chosen network's practices

# Making Data Count colours (NHSRplotthedots ptd_default colours).
MDC_COLOURS = {
    "common_cause": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "neutral_high": "#361475",
    "neutral_low": "#361475",
}

# Axis and legend text: near-black, not the pale grey of Streamlit's theme (WCAG 1.4.3).
INK = "#222222"

# Presentation mode: the smallest text any chart draws, so that it reads from the back of
# a room on a 1366×768 projector.
LARGE_MIN_FONT = 16


def fonts(large: bool) -> dict[str, int]:
    """Font sizes (px) of a chart's parts, for a laptop or a projector."""
    if large:
        return {"title": 28, "subtitle": 18, "axis_title": 20, "label": 18, "text": 18}
    return {"title": 16, "subtitle": 11, "axis_title": 12, "label": 11, "text": 11}


# A funnel of all England's practices has ~6,400 points: below the ~10k marks a chart may
# hold (CONVENTIONS.md), but above Altair's default guard of 5,000 rows.
alt.data_transformers.disable_max_rows()


def to_records(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as Altair should get it: polars directly (no pandas, no per-row dicts).

    Altair reads polars through narwhals and Streamlit ships the rows as Arrow, which is
    ~10x faster than inline JSON records for thousands of points. Dates become ISO strings
    (Vega-Lite parses them as temporal fields); lists are dropped, as a chart cannot use them.
    """
    return frame.select(
        pl.col(c).cast(pl.String) if dt.is_temporal() else pl.col(c)
        for c, dt in frame.schema.items()
        if not isinstance(dt, pl.List)
    )


def caption_lines(caption: str, width: int) -> list[str]:
    """The caption's " · "-separated parts packed into lines of at most ``width`` characters;
    a part too long for one line is wrapped, so no line is cut short with "…"."""
    parts = [line.strip() for line in caption.split(" · ")]
    pieces = [piece for part in parts for piece in textwrap.wrap(part, width) or [part]]
    lines = []
    current = ""
    for part in pieces:
        candidate = f"{current} · {part}" if current else part
        if len(candidate) > width and current:
            lines.append(current)
            current = part
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def titled(chart: alt.Chart, title: str, caption: str, *, large: bool = False) -> alt.Chart:
    """Every chart states what it shows: a title and the caption lines under it.

    In presentation mode the lines are short enough (≤ 60 characters at 18 px) to fit a
    chart half as wide as a 1366 px projector screen.
    """
    size = fonts(large)
    width = 60 if large else 100
    title_lines = textwrap.wrap(title, 48 if large else 90) or [title]
    return chart.properties(
        title=alt.TitleParams(
            text=title_lines if len(title_lines) > 1 else title,
            subtitle=caption_lines(caption, width),
            anchor="start",
            fontSize=size["title"],
            subtitleFontSize=size["subtitle"],
            subtitleColor="#333333",
            limit=0,
        )
    )


def described(chart: alt.TopLevelMixin, summary: str) -> alt.TopLevelMixin:
    """The chart's one-sentence summary as its text alternative: Vega puts the top-level
    ``description`` in the ARIA label of the chart it draws."""
    return chart.properties(description=summary)


def sized(chart: alt.Chart | alt.LayerChart, *, large: bool = False) -> alt.Chart:
    """Fonts for a laptop, or much larger for a projector (presentation mode).

    Labels are never cut ("labelLimit" 0 is no limit): a chart that needs room for a long
    label wraps or abbreviates it itself, with the full text in the tooltip.
    """
    size = fonts(large)
    label, title = size["label"], size["axis_title"]
    return (
        chart.configure_axis(labelFontSize=label, titleFontSize=title, labelLimit=0, titleLimit=0)
        .configure_legend(
            labelFontSize=label,
            titleFontSize=title,
            labelLimit=0,
            titleLimit=0,
            symbolSize=200 if large else 80,
            # At 18 px a legend of five entries in one row is wider than a half-screen chart:
            # rows of two. (A legend beside a chart sets ``columns=1`` itself.)
            columns=2 if large else 0,
        )
        .configure_text(fontSize=size["text"])
        .configure_header(labelFontSize=label, titleFontSize=title)
        .configure_title(fontSize=size["title"], subtitleFontSize=size["subtitle"])
        .configure_view(strokeWidth=0)
        # Room round the chart: a rotated axis title's glyphs reach a few px beyond the box
        # Vega measures for it, and the SVG would cut them off.
        .properties(padding={"left": 12, "right": 12, "top": 6, "bottom": 6})
    )
