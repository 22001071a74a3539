"""Compare practices: the league table as a ranked bar per practice (Fingertips' "compare
areas", the chart the Tower Hamlets learning sets looked at).

Built from the league table itself (:func:`netcompare.views.league.league_table`), so every
bar's value, 95% confidence interval, RAG rating, rank and label are the table's: the chart
never names a practice the table hides. The chart adds a choice of order (by value or by
name), of scope (every practice ranked, or only the chosen network's) and of the benchmark
line (every practice in the data set, or the chosen network's area, e.g. a sub-ICB).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.common import (
    ALL,
    PracticeRef,
    ViewOptions,
    chart_caption,
    network_name,
    period_words,
)
from netcompare.views.compare import BENCHMARK_ALL, BENCHMARK_AREA, area_of, indicator_counts
from netcompare.views.format import (
    RECENT_TREND_WORDS,
    VERDICT_COLUMN,
    YOURS,
    rank_text,
    verdict_words,
)
from netcompare.views.league import LeagueTable

SORT_VALUE = "value"
SORT_NAME = "name"
SORTS = (SORT_VALUE, SORT_NAME)
SORT_WORDS = {SORT_VALUE: "By value", SORT_NAME: "By name"}

SCOPE_ALL = "all"
SCOPE_NETWORK = "network"
SCOPES = (SCOPE_ALL, SCOPE_NETWORK)

LINES = (BENCHMARK_AREA, BENCHMARK_ALL)

# More bars than this are not drawn: a chart of England's 6,400 practices reads as nothing.
# (England's largest sub-ICB has 344 practices.)
MAX_BARS = 400

BARS_SCHEMA = pl.Schema(
    {
        "order": pl.Int64(),
        "bar_label": pl.String(),  # what the axis shows: ◆ before the network's practices
        "label": pl.String(),
        "practice_id": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "rank": pl.Int64(),
        "rank_words": pl.String(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "ci95_lower": pl.Float64(),
        "ci95_upper": pl.Float64(),
        "rag": pl.String(),
        "verdict_words": pl.String(),
        "trend_words": pl.String(),
    }
)


@dataclass(frozen=True)
class BarPick:
    """The practice of a clicked bar: who, and its numbers in words."""

    practice: PracticeRef
    words: str


@dataclass(frozen=True)
class ComparePracticesView:
    """The bar chart's rows, lines and words."""

    bars: pl.DataFrame  # BARS_SCHEMA, in drawing order (top first)
    benchmark: float | None  # the benchmark line (pooled)
    benchmark_label: str  # "NHS X sub-ICB average (61.2%, pooled)"
    target: float | None
    amber: float | None
    network_label: str | None  # the chosen network's name (None: no network chosen)
    title: str
    caption: str
    summary: str  # one sentence: the chart's text alternative
    too_many: str | None  # said instead of drawing more than MAX_BARS bars
    line_choices: tuple[str, ...]  # the benchmark lines this view can draw (area, all)
    line_words: dict[str, str]  # each choice's words

    @property
    def practice_ids(self) -> list[str]:
        return self.bars.get_column("practice_id").to_list()

    @property
    def data_shown(self) -> pl.DataFrame:
        """The bars as drawn, in percent, with the lines: the chart's data to download."""
        return self.bars.select(
            pl.col("order").alias("Order"),
            pl.col("rank_words").alias("Rank (95% interval)"),
            pl.when(pl.col("in_network")).then(pl.lit(YOURS)).otherwise(pl.lit("")).alias("Yours"),
            pl.col("label").alias("Practice"),
            pl.col("network_name").alias("Network"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            (pl.col("value") * 100).round(2).alias("Value (%)"),
            (pl.col("ci95_lower") * 100).round(2).alias("95% CI lower (%)"),
            (pl.col("ci95_upper") * 100).round(2).alias("95% CI upper (%)"),
            pl.col("rag").alias("RAG"),
            pl.lit(None if self.benchmark is None else round(self.benchmark * 100, 2))
            .cast(pl.Float64)
            .alias("Benchmark (%)"),
            pl.lit(None if self.target is None else round(self.target * 100, 2))
            .cast(pl.Float64)
            .alias("Target (%)"),
            pl.col("verdict_words").alias(VERDICT_COLUMN),
            pl.col("trend_words").alias("Recent trend"),
        )

    def pick(self, practice_id: str | None) -> BarPick | None:
        """The practice of a clicked bar, if it is one of the bars."""
        if practice_id is None:
            return None
        row = self.bars.filter(pl.col("practice_id") == practice_id)
        if row.height == 0:
            return None
        r = row.row(0, named=True)
        words = (
            f"{r['value']:.1%} ({r['numerator']:,} of {r['denominator']:,}), "
            f"95% CI {r['ci95_lower']:.1%}–{r['ci95_upper']:.1%}; ranked {r['rank_words']}; "
            f"RAG {r['rag']}; {r['verdict_words']}; recent trend: {r['trend_words']}."
        )
        return BarPick(PracticeRef(practice_id, r["label"], r["network_id"]), words)


def _pooled(frame: pl.DataFrame) -> float | None:
    den = frame.get_column("denominator").sum()
    return frame.get_column("numerator").sum() / den if den else None


def unique_labels(labels: list[str]) -> list[str]:
    """Labels made unique for the axis (two practices may share a name): a repeat gets
    " (2)", " (3)", … — never its code, which an anonymised view must not show."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def compare_practices_view(
    league: LeagueTable,
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    sort: str = SORT_VALUE,
    scope: str = SCOPE_ALL,
    line: str = BENCHMARK_AREA,
) -> ComparePracticesView:
    """The bars of ``league`` (a league table of every practice ranked, ``only_network``
    off): ``sort`` by value (best first, by the indicator's polarity: the league rank) or by
    name; ``scope`` all ranked practices or only the chosen network's; the benchmark ``line``
    pooled over the network's area (the practices ranked) or every practice in the data set.
    """
    indicator = data.indicator(indicator_id)
    table = league.table
    if scope == SCOPE_NETWORK and options.network_id != ALL:
        table = table.filter(pl.col("network_id") == options.network_id)
    if sort == SORT_NAME:
        table = table.sort(pl.col("label").str.to_lowercase(), "practice_id")
    else:
        table = table.sort("rank", "practice_id")
    labels = unique_labels(
        [
            f"{YOURS} {label}" if mine else label
            for label, mine in table.select("label", "in_network").iter_rows()
        ]
    )
    bars = table.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("order"),
        pl.Series("bar_label", labels, dtype=pl.String),
        "label",
        "practice_id",
        "network_id",
        "network_name",
        "in_network",
        "rank",
        pl.struct("rank", "rank_lower", "rank_upper")
        .map_elements(
            lambda r: rank_text(r["rank"], r["rank_lower"], r["rank_upper"]),
            return_dtype=pl.String,
        )
        .alias("rank_words"),
        "numerator",
        "denominator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "rag",
        pl.col("verdict")
        .map_elements(verdict_words, return_dtype=pl.String)
        .fill_null("")
        .alias("verdict_words"),
        pl.col("recent_trend").replace_strict(RECENT_TREND_WORDS, default="").alias("trend_words"),
    ).cast(dict(BARS_SCHEMA))

    # The benchmark lines: every practice ranked (the network's area, when the data has
    # areas), or every practice in the data set.
    area = area_of(data, options.network_id)
    ranked = league.comparison.table
    counts, _ = indicator_counts(data, indicator_id, period, options)
    national = _pooled(counts)
    area_value = _pooled(ranked)
    line_words = {BENCHMARK_ALL: f"All practices in {data.name}"}
    choices: tuple[str, ...] = (BENCHMARK_ALL,)
    if area is not None and ranked.height < counts.height:
        line_words[BENCHMARK_AREA] = f"{area}"
        choices = (BENCHMARK_AREA, BENCHMARK_ALL)
    if line not in choices:
        line = choices[0]
    benchmark = area_value if line == BENCHMARK_AREA else national
    where = line_words[line] if line == BENCHMARK_AREA else f"all practices in {data.name}"
    benchmark_label = (
        f"{where} average ({benchmark:.1%}, pooled)" if benchmark is not None else "none"
    )

    network = network_name(data, options.network_id) if options.network_id != ALL else None
    period_text = period_words(period, indicator.period_type)
    n = bars.height
    shown_words = (
        f"the practices of {network}"
        if scope == SCOPE_NETWORK and network
        else league.comparison.group_label
    )
    title = f"{indicator.name}, {period_text}: {n} practices compared"
    target_words = (
        f"Target {indicator.target:.0%}"
        + (f" (amber from {indicator.amber_threshold:.0%})" if indicator.amber_threshold else "")
        if indicator.target is not None
        else "No target: bars grey (RAG 'none')"
    )
    caption = (
        chart_caption(
            indicator.name,
            period,
            benchmark=f"{benchmark_label} (dashed line)",
            method="value with its Wilson 95% confidence interval (whiskers); bar colour and "
            "symbol: RAG against the target",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=indicator.period_type,
        )
        + f" · {target_words}"
        + (" (solid line)" if indicator.target is not None else "")
        + f" · Shown: {shown_words}, "
        + ("by name" if sort == SORT_NAME else "best first (the league table's rank)")
        + (f" · {YOURS} and outlined: practices of {network}" if network else "")
    )
    counts_rag = dict(bars.group_by("rag").len().iter_rows())
    rag_words = ", ".join(
        f"{counts_rag[r]} {w}"
        for r, w in (
            ("green", "meet the target"),
            ("amber", "are near it"),
            ("red", "are below it"),
            ("none", "have no target"),
        )
        if counts_rag.get(r)
    )
    mine = bars.filter(pl.col("in_network")).height
    summary = (
        f"Bar chart of {n} practices on {indicator.name}, {period_text}"
        + (f", {mine} of them in {network}" if network else "")
        + (f": {rag_words}" if rag_words else "")
        + (f"; benchmark {benchmark:.1%}" if benchmark is not None else "")
        + "."
    )
    too_many = None
    if n > MAX_BARS:
        too_many = (
            f"{n:,} practices are too many to draw as bars (at most {MAX_BARS}): choose a "
            "network in the sidebar to compare the practices of its area, or show only the "
            "network's practices. The table below lists every one."
        )
    return ComparePracticesView(
        bars=bars,
        benchmark=benchmark,
        benchmark_label=benchmark_label,
        target=indicator.target,
        amber=indicator.amber_threshold,
        network_label=network,
        title=title,
        caption=caption,
        summary=summary,
        too_many=too_many,
        line_choices=choices,
        line_words=line_words,
    )
