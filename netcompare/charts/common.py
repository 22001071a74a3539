"""Colours, symbols and the frame shared by every chart.

Colours are from the Okabe-Ito palette, which stays distinguishable for colour-blind viewers;
RAG is never shown by colour alone: every cell also carries a symbol and a word.
"""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

RAG_COLOURS = {
    "green": "#009E73",
    "amber": "#E69F00",
    "red": "#D55E00",
    "none": "#BBBBBB",
    "no data": "#F2F2F2",
}
RAG_SYMBOLS = {"green": "✔", "amber": "▲", "red": "✖", "none": "·", "no data": ""}
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
HIGHLIGHT_COLOUR = "#CC79A7"  # reddish purple: the chosen network

# Making Data Count colours (NHSRplotthedots ptd_default colours).
MDC_COLOURS = {
    "common_cause": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "neutral_high": "#361475",
    "neutral_low": "#361475",
}


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


def titled(chart: alt.Chart, title: str, caption: str, *, large: bool = False) -> alt.Chart:
    """Every chart states what it shows: a title and the caption lines under it."""
    width = 70 if large else 100
    parts = [line.strip() for line in caption.split(" · ")]
    # A part too long for one line is wrapped, so no line is cut short with "…".
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
    return chart.properties(
        title=alt.TitleParams(
            text=title,
            subtitle=lines,
            anchor="start",
            fontSize=26 if large else 16,
            subtitleFontSize=16 if large else 11,
            subtitleColor="#444444",
            limit=0,
        )
    )


def sized(chart: alt.Chart | alt.LayerChart, *, large: bool = False) -> alt.Chart:
    """Fonts for a laptop, or much larger for a projector (presentation mode)."""
    label, title = (18, 20) if large else (11, 12)
    return (
        chart.configure_axis(labelFontSize=label, titleFontSize=title, labelLimit=400)
        .configure_legend(labelFontSize=label, titleFontSize=title, symbolSize=200 if large else 80)
        .configure_view(strokeWidth=0)
    )
