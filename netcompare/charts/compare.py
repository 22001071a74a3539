"""Compare practices: one horizontal bar per practice, named, ranked (Fingertips' "compare
areas"; the Tower Hamlets learning sets' bar charts).

What each mark says, by more than colour alone (WCAG 1.4.1):
- the bar: the practice's value, coloured by its RAG rating against the target
  (:data:`netcompare.charts.common.RAG_COLOURS`), with the RAG symbol (✔ ▲ ✖ ○) and the
  value written at the end of its row, right of the plot (never over a line);
- the whisker: the Wilson 95% confidence interval;
- a dashed line: the benchmark; a solid line: the target (none without a target);
- ◆ before the name, a bold name and a black outline: a practice of the chosen network.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from netcompare.charts.common import (
    INK,
    RAG_COLOURS,
    RAG_SYMBOLS,
    RAG_WORDS,
    RING_COLOUR,
    described,
    fonts,
    sized,
    titled,
    to_records,
)

BAR_SELECTION = "bar"
# A bar's row (px): room for a label at the chart's font size, on a laptop or a projector.
ROW_STEP = {False: 20, True: 30}
BENCHMARK_COLOUR = "#222222"
TARGET_COLOUR = "#A50026"
RAG_ORDER = ["green", "amber", "red", "none"]


def compare_chart(
    bars: pl.DataFrame,
    title: str,
    caption: str,
    *,
    benchmark: float | None,
    target: float | None,
    summary: str,
    large: bool = False,
) -> alt.LayerChart:
    """The bar chart of :func:`netcompare.views.compare_practices.compare_practices_view`'s
    bars (in their order, top first), with a click selection on the practice."""
    size = fonts(large)
    frame = bars.with_columns(
        (pl.col("value") * 100).alias("value_pct"),
        (pl.col("ci95_lower") * 100).alias("ci95_lower_pct"),
        (pl.col("ci95_upper") * 100).alias("ci95_upper_pct"),
        pl.concat_str(
            pl.col("rag").replace_strict(RAG_SYMBOLS, default=""),
            pl.lit(" "),
            (pl.col("value") * 100).round(1).cast(pl.String),
            pl.lit("%"),
        ).alias("end_text"),
    )
    order = frame.get_column("bar_label").to_list()
    mine = frame.filter(pl.col("in_network")).get_column("bar_label").to_list()
    select = alt.selection_point(name=BAR_SELECTION, fields=["practice_id"], on="click")
    # The axis starts at 0 (a bar's length is its value) and ends a little beyond the longest
    # whisker and the lines, at most at 100%.
    reach = [frame.get_column("ci95_upper_pct").max(), 0.0]
    reach += [v * 100 for v in (target, benchmark) if v is not None]
    top = max(float(v) for v in reach if v is not None)
    x_scale = alt.Scale(domain=[0, min(100.0, top * 1.05) or 1.0], nice=False)
    y = alt.Y(
        "bar_label:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelLimit=0,
            labelColor=INK,
            labelFontWeight=alt.expr(
                f"indexof({json.dumps(mine, ensure_ascii=False)}, datum.label) >= 0"
                " ? 'bold' : 'normal'"
            ),
        ),
    )
    base = alt.Chart(to_records(frame)).encode(y=y)
    tooltip = [
        alt.Tooltip("label:N", title="Practice"),
        alt.Tooltip("network_name:N", title="Network"),
        alt.Tooltip("value_pct:Q", title="Value (%)", format=".1f"),
        alt.Tooltip("ci95_lower_pct:Q", title="95% CI lower (%)", format=".1f"),
        alt.Tooltip("ci95_upper_pct:Q", title="95% CI upper (%)", format=".1f"),
        alt.Tooltip("numerator:Q", title="Numerator"),
        alt.Tooltip("denominator:Q", title="Denominator"),
        alt.Tooltip("rank_words:N", title="Rank (95% interval)"),
        alt.Tooltip("rag:N", title="RAG"),
        alt.Tooltip("verdict_words:N", title="vs benchmark"),
        alt.Tooltip("trend_words:N", title="Recent trend"),
    ]
    statuses = [s for s in RAG_ORDER if s in set(frame.get_column("rag").to_list())] or ["none"]
    legend_labels = {s: f"{RAG_SYMBOLS[s]} {RAG_WORDS[s]}" for s in RAG_ORDER}
    bar = (
        base.mark_bar(height={"band": 0.72})
        .encode(
            x=alt.X(
                "value_pct:Q",
                title="Value (%) with 95% confidence interval",
                scale=x_scale,
                axis=alt.Axis(orient="top", grid=True, labelColor=INK, titleColor=INK),
            ),
            color=alt.Color(
                "rag:N",
                scale=alt.Scale(domain=statuses, range=[RAG_COLOURS[s] for s in statuses]),
                legend=alt.Legend(
                    title="Against target",
                    orient="bottom",
                    direction="horizontal",
                    columns=min(len(statuses), 2 if large else 4),
                    labelExpr=f"{json.dumps(legend_labels, ensure_ascii=False)}[datum.label]"
                    " || datum.label",
                ),
            ),
            stroke=alt.condition("datum.in_network", alt.value(RING_COLOUR), alt.value(None)),
            strokeWidth=alt.condition("datum.in_network", alt.value(2.5), alt.value(0)),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=tooltip,
        )
        .add_params(select)
        .properties(name="bars")
    )
    whiskers = (
        base.mark_errorbar(ticks=True, color=INK, thickness=1.5)
        .encode(
            x=alt.X("ci95_lower_pct:Q", scale=x_scale, title=None),
            x2="ci95_upper_pct:Q",
            tooltip=tooltip,
        )
        .properties(name="whiskers")
    )
    # The symbol and value in a column of their own right of the plot: never over a line.
    ends = (
        base.mark_text(align="left", baseline="middle", dx=8, color=INK, fontSize=size["text"])
        .encode(x=alt.value({"expr": "width"}), text="end_text:N", tooltip=tooltip)
        .properties(name="rag_symbols")
    )
    lines = []
    if benchmark is not None:
        lines.append(("benchmark", benchmark * 100, "Benchmark", [6, 4], BENCHMARK_COLOUR))
    if target is not None:
        lines.append(("target", target * 100, "Target", [], TARGET_COLOUR))
    # The lines first: the bars, whiskers and the words at their ends are drawn over them.
    layers: list[alt.Chart] = []
    for name, value, word, dash, colour in lines:
        rule_data = pl.DataFrame({"x": [value], "word": [f"{word} {value:.1f}%"]})
        layers.append(
            alt.Chart(to_records(rule_data))
            .mark_rule(strokeDash=dash, color=colour, strokeWidth=2.5)
            .encode(
                x=alt.X("x:Q", scale=x_scale),
                tooltip=[alt.Tooltip("word:N", title=word)],
            )
            .properties(name=f"{name}_line")
        )
    chart = alt.layer(*layers, bar, whiskers, ends).properties(
        width="container", height=alt.Step(ROW_STEP[large])
    )
    chart = titled(chart, title, caption, large=large)
    return described(sized(chart, large=large), summary)
