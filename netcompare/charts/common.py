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

# What an overview cell is coloured by ("status"): its RAG rating, or — where no indicator
# shown has a target — its verdict against the benchmark. Better / similar / worse reuse
# the colours of meets / near / below, so the grid reads the same either way; higher / lower
# (an indicator where neither direction is better) get a neutral grey.
NEUTRAL_STATUS_COLOUR = "#7F7F7F"
VERDICT_COLOURS = {
    "best": RAG_COLOURS["green"],
    "better": RAG_COLOURS["green"],
    "similar": RAG_COLOURS["amber"],
    "worse": RAG_COLOURS["red"],
    "worst": RAG_COLOURS["red"],
    "much_higher": NEUTRAL_STATUS_COLOUR,
    "higher": NEUTRAL_STATUS_COLOUR,
    "lower": NEUTRAL_STATUS_COLOUR,
    "much_lower": NEUTRAL_STATUS_COLOUR,
}
STATUS_COLOURS = {**RAG_COLOURS, **VERDICT_COLOURS}
STATUS_TEXT_COLOURS = {
    **RAG_TEXT_COLOURS,
    **{
        k: RAG_TEXT_COLOURS[v]
        for k, v in (
            ("best", "green"),
            ("better", "green"),
            ("similar", "amber"),
            ("worse", "red"),
            ("worst", "red"),
        )
    },
    **{k: "#000000" for k in ("much_higher", "higher", "lower", "much_lower")},
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

CHART_FONT = '"Source Sans", "Source Sans Pro", sans-serif'

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
        # The page's own font (Streamlit serves it; an exported file falls back to sans-serif).
        # ``configure`` first: it replaces the whole config, the calls after it add to it.
        chart.configure(font=CHART_FONT)
        .configure_axis(labelFontSize=label, titleFontSize=title, labelLimit=0, titleLimit=0)
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


SUBTITLE_LINE = 1.1  # a caption line's height, as a multiple of its font size (Vega's own)


def _encodings(spec: dict) -> list[dict]:
    """Every encoding of a spec and its layers (nested layers too)."""
    out = [spec.get("encoding") or {}]
    for layer in spec.get("layer", []):
        out += _encodings(layer)
    return out


def _bottom_legend_rows(spec: dict) -> list[tuple[int, bool]]:
    """Per legend below the plot: how many rows of entries it has, and whether it has a
    title. Legends of one field (shape and colour of the same flag) are drawn as one."""
    config = spec.get("config", {}).get("legend", {})
    seen: dict[tuple, tuple[int, bool]] = {}
    for encoding in _encodings(spec):
        for channel in encoding.values():
            if not isinstance(channel, dict) or "legend" not in channel:
                continue
            legend = channel["legend"]
            if legend is None or legend.get("orient", config.get("orient")) != "bottom":
                continue
            domain = (channel.get("scale") or {}).get("domain")
            entries = len(domain) if isinstance(domain, list) else 3
            columns = legend.get("columns", config.get("columns", 0)) or entries
            rows = -(-entries // max(1, min(columns, entries)))
            seen[(channel.get("field"), legend.get("title"))] = (rows, bool(legend.get("title")))
    return list(seen.values())


def frame_height(chart: alt.TopLevelMixin) -> int:
    """:func:`chart_frame_height` of a chart, read from its spec without its data (turning
    6,400 funnel points into JSON only to measure the title took 0.1 s a rerun)."""

    def without_data(part: alt.TopLevelMixin) -> alt.TopLevelMixin:
        part = part.copy(deep=False)
        part.data = alt.Undefined
        if getattr(part, "layer", alt.Undefined) is not alt.Undefined:
            part.layer = [without_data(layer) for layer in part.layer]
        return part

    return chart_frame_height(without_data(chart).to_dict(validate=False))


def chart_frame_height(spec: dict) -> int:
    """The height (px) a chart needs beyond its plot: title and caption lines, the x axis
    (labels and title), the legends below the plot (side by side: the tallest counts) and
    the padding, from the font sizes and line counts the spec sets, with Vega's default
    offsets. Streamlit, told a stretched chart's total height, fits the whole chart into
    it: too little squeezes the plot."""
    config = spec.get("config", {})
    title = spec.get("title") or {}
    if isinstance(title, str):
        title = {"text": title}
    title_font = title.get("fontSize", config.get("title", {}).get("fontSize", 13))
    subtitle_font = title.get("subtitleFontSize", config.get("title", {}).get("subtitleFontSize"))
    subtitle_font = subtitle_font or 12

    def lines(text: object) -> int:
        if not text:
            return 0
        return len(text) if isinstance(text, list) else 1

    height = lines(title.get("text")) * title_font
    height += lines(title.get("subtitle")) * subtitle_font * SUBTITLE_LINE
    height += 3 + 10  # subtitle padding, and the title's offset from the plot
    axis = config.get("axis", {})
    # tick (5), label padding (2), labels, title padding (4), title
    height += axis.get("labelFontSize", 10) + axis.get("titleFontSize", 11) + 11
    legend = config.get("legend", {})
    row = max(legend.get("labelFontSize", 10), legend.get("symbolSize", 100) ** 0.5) + 2
    legend_title = legend.get("titleFontSize", 11) + 5
    legends = [
        18 + rows * row + (legend_title if has_title else 0)  # 18: the legend's offset
        for rows, has_title in _bottom_legend_rows(spec)
    ]
    height += max(legends, default=0)
    padding = spec.get("padding", 5)
    if isinstance(padding, dict):
        height += padding.get("top", 0) + padding.get("bottom", 0)
    else:
        height += 2 * padding
    return int(height + 16)  # a little room, so rounding never squeezes the plot
