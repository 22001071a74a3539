"""The overview: a network's practices × indicators, each cell RAG-rated against its target.

Rows: the practices of the chosen network (or, for all networks, one row per network), then
the network average and the all-practices average (both pooled: Σ numerator / Σ denominator).
RAG follows :func:`netcompare.stats.benchmark.rag` (Fingertips single-value target comparison
with an amber band). Each practice cell also carries the verdict every page gives (the funnel
limits of the chosen method around the chosen benchmark); where no indicator shown has a
target, the cells are judged by that verdict instead of being all grey, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from netcompare.charts.common import RAG_SYMBOLS, RAG_WORDS
from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.stats.benchmark import rag
from netcompare.types import Benchmark, FunnelMethod
from netcompare.views.common import (
    ALL,
    SMALL_N,
    PracticeRef,
    ViewOptions,
    chart_caption,
    effective_counts,
    network_name,
    network_totals,
    package_words,
    period_words,
    practice_labels,
    practice_network_map,
)
from netcompare.views.compare import BENCHMARK_ALL, compare_practices
from netcompare.views.format import (
    METHOD_LABELS,
    NO_TARGET,
    VERDICT_COLUMN,
    VERDICT_WORDS,
    judgement_words,
    percent_digits,
    percent_text,
    percent_words,
    targets_met_display,
    verdict_counts_display,
    verdict_text,
)

ROW_PRACTICE = "practice"
ROW_NETWORK = "network"
ROW_ALL = "all"

NO_DATA = "no data"

# What the cells are judged by: each indicator's target, or (no indicator shown has one) the
# verdict against the benchmark.
JUDGED_BY_TARGET = "target"
JUDGED_BY_BENCHMARK = "benchmark"
VERDICT_SYMBOLS = {
    "best": "▲▲",
    "better": "▲",
    "similar": "●",
    "worse": "▼",
    "worst": "▼▼",
    "much_higher": "▲▲",
    "higher": "▲",
    "lower": "▼",
    "much_lower": "▼▼",
}
NOT_JUDGED_WORDS = "not judged (network or all-practice row, or too few practices)"
TITLE_TARGETS = "Overview: who meets the targets"
TITLE_BENCHMARK = "Overview: better or worse than the benchmark"


MAX_CHART_ROWS = 60  # more rows than this are shown as a table, not a chart

GRID_SCHEMA = pl.Schema(
    {
        "row_order": pl.UInt32(),
        "row_id": pl.String(),
        "row_label": pl.String(),
        "row_kind": pl.String(),
        "col_order": pl.UInt32(),
        "indicator_id": pl.String(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "indicator_name": pl.String(),
        "care_package": pl.String(),
        "target": pl.Float64(),
        "amber_threshold": pl.Float64(),
        "polarity": pl.String(),
        "rag": pl.String(),
        "small_n": pl.Boolean(),
        "verdict": pl.String(),  # practice rows: the verdict against the benchmark
        "status": pl.String(),  # what the cell is coloured by: rag, or verdict (judged_by)
        "status_words": pl.String(),  # that status in words (legend, tooltip)
        "value_text": pl.String(),  # the value with enough digits for its indicator; "–"
        "symbol": pl.String(),  # the status symbol (✔ ▲ ✖ ○, or the verdict's ▲ ● ▼); ""
        "cell_text": pl.String(),  # value_text and symbol together (tables, tooltips)
    }
)
VERDICT_COUNTS_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "better": pl.UInt32(),
        "similar": pl.UInt32(),
        "worse": pl.UInt32(),
    }
)
TARGETS_MET_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "green": pl.UInt32(),
        "amber": pl.UInt32(),
        "red": pl.UInt32(),
    }
)


@dataclass(frozen=True)
class RagCell:
    """One cell clicked on the RAG chart: where it leads, and its numbers in words."""

    row_id: str
    row_kind: str  # ROW_PRACTICE, ROW_NETWORK or ROW_ALL
    row_label: str
    indicator_id: str
    indicator_name: str
    words: str  # "94.1% (321 of 341); target 95%; RAG: amber; vs benchmark: ● similar …"
    practice: PracticeRef | None  # the practice of a practice row


@dataclass(frozen=True)
class Overview:
    """The overview page: the RAG grid for the chart, its words, and the tables."""

    grid: pl.DataFrame  # GRID_SCHEMA (rag_grid)
    title: str
    caption: str
    n_rows: int  # rows of the grid (practices, networks, all practices)
    no_data: str | None  # said instead of the chart when no cell has a value
    too_many: str | None  # said when there are too many rows for a chart: a table instead
    wide: pl.DataFrame | None  # row label × indicator name values, when too many for a chart
    targets_met: pl.DataFrame  # TARGETS_MET_SCHEMA: per practice row, green/amber/red counts
    targets_met_shown: pl.DataFrame  # the same as shown (netcompare.views.format)
    heading: str = TITLE_TARGETS  # the page title: targets, or the benchmark without them
    judged_by: str = JUDGED_BY_TARGET  # JUDGED_BY_TARGET or JUDGED_BY_BENCHMARK
    judged_note: str | None = None  # said when cells are judged against the benchmark
    legend_title: str = "Against target"
    legend: dict[str, str] = field(default_factory=dict)  # status -> words, in legend order
    judgement: str = ""  # what better / similar / worse mean here (and on every page)
    per_practice_heading: str = "Targets met per practice"
    per_practice_shown: pl.DataFrame | None = None  # targets met, or verdict counts
    networks_of_practices: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def practice_ids(self) -> list[str]:
        """The practices of ``targets_met``, in its order."""
        return self.targets_met.get_column("practice_id").to_list()

    @property
    def data_shown(self) -> pl.DataFrame:
        """The chart's cells as a table to download: one row per cell, as the chart says it."""
        return self.grid.sort("row_order", "col_order").select(
            pl.col("row_label").alias("Practice / row"),
            pl.col("indicator_name").alias("Indicator"),
            pl.col("value_text").alias("Value"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            pl.when(pl.col("target").is_null())
            .then(pl.lit(NO_TARGET))
            .otherwise(percent_text("target", 0))
            .alias("Target"),
            pl.col("status")
            .replace_strict(self.legend, default=None)
            .fill_null(pl.col("status_words"))
            .alias(self.legend_title),
            verdict_text().alias(VERDICT_COLUMN),
        )

    def cell(self, row_id: str | None, indicator_id: str | None) -> RagCell | None:
        """The cell of this row and indicator, if the grid has it."""
        found = self.grid.filter(
            (pl.col("row_id") == row_id) & (pl.col("indicator_id") == indicator_id)
        )
        if found.height == 0:
            return None
        c = found.row(0, named=True)
        target = "none" if c["target"] is None else format(c["target"], ".0%")
        words = (
            f"{percent_words(c['value'])} ({c['numerator'] or 0:,} of {c['denominator'] or 0:,}); "
            f"target {target}; RAG: {c['rag']}"
        )
        if c["verdict"] is not None:
            words += f"; vs benchmark: {VERDICT_WORDS[c['verdict']]}"
        words += "."
        practice = None
        if c["row_kind"] == ROW_PRACTICE:
            network = self.networks_of_practices.get(c["row_id"])
            practice = PracticeRef(c["row_id"], c["row_label"], network)
        return RagCell(
            row_id=c["row_id"],
            row_kind=c["row_kind"],
            row_label=c["row_label"],
            indicator_id=c["indicator_id"],
            indicator_name=c["indicator_name"],
            words=words,
            practice=practice,
        )


def overview_view(
    data: DataSet,
    period: dt.date,
    options: ViewOptions,
    *,
    care_package: str = ALL,
    method: FunnelMethod = "arcsine-od",
    benchmark: Benchmark = BENCHMARK_ALL,
) -> Overview:
    """The RAG grid of the chosen network (or of every network) with its title and caption.

    Practice cells carry the verdict of ``method`` around ``benchmark``, as every page does.
    """
    grid = rag_grid(data, period, options, care_package)
    grid = _with_verdicts(data, grid, period, options, method, benchmark)
    by_target = grid.get_column("target").is_not_null().any()
    judged_by = JUDGED_BY_TARGET if by_target else JUDGED_BY_BENCHMARK
    grid = _with_status(grid, judged_by)
    kind = _period_type(data, grid)
    when = period_words(period, kind)
    scope = network_name(data, options.network_id)
    n_rows = grid.get_column("row_id").n_unique()
    has_data = grid.get_column("value").is_not_null().any()
    too_many = n_rows > MAX_CHART_ROWS
    practices = grid.filter(pl.col("row_kind") == ROW_PRACTICE)
    targets_met = practices.group_by("row_id", "row_label", maintain_order=True).agg(
        *((pl.col("rag") == colour).sum().alias(colour) for colour in ("green", "amber", "red"))
    )
    targets_met = targets_met.select(
        pl.col("row_id").alias("practice_id"),
        pl.col("row_label").alias("label"),
        *(pl.col(c).cast(pl.UInt32) for c in ("green", "amber", "red")),
    )
    verdicts = verdict_counts(practices)
    judgement = judgement_words(METHOD_LABELS[method], _benchmark_words(benchmark))
    if by_target:
        caption = chart_caption(
            "Each indicator against its own target",
            period,
            benchmark="the indicator's target (✔ meets it, ▲ within the amber band, "
            "✖ below, ○ no target)",
            method="value against target; network and all-practice rows are pooled averages",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=kind,
        )
        # Words and symbols, not the ratings' colour names: on screen "green" is blue.
        legend = {k: f"{RAG_SYMBOLS[k]} {RAG_WORDS[k]}".strip() for k in RAG_WORDS}
        judged_note = None
    else:
        caption = chart_caption(
            "Each practice against the benchmark (no indicator here has a target)",
            period,
            benchmark=_benchmark_words(benchmark),
            method=f"funnel limits, {METHOD_LABELS[method]}; network and all-practice rows "
            "are pooled averages, not judged",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=kind,
        )
        shown = _statuses(grid)
        legend = {k: v for k, v in VERDICT_WORDS.items() if k in shown}
        legend["none"] = NOT_JUDGED_WORDS
        legend["no data"] = NO_DATA
        judged_note = (
            "No indicator shown has a target, so the cells say whether each practice is "
            "better, similar or worse than the benchmark instead: " + judgement
        )
    return Overview(
        grid=grid,
        title=f"{scope}: {package_words(care_package)}, {when}",
        caption=caption,
        n_rows=n_rows,
        no_data=(None if has_data else f"No data for {when} in {scope}: choose another period."),
        too_many=(
            f"{n_rows} rows are too many for a readable chart: showing a table. Choose one "
            "network in the sidebar for its RAG chart."
            if too_many
            else None
        ),
        wide=_wide(grid, options) if too_many else None,
        targets_met=targets_met,
        targets_met_shown=targets_met_display(targets_met),
        heading=TITLE_TARGETS if by_target else TITLE_BENCHMARK,
        judged_by=judged_by,
        judged_note=judged_note,
        legend_title="Against target" if by_target else "Against the benchmark",
        legend=legend,
        judgement=judgement,
        per_practice_heading=(
            "Targets met per practice"
            if by_target
            else "Better, similar and worse than the benchmark per practice"
        ),
        per_practice_shown=(
            targets_met_display(targets_met) if by_target else verdict_counts_display(verdicts)
        ),
        networks_of_practices=practice_network_map(data),
    )


def _benchmark_words(benchmark: str) -> str:
    return {
        "all": "the pooled average of all practices",
        "network": "the pooled average of the chosen network",
        "target": "each indicator's target",
        "area": "the pooled average of the network's area",
    }.get(benchmark, benchmark)


def _period_type(data: DataSet, grid: pl.DataFrame) -> str:
    """The period type of the grid's indicators if they share one, else "month"."""
    kinds = {data.indicator(i).period_type for i in grid.get_column("indicator_id").unique()}
    return kinds.pop() if len(kinds) == 1 else "month"


def _statuses(grid: pl.DataFrame) -> set[str]:
    return set(grid.get_column("status").drop_nulls().to_list())


def _with_verdicts(
    data: DataSet,
    grid: pl.DataFrame,
    period: dt.date,
    options: ViewOptions,
    method: FunnelMethod,
    benchmark: Benchmark,
) -> pl.DataFrame:
    """The grid with each practice cell's verdict (null for other rows, or no comparison)."""
    practice_rows = grid.filter(pl.col("row_kind") == ROW_PRACTICE)
    parts = []
    if practice_rows.height:
        for indicator_id in practice_rows.get_column("indicator_id").unique(maintain_order=True):
            try:
                comparison = compare_practices(
                    data,
                    indicator_id,
                    period,
                    options,
                    benchmark=benchmark,
                    method=method,
                    ranks=False,
                )
            except UserError:
                continue  # fewer than two practices with data: no verdict
            parts.append(
                comparison.table.select(
                    pl.col("practice_id").alias("row_id"),
                    pl.lit(indicator_id).alias("indicator_id"),
                    "verdict",
                )
            )
    verdicts = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={"row_id": pl.String, "indicator_id": pl.String, "verdict": pl.String}
        )
    )
    return grid.join(
        verdicts, on=["row_id", "indicator_id"], how="left", maintain_order="left"
    ).with_columns(
        pl.when(pl.col("row_kind") == ROW_PRACTICE).then(pl.col("verdict")).alias("verdict")
    )


def _with_status(grid: pl.DataFrame, judged_by: str) -> pl.DataFrame:
    """What each cell is coloured by, its words, and its text with enough digits."""
    if judged_by == JUDGED_BY_TARGET:
        status = pl.col("rag")
        words = pl.col("rag").replace_strict(RAG_WORDS, default="")
        symbol = pl.col("rag").replace_strict(RAG_SYMBOLS, default="")
    else:
        status = (
            pl.when(pl.col("value").is_null())
            .then(pl.lit(NO_DATA))
            .otherwise(pl.col("verdict").fill_null("none"))
        )
        words = status.replace_strict(
            {**VERDICT_WORDS, "none": NOT_JUDGED_WORDS, NO_DATA: NO_DATA}, default=""
        )
        symbol = pl.col("verdict").replace_strict(VERDICT_SYMBOLS, default="")
    digits = {
        i: percent_digits(part.get_column("value")) for (i,), part in grid.group_by("indicator_id")
    }
    texts = pl.concat(
        [
            part.select(
                "row_order",
                "col_order",
                percent_text("value", digits[i]).alias("_pct"),
            )
            for (i,), part in grid.group_by("indicator_id")
        ]
    )
    return (
        grid.join(texts, on=["row_order", "col_order"], how="left", maintain_order="left")
        .with_columns(
            status.alias("status"),
            words.alias("status_words"),
            symbol.alias("_symbol"),
        )
        .with_columns(
            pl.when(pl.col("value").is_null())
            .then(pl.lit("–"))
            .otherwise(pl.col("_pct"))
            .alias("value_text"),
            pl.when(pl.col("value").is_null())
            .then(pl.lit(""))
            .otherwise(pl.col("_symbol"))
            .alias("symbol"),
        )
        .with_columns(
            pl.concat_str(pl.col("value_text"), pl.lit(" "), pl.col("symbol"))
            .str.strip_chars()
            .alias("cell_text")
        )
        .drop("_pct", "_symbol")
    )


def verdict_counts(practices: pl.DataFrame) -> pl.DataFrame:
    """Per practice row: how many indicators are better, similar and worse than the
    benchmark (the verdict; neutral indicators' higher/lower are not counted)."""
    better = pl.col("verdict").is_in(["best", "better"])
    worse = pl.col("verdict").is_in(["worst", "worse"])
    return (
        practices.group_by("row_id", "row_label", maintain_order=True)
        .agg(
            better.sum().alias("better"),
            (pl.col("verdict") == "similar").sum().alias("similar"),
            worse.sum().alias("worse"),
        )
        .select(
            pl.col("row_id").alias("practice_id"),
            pl.col("row_label").alias("label"),
            *(pl.col(c).cast(pl.UInt32) for c in ("better", "similar", "worse")),
        )
    )


def _wide(grid: pl.DataFrame, options: ViewOptions) -> pl.DataFrame:
    """Rows × indicators as a table: each cell the value as text with enough digits."""
    first = "Network" if options.network_id == ALL else "Practice / row"
    return (
        grid.sort("row_order", "col_order")
        .pivot(
            on="indicator_name",
            index="row_label",
            values="cell_text",
            aggregate_function="first",
            maintain_order=True,
        )
        .rename({"row_label": first})
        .fill_null("–")
    )


def rag_grid(
    data: DataSet,
    period: dt.date,
    options: ViewOptions,
    care_package: str = ALL,
) -> pl.DataFrame:
    """One row per (row, indicator) cell, in display order.

    Rows: the chosen network's practices (by label), the network and all practices; or, for
    all networks, every network and all practices. Columns: row_id, row_label, row_kind
    (practice / network / all), row_order, indicator_id, indicator_name, care_package,
    numerator, denominator, value, target, amber_threshold, polarity, rag (green / amber /
    red / none / "no data"), small_n.
    """
    indicators = data.indicators
    if care_package != ALL:
        indicators = indicators.filter(pl.col("care_package") == care_package)
    ids = indicators.get_column("indicator_id").to_list()
    labels = practice_labels(data, options)
    everyone = _pooled_per_indicator(
        [(i, p) for i in ids if (p := data.slice(i, period)).height], options.net_of_exceptions
    ).with_columns(pl.lit("__all").alias("row_id"))
    if options.network_id == ALL:
        row_order = data.networks.sort("network_name").get_column("network_id").to_list()
        totals = network_totals(data, ids, period, options.net_of_exceptions)
        rows = [totals.rename({"network_id": "row_id"})]
    else:
        members = labels.filter(pl.col("network_id") == options.network_id).sort("label")
        member_ids = members.get_column("practice_id").to_list()
        mine = effective_counts(
            data.rows_of_practices(member_ids, [(i, period) for i in ids]),
            options.net_of_exceptions,
        )
        row_order = [*member_ids, options.network_id]
        network_row = mine.group_by("indicator_id").agg(
            pl.lit(options.network_id).alias("row_id"),
            pl.col("numerator").sum(),
            pl.col("denominator").sum(),
        )
        rows = [mine.rename({"practice_id": "row_id"}), network_row]
    cells = pl.concat(
        [
            f.select(
                "row_id",
                "indicator_id",
                pl.col("numerator").cast(pl.Int64),
                pl.col("denominator").cast(pl.Int64),
            )
            for f in [*rows, everyone]
        ]
    ).with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .alias("value")
    )
    # Every row × indicator, so a row with no data shows as "no data" (not a gap).
    row_keys = pl.DataFrame({"row_id": [*row_order, "__all"]}, schema={"row_id": pl.String})
    grid = (
        _row_info(row_keys, labels, data, options)
        .join(indicators.select("indicator_id").with_row_index("col_order"), how="cross")
        .join(cells, on=["row_id", "indicator_id"], how="left")
        .join(
            indicators.select(
                "indicator_id",
                pl.col("name").alias("indicator_name"),
                "care_package",
                "target",
                "amber_threshold",
                "polarity",
            ),
            on="indicator_id",
        )
        .sort("row_order", "col_order")
    )
    return _rate(grid)


def _pooled_per_indicator(
    parts: list[tuple[str, pl.DataFrame]], net_of_exceptions: bool
) -> pl.DataFrame:
    """Σ numerator and Σ denominator (as shown) over every practice, per indicator with data.

    One slice per indicator: two column sums each, instead of hashing a quarter of a million
    indicator codes in a group-by.
    """
    numerators = []
    denominators = []
    for _, part in parts:
        numerators.append(part.get_column("numerator").sum())
        denominator = part.get_column("denominator")
        if net_of_exceptions:
            denominator = denominator - part.get_column("exceptions").fill_null(0)
        denominators.append(denominator.sum())
    return pl.DataFrame(
        {
            "indicator_id": [i for i, _ in parts],
            "numerator": numerators,
            "denominator": denominators,
        },
        schema={"indicator_id": pl.String, "numerator": pl.Int64, "denominator": pl.Int64},
    )


def _row_info(
    row_keys: pl.DataFrame,
    labels: pl.DataFrame,
    data: DataSet,
    options: ViewOptions,
) -> pl.DataFrame:
    """Each row's label and kind, in display order (row_order)."""
    # Network rows are labelled from the networks table, so a network with no data in this
    # period still has its name (its cells show "no data").
    known = data.networks.select(
        pl.col("network_id").alias("row_id"),
        (pl.col("network_name") + pl.lit(" (network)")).alias("row_label"),
        pl.lit(ROW_NETWORK).alias("row_kind"),
    )
    if options.network_id != ALL:
        members = labels.filter(pl.col("network_id") == options.network_id).select(
            pl.col("practice_id").alias("row_id"),
            pl.col("label").alias("row_label"),
            pl.lit(ROW_PRACTICE).alias("row_kind"),
        )
        known = pl.concat([members, known.filter(pl.col("row_id") == options.network_id)])
    everyone = pl.DataFrame(
        {"row_id": ["__all"], "row_label": ["All practices"], "row_kind": [ROW_ALL]}
    )
    known = pl.concat([known, everyone]).unique("row_id", keep="first")
    return row_keys.with_row_index("row_order").join(known, on="row_id", how="left")


def _rate(grid: pl.DataFrame) -> pl.DataFrame:
    """RAG per indicator (each has its own target, amber threshold and polarity)."""
    out = np.full(grid.height, NO_DATA, dtype=object)
    value = grid.get_column("value").cast(pl.Float64).to_numpy()  # nulls become NaN
    columns = grid.get_column("col_order").to_numpy()
    spec = grid.select("col_order", "target", "amber_threshold", "polarity").unique(
        "col_order", keep="first", maintain_order=True
    )
    for col, target, amber, polarity in spec.rows():
        rows = np.flatnonzero(columns == col)
        rated = rag(value[rows], target, amber, polarity=polarity)
        rated[np.equal(rated, None)] = NO_DATA
        out[rows] = rated
    return grid.with_columns(
        pl.Series("rag", out, dtype=pl.String),
        (pl.col("denominator") < SMALL_N).fill_null(False).alias("small_n"),
    )
