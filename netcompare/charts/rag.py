"""The RAG overview chart: practices × indicators, colour plus symbol plus word per cell.

The grid is sized from its column count so that it fits the width it is given (a 1366 px
screen, with the sidebar open on a laptop or collapsed in presentation mode): cells shrink
to a minimum that still holds "100%" and its symbol, and column headers are wrapped onto
two lines and set upright, so no header is cut and none runs past the last column.
"""

from __future__ import annotations

import json
import math
import textwrap

import altair as alt
import polars as pl

from netcompare.charts.common import (
    RAG_COLOURS,
    RAG_SYMBOLS,
    RAG_WORDS,
    STATUS_COLOURS,
    STATUS_TEXT_COLOURS,
    described,
    fonts,
    sized,
    titled,
    to_records,
)

CELL_SELECTION = "cell"

# The chart's whole width (row labels, cells) on a 1366 px screen: with the sidebar open on
# a laptop, or in presentation mode (sidebar collapsed, narrow page margins).
WIDTH_BUDGET = {False: 900, True: 1150}
CELL_HEIGHT = {False: 46, True: 66}
SYMBOL_FONT = {False: 18, True: 26}  # the symbol alone carries the rating: keep it large
CHAR_WIDTH = 0.58  # average glyph width of the chart font, as a share of its size
HEADER_LINE_CHARS = 24  # a header is wrapped into lines of about this many characters

# The legend when the caller gives none: the RAG ratings' symbols and words.
LEGEND_LABELS = {rag: f"{RAG_SYMBOLS[rag]} {RAG_WORDS[rag]}".strip() for rag in RAG_COLOURS}


def header_lines(name: str) -> list[str]:
    """An indicator name as at most two lines (upright headers take a line's height each)."""
    if len(name) <= HEADER_LINE_CHARS:
        return [name]
    width = max(HEADER_LINE_CHARS, math.ceil(len(name) / 2))
    return textwrap.wrap(name, width, break_long_words=False)[:2] or [name]


# Advance widths (em) of the glyphs a value is written with, in the chart's sans-serif
# (Arial / Liberation Sans metrics, bold): a value is measured glyph by glyph, so that
# "61.0%" is not taken for five average characters.
GLYPH_EM = {**dict.fromkeys("0123456789", 0.556), ".": 0.278, "%": 0.889, "–": 0.556}


def value_width(text: str, size: int) -> float:
    """Width (px) of a cell's value written at ``size`` px, bold."""
    return sum(GLYPH_EM.get(ch, CHAR_WIDTH) for ch in text) * size


def cell_step(
    n_columns: int, row_labels: list[str], *, large: bool, widest_value: str = "100%"
) -> int:
    """Width (px) of a column: the budget left after the row labels, shared by the columns,
    no wider than a comfortable cell and no narrower than the widest value ("100%", or
    "61.0%" where the indicator needs a decimal) needs."""
    size = fonts(large)
    label_px = max((len(label) for label in row_labels), default=0) * CHAR_WIDTH * size["label"]
    value_px = max(value_width("100%", size["text"]), value_width(widest_value, size["text"]))
    value_px += 4  # 2 px either side: the width above is the glyphs' own advance
    wanted = (WIDTH_BUDGET[large] - label_px - 20) / max(n_columns, 1)
    widest = 96 if large else 72
    return int(max(value_px, min(widest, wanted)))


def rag_summary(grid: pl.DataFrame) -> str:
    """One sentence saying what the RAG chart shows (its text alternative): how many cells
    have each status (RAG rating, or verdict against the benchmark), in the grid's words."""
    practices = grid.filter(pl.col("row_kind") == "practice")
    rows = practices if practices.height else grid.filter(pl.col("row_kind") == "network")
    kind = "practices" if practices.height else "networks"
    n_rows = rows.get_column("row_id").n_unique()
    n_cols = grid.get_column("indicator_id").n_unique()
    by_rag = set(grid.get_column("status").drop_nulls()) <= set(RAG_COLOURS)
    if by_rag:
        counts = dict(rows.group_by("status").len().iter_rows())
        parts = [
            f"{counts.get(rag, 0)} {words}"
            for rag, words in (
                ("green", "meet their target (✔)"),
                ("amber", "are near it (▲)"),
                ("red", "are below it (✖)"),
                ("none", "have no target (○)"),
                ("no data", "have no data"),
            )
            if counts.get(rag, 0) or rag in ("green", "amber", "red")
        ]
    else:
        counted = (
            rows.group_by("status", "status_words")
            .agg(pl.len(), pl.col("row_order").min())
            .sort("row_order", "status")
        )
        order = list(STATUS_COLOURS)
        parts = [
            f"{n} {words}"
            for status, words, n, _ in sorted(
                counted.iter_rows(), key=lambda r: order.index(r[0]) if r[0] in order else 99
            )
        ]
        kind += " against the benchmark"
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    return f"RAG chart of {n_rows} {kind} on {n_cols} indicators: of {rows.height} cells, {listed}."


def rag_chart(
    grid: pl.DataFrame,
    title: str,
    caption: str,
    *,
    large: bool = False,
    legend_title: str = "Against target",
    legend: dict[str, str] | None = None,
) -> alt.Chart:
    """Heatmap of the overview grid (:func:`netcompare.views.rag.overview_view`) with a
    clickable cell selection: coloured by ``status``, each cell its ``value_text`` over its
    ``symbol``; ``legend`` maps each status to its words (default: the RAG ratings')."""
    # The grid says what each cell shows (netcompare.views.rag): its status (RAG rating, or
    # the verdict against the benchmark), that status in words, and the value with enough
    # digits for its indicator; the chart only adds the ink that contrasts with the colour.
    frame = grid.with_columns(
        pl.col("status").replace_strict(STATUS_TEXT_COLOURS, default="#000000").alias("ink"),
        (pl.col("value") * 100).round(2).alias("value_pct"),
        (pl.col("target") * 100).round(1).alias("target_pct"),
    )
    labels = legend or LEGEND_LABELS
    statuses = [s for s in labels if s in STATUS_COLOURS]
    statuses += [
        s
        for s in frame.get_column("status").drop_nulls().unique(maintain_order=True)
        if s not in statuses
    ]
    rows = frame.unique("row_id", maintain_order=True).sort("row_order")
    row_labels = rows.get_column("row_label").to_list()
    row_kinds = dict(zip(row_labels, rows.get_column("row_kind").to_list(), strict=True))
    columns = frame.unique("indicator_id", maintain_order=True).sort("col_order")
    col_labels = columns.get_column("indicator_name").to_list()
    headers = {name: header_lines(name) for name in col_labels}
    averages = [label for label, kind in row_kinds.items() if kind != "practice"]
    bold_rows = json.dumps(averages, ensure_ascii=False)

    size = fonts(large)
    texts = frame.get_column("value_text").drop_nulls().to_list()
    widest = max(texts, key=lambda t: value_width(t, 1), default="100%")
    step = cell_step(len(col_labels), row_labels, large=large, widest_value=widest)
    height = CELL_HEIGHT[large]
    select = alt.selection_point(name=CELL_SELECTION, fields=["row_id", "indicator_id"], on="click")
    base = alt.Chart(to_records(frame)).encode(
        x=alt.X(
            "indicator_name:N",
            sort=col_labels,
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=-90,
                labelAlign="left",
                labelBaseline="middle",
                labelLimit=0,
                labelOverlap=False,
                # Upright headers on two lines: the full name, nothing cut.
                labelExpr=f"{json.dumps(headers, ensure_ascii=False)}[datum.label] || datum.label",
                labelLineHeight=size["label"] + 2,
                labelPadding=6,
            ),
        ),
        y=alt.Y(
            "row_label:N",
            sort=row_labels,
            title=None,
            axis=alt.Axis(
                labelLimit=0,
                labelFontWeight=alt.expr(
                    f"indexof({bold_rows}, datum.label) >= 0 ? 'bold' : 'normal'"
                ),
            ),
        ),
    )
    rects = (
        base.mark_rect(stroke="white", strokeWidth=2)
        .encode(
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=statuses,
                    range=[STATUS_COLOURS.get(s, STATUS_COLOURS["none"]) for s in statuses],
                ),
                legend=alt.Legend(
                    title=legend_title,
                    orient="bottom",
                    direction="horizontal",
                    symbolType="square",
                    columns=min(len(statuses), 2 if large else 5),
                    labelExpr=f"{json.dumps(labels, ensure_ascii=False)}[datum.label]"
                    " || datum.label",
                ),
            ),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip("row_label:N", title="Practice / row"),
                alt.Tooltip("indicator_name:N", title="Indicator"),
                alt.Tooltip("value_pct:Q", title="Value (%)"),
                alt.Tooltip("numerator:Q", title="Numerator"),
                alt.Tooltip("denominator:Q", title="Denominator"),
                alt.Tooltip("target_pct:Q", title="Target (%)"),
                alt.Tooltip("status_words:N", title=legend_title),
            ],
        )
        .add_params(select)
    )
    offset = height * 0.2
    value_text = base.mark_text(
        fontSize=size["text"], fontWeight="bold", baseline="middle", dy=-offset
    ).encode(text="value_text:N", color=alt.Color("ink:N", scale=None))
    symbol = base.mark_text(fontSize=SYMBOL_FONT[large], baseline="middle", dy=offset + 2).encode(
        text="symbol:N", color=alt.Color("ink:N", scale=None)
    )
    chart = alt.layer(rects, value_text, symbol).properties(
        width=alt.Step(step), height=alt.Step(height)
    )
    return described(
        sized(titled(chart, title, caption, large=large), large=large), rag_summary(grid)
    )
