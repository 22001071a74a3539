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
    RAG_TEXT_COLOURS,
    RAG_WORDS,
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

LEGEND_LABELS = {rag: f"{RAG_SYMBOLS[rag]} {RAG_WORDS[rag]}".strip() for rag in RAG_COLOURS}


def header_lines(name: str) -> list[str]:
    """An indicator name as at most two lines (upright headers take a line's height each)."""
    if len(name) <= HEADER_LINE_CHARS:
        return [name]
    width = max(HEADER_LINE_CHARS, math.ceil(len(name) / 2))
    return textwrap.wrap(name, width, break_long_words=False)[:2] or [name]


def cell_step(n_columns: int, row_labels: list[str], *, large: bool) -> int:
    """Width (px) of a column: the budget left after the row labels, shared by the columns,
    no wider than a comfortable cell and no narrower than "100%" needs."""
    size = fonts(large)
    label_px = max((len(label) for label in row_labels), default=0) * CHAR_WIDTH * size["label"]
    value_px = 4 * CHAR_WIDTH * size["text"] * 1.1 + 10  # "100%", bold, with a margin
    wanted = (WIDTH_BUDGET[large] - label_px - 20) / max(n_columns, 1)
    widest = 96 if large else 72
    return int(max(value_px, min(widest, wanted)))


def rag_summary(grid: pl.DataFrame) -> str:
    """One sentence saying what the RAG chart shows (its text alternative)."""
    practices = grid.filter(pl.col("row_kind") == "practice")
    rows = practices if practices.height else grid.filter(pl.col("row_kind") == "network")
    kind = "practices" if practices.height else "networks"
    n_rows = rows.get_column("row_id").n_unique()
    n_cols = grid.get_column("indicator_id").n_unique()
    counts = dict(rows.group_by("rag").len().iter_rows())
    parts = [
        f"{counts.get(rag, 0)} {words}"
        for rag, words in (
            ("green", "meet their target (✔)"),
            ("amber", "are near it (▲)"),
            ("red", "are below it (✖)"),
            ("none", "have no target"),
            ("no data", "have no data"),
        )
        if counts.get(rag, 0) or rag in ("green", "amber", "red")
    ]
    return (
        f"RAG chart of {n_rows} {kind} on {n_cols} indicators: of {rows.height} cells, "
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}."
    )


def rag_chart(grid: pl.DataFrame, title: str, caption: str, *, large: bool = False) -> alt.Chart:
    """Heatmap of :func:`netcompare.views.rag.rag_grid` with a clickable cell selection."""
    frame = grid.with_columns(
        pl.when(pl.col("value").is_not_null())
        .then(pl.format("{}%", (pl.col("value") * 100).round(0).cast(pl.Int64)))
        .otherwise(pl.lit("–"))
        .alias("value_text"),
        pl.col("rag").replace_strict(RAG_SYMBOLS, default="").alias("symbol"),
        pl.col("rag").replace_strict(RAG_TEXT_COLOURS, default="#000000").alias("ink"),
        pl.col("rag").replace_strict(RAG_WORDS, default="").alias("rag_words"),
        (pl.col("value") * 100).round(1).alias("value_pct"),
        (pl.col("target") * 100).round(1).alias("target_pct"),
    ).with_columns(
        pl.when(pl.col("value").is_not_null())
        .then(pl.format("{} {}", pl.col("value_text"), pl.col("symbol")))
        .otherwise(pl.lit("–"))
        .alias("cell_text"),
    )
    rows = frame.unique("row_id", maintain_order=True).sort("row_order")
    row_labels = rows.get_column("row_label").to_list()
    row_kinds = dict(zip(row_labels, rows.get_column("row_kind").to_list(), strict=True))
    columns = frame.unique("indicator_id", maintain_order=True).sort("col_order")
    col_labels = columns.get_column("indicator_name").to_list()
    headers = {name: header_lines(name) for name in col_labels}
    averages = [label for label, kind in row_kinds.items() if kind != "practice"]
    bold_rows = json.dumps(averages, ensure_ascii=False)

    size = fonts(large)
    step = cell_step(len(col_labels), row_labels, large=large)
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
                "rag:N",
                scale=alt.Scale(domain=list(RAG_COLOURS), range=list(RAG_COLOURS.values())),
                legend=alt.Legend(
                    title="Against target",
                    orient="bottom",
                    direction="horizontal",
                    symbolType="square",
                    columns=len(RAG_COLOURS),
                    labelExpr=f"{json.dumps(LEGEND_LABELS, ensure_ascii=False)}[datum.label]",
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
                alt.Tooltip("rag_words:N", title="RAG"),
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
