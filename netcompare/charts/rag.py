"""The RAG overview chart: practices × indicators, colour plus symbol plus word per cell."""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import RAG_COLOURS, RAG_SYMBOLS, RAG_WORDS, sized, titled, to_records

CELL_SELECTION = "cell"


def rag_chart(grid: pl.DataFrame, title: str, caption: str, *, large: bool = False) -> alt.Chart:
    """Heatmap of :func:`netcompare.views.rag.rag_grid` with a clickable cell selection."""
    frame = grid.with_columns(
        pl.when(pl.col("value").is_not_null())
        .then(
            pl.format(
                "{}% {}",
                (pl.col("value") * 100).round(0).cast(pl.Int64),
                pl.col("rag").replace_strict(RAG_SYMBOLS, default=""),
            )
        )
        .otherwise(pl.lit("–"))
        .alias("cell_text"),
        pl.col("rag").replace_strict(RAG_WORDS, default="").alias("rag_words"),
        (pl.col("value") * 100).round(1).alias("value_pct"),
        (pl.col("target") * 100).round(1).alias("target_pct"),
        pl.when(pl.col("row_kind") == "practice")
        .then(pl.lit("normal"))
        .otherwise(pl.lit("bold"))
        .alias("weight"),
    )
    rows = frame.unique("row_id", maintain_order=True).sort("row_order")
    row_labels = rows.get_column("row_label").to_list()
    columns = frame.unique("indicator_id", maintain_order=True).sort("col_order")
    col_labels = columns.get_column("indicator_name").to_list()
    select = alt.selection_point(name=CELL_SELECTION, fields=["row_id", "indicator_id"], on="click")
    cell = 58 if large else 42
    base = alt.Chart(to_records(frame)).encode(
        x=alt.X(
            "indicator_name:N",
            sort=col_labels,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=260, labelOverlap=False),
        ),
        y=alt.Y("row_label:N", sort=row_labels, title=None, axis=alt.Axis(labelLimit=320)),
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
                    labelExpr="{'green': '✔ green: meets target', 'amber': '▲ amber: near target',"
                    " 'red': '✖ red: below target', 'none': '· grey: no target',"
                    " 'no data': 'no data'}[datum.label]",
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
    text_colour = alt.condition(
        "datum.rag == 'red' || datum.rag == 'green'", alt.value("white"), alt.value("black")
    )
    font = 16 if large else 11
    text = base.mark_text(fontSize=font).encode(text="cell_text:N", color=text_colour)
    # Band sizes as steps: Streamlit keeps a step-sized chart's shape (a fixed height would be
    # squeezed), and each cell stays big enough for its label.
    chart = (rects + text).properties(width=alt.Step(cell + 14), height=alt.Step(cell - 10))
    return sized(titled(chart, title, caption, large=large), large=large)
