"""The overview: a network's practices × indicators, each cell RAG-rated against its target.

Rows: the practices of the chosen network (or, for all networks, one row per network), then
the network average and the all-practices average (both pooled: Σ numerator / Σ denominator).
RAG follows :func:`netcompare.stats.benchmark.rag` (Fingertips single-value target comparison
with an amber band).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.benchmark import rag
from netcompare.views.common import (
    ALL,
    SMALL_N,
    PracticeRef,
    ViewOptions,
    chart_caption,
    network_name,
    network_totals,
    package_words,
    period_words,
    practice_labels,
    practice_network_map,
)
from netcompare.views.format import percent_words, targets_met_display

ROW_PRACTICE = "practice"
ROW_NETWORK = "network"
ROW_ALL = "all"

NO_DATA = "no data"


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
    words: str  # "94.1% (321 of 341); target 95%; RAG: amber."
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
    networks_of_practices: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def practice_ids(self) -> list[str]:
        """The practices of ``targets_met``, in its order."""
        return self.targets_met.get_column("practice_id").to_list()

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
            f"target {target}; RAG: {c['rag']}."
        )
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
    data: DataSet, period: dt.date, options: ViewOptions, *, care_package: str = ALL
) -> Overview:
    """The RAG grid of the chosen network (or of every network) with its title and caption."""
    grid = rag_grid(data, period, options, care_package)
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
    return Overview(
        grid=grid,
        title=f"{scope}: {package_words(care_package)}, {period_words(period)}",
        caption=chart_caption(
            "Each indicator against its own target",
            period,
            benchmark="the indicator's target (green ✔ meets it, amber ▲ within the amber "
            "band, red ✖ below, grey · no target)",
            method="value against target; network and all-practice rows are pooled averages",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
        ),
        n_rows=n_rows,
        no_data=(
            None
            if has_data
            else f"No data for {period_words(period)} in {scope}: choose another period."
        ),
        too_many=(
            f"{n_rows} rows are too many for a readable chart: showing a table. Choose one "
            "network in the sidebar for its RAG chart."
            if too_many
            else None
        ),
        wide=(
            grid.pivot(on="indicator_name", index="row_label", values="value") if too_many else None
        ),
        targets_met=targets_met,
        targets_met_shown=targets_met_display(targets_met),
        networks_of_practices=practice_network_map(data),
    )


def rag_grid(
    data: DataSet,
    period: dt.date,
    options: ViewOptions,
    care_package: str = ALL,
) -> pl.DataFrame:
    """One row per (row, indicator) cell, in display order.

    Columns: row_id, row_label, row_kind (practice / network / all), row_order, indicator_id,
    indicator_name, care_package, numerator, denominator, value, target, amber_threshold,
    polarity, rag (green / amber / red / none / "no data"), small_n.
    """
    indicators = data.indicators
    if care_package != ALL:
        indicators = indicators.filter(pl.col("care_package") == care_package)
    ids = indicators.get_column("indicator_id").to_list()
    parts = [(i, data.slice(i, period)) for i in ids]
    parts = [(i, p) for i, p in parts if p.height]
    labels = practice_labels(data, options)
    if options.network_id != ALL:
        return _network_grid(data, period, options, indicators, parts, labels)
    everyone = _pooled_per_indicator(parts, options.net_of_exceptions).with_columns(
        pl.lit("__all").alias("row_id"),
        pl.lit("All practices").alias("row_label"),
        pl.lit(ROW_ALL).alias("row_kind"),
    )
    network_names = data.networks.select("network_id", "network_name")
    by_network = network_totals(
        data, [i for i, _ in parts], period, options.net_of_exceptions
    ).join(network_names, on="network_id")
    by_network = by_network.select(
        "indicator_id",
        "numerator",
        "denominator",
        pl.col("network_id").alias("row_id"),
        (pl.col("network_name") + pl.lit(" (network)")).alias("row_label"),
        pl.lit(ROW_NETWORK).alias("row_kind"),
    )
    row_frames = [by_network, everyone]
    row_order = data.networks.sort("network_name").get_column("network_id").to_list()
    row_keys = pl.DataFrame({"row_id": [*row_order, "__all"]})

    cells = pl.concat(
        [
            f.select(
                "row_id", "row_label", "row_kind", "indicator_id", "numerator", "denominator"
            ).with_columns(pl.col("numerator").cast(pl.Int64), pl.col("denominator").cast(pl.Int64))
            for f in row_frames
        ]
    ).with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .alias("value")
    )
    # Every row × indicator, so a network with no data shows as "no data" (not a gap).
    row_info = _row_info(row_keys, cells, labels, data, options)
    grid = (
        row_info.join(indicators.select("indicator_id").with_row_index("col_order"), how="cross")
        .join(cells.drop("row_label", "row_kind"), on=["row_id", "indicator_id"], how="left")
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


def _network_grid(
    data: DataSet,
    period: dt.date,
    options: ViewOptions,
    indicators: pl.DataFrame,
    parts: list[tuple[str, pl.DataFrame]],
    labels: pl.DataFrame,
) -> pl.DataFrame:
    """The grid of one network: its practices (by label), itself and everyone × indicators.

    A few hundred cells: filled as numpy matrices (rows × indicators) from the network's own
    rows and one sum per indicator for everyone, then made into the grid frame once, instead
    of a chain of small joins whose overhead would dwarf the arithmetic.
    """
    members = labels.filter(pl.col("network_id") == options.network_id).sort("label")
    member_ids = members.get_column("practice_id").to_list()
    name = data.networks.filter(pl.col("network_id") == options.network_id).get_column(
        "network_name"
    )
    has_network = name.len() > 0
    ids = indicators.get_column("indicator_id").to_list()
    n_rows, n_cols = len(member_ids) + 2, len(ids)
    column_of = {indicator_id: c for c, indicator_id in enumerate(ids)}
    numerator = np.zeros((n_rows, n_cols), dtype=np.int64)
    denominator = np.zeros((n_rows, n_cols), dtype=np.int64)
    present = np.zeros((n_rows, n_cols), dtype=bool)

    # The network's practices: their own rows, counts as shown.
    mine = data.rows_of_practices(member_ids, [(i, period) for i, _ in parts])
    if mine.height:
        row_of = {practice_id: r for r, practice_id in enumerate(member_ids)}
        rows = np.array([row_of[p] for p in mine.get_column("practice_id").to_list()])
        cols = np.array([column_of[i] for i in mine.get_column("indicator_id").to_list()])
        den = mine.get_column("denominator").to_numpy()
        if options.net_of_exceptions:
            den = den - mine.get_column("exceptions").fill_null(0).to_numpy()
        numerator[rows, cols] = mine.get_column("numerator").to_numpy()
        denominator[rows, cols] = den
        present[rows, cols] = True
    # The network row (pooled over its practices, where any has data), then everyone.
    k = len(member_ids)
    if has_network:
        numerator[k] = numerator[:k].sum(axis=0)
        denominator[k] = denominator[:k].sum(axis=0)
        present[k] = present[:k].any(axis=0)
    everyone = _pooled_per_indicator(parts, options.net_of_exceptions)
    cols = np.array([column_of[i] for i in everyone.get_column("indicator_id").to_list()], int)
    numerator[k + 1, cols] = everyone.get_column("numerator").to_numpy()
    denominator[k + 1, cols] = everyone.get_column("denominator").to_numpy()
    present[k + 1, cols] = True

    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(present & (denominator > 0), numerator / denominator, np.nan)
    rag_cells = np.empty((n_rows, n_cols), dtype=object)
    spec = indicators.select("target", "amber_threshold", "polarity").rows()
    for c, (target, amber, polarity) in enumerate(spec):
        rated = rag(value[:, c], target, amber, polarity=polarity)
        rated[np.equal(rated, None)] = NO_DATA
        rag_cells[:, c] = rated

    row = np.repeat(np.arange(n_rows), n_cols)
    col = np.tile(np.arange(n_cols), n_rows)
    network_label = f"{name.item(0)} (network)" if has_network else None
    row_info = pl.DataFrame(
        {
            "row_id": [*member_ids, options.network_id, "__all"],
            "row_label": [*members.get_column("label").to_list(), network_label, "All practices"],
            "row_kind": [ROW_PRACTICE] * k + [ROW_NETWORK if has_network else None, ROW_ALL],
        },
        schema={"row_id": pl.String, "row_label": pl.String, "row_kind": pl.String},
    )[row]
    meta = indicators.select(
        "indicator_id",
        pl.col("name").alias("indicator_name"),
        "care_package",
        "target",
        "amber_threshold",
        "polarity",
    )[col]
    missing = ~present.ravel()
    shown_den = np.where(missing, np.nan, denominator.ravel())
    return pl.DataFrame(
        [
            pl.Series("row_order", row, dtype=pl.UInt32),
            *row_info.get_columns(),
            pl.Series("col_order", col, dtype=pl.UInt32),
            meta.get_column("indicator_id"),
            pl.Series(
                "numerator", np.where(missing, np.nan, numerator.ravel()), nan_to_null=True
            ).cast(pl.Int64),
            pl.Series("denominator", shown_den, nan_to_null=True).cast(pl.Int64),
            pl.Series("value", value.ravel(), nan_to_null=True),
            *meta.drop("indicator_id").get_columns(),
            pl.Series("rag", rag_cells.ravel(), dtype=pl.String),
            pl.Series("small_n", ~missing & (denominator.ravel() < SMALL_N)),
        ]
    )


def _row_info(
    row_keys: pl.DataFrame,
    cells: pl.DataFrame,
    labels: pl.DataFrame,
    data: DataSet,
    options: ViewOptions,
) -> pl.DataFrame:
    known = cells.select("row_id", "row_label", "row_kind").unique("row_id")
    # Network rows are labelled from the networks table, so a network with no data in this
    # period still has its name (its cells show "no data").
    nets = data.networks.select(
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
        nets = nets.filter(pl.col("row_id") == options.network_id)  # the only network row
        known = pl.concat([members, nets, known]).unique("row_id", keep="first")
    else:
        known = pl.concat([nets, known]).unique("row_id", keep="first")
    extra = pl.DataFrame(
        {
            "row_id": ["__all"],
            "row_label": ["All practices"],
            "row_kind": [ROW_ALL],
        }
    )
    known = pl.concat([known, extra]).unique("row_id", keep="first")
    return row_keys.with_row_index("row_order").join(known, on="row_id", how="left")


def _rate(grid: pl.DataFrame) -> pl.DataFrame:
    """RAG per indicator (each has its own target, amber threshold and polarity).

    The grid holds every row × indicator in (row_order, col_order) order, so an indicator's
    cells are every n-th cell: rated column by column without comparing indicator codes.
    """
    out = np.empty(grid.height, dtype=object)
    value = grid.get_column("value").cast(pl.Float64).to_numpy()  # nulls become NaN
    columns = grid.get_column("col_order").to_numpy()
    spec = grid.select("col_order", "target", "amber_threshold", "polarity").unique(
        "col_order", keep="first", maintain_order=True
    )
    n_cols = spec.height
    complete = (
        n_cols > 0
        and grid.height % n_cols == 0
        and bool((columns.reshape(-1, n_cols) == np.arange(n_cols)).all())
    )
    for col, target, amber, polarity in spec.rows():
        rows = slice(col, None, n_cols) if complete else np.flatnonzero(columns == col)
        rated = rag(value[rows], target, amber, polarity=polarity)
        rated[np.equal(rated, None)] = NO_DATA
        out[rows] = rated
    return grid.with_columns(
        pl.Series("rag", out, dtype=pl.String),
        (pl.col("denominator") < SMALL_N).fill_null(False).alias("small_n"),
    )
