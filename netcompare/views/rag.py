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
    effective_counts,
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
