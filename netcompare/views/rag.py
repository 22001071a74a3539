"""The overview: a network's practices × indicators, each cell RAG-rated against its target.

Rows: the practices of the chosen network (or, for all networks, one row per network), then
the network average and the all-practices average (both pooled: Σ numerator / Σ denominator).
RAG follows :func:`netcompare.stats.benchmark.rag` (Fingertips single-value target comparison
with an amber band).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.benchmark import rag
from netcompare.views.common import ALL, SMALL_N, ViewOptions, effective_counts, practice_labels

ROW_PRACTICE = "practice"
ROW_NETWORK = "network"
ROW_ALL = "all"

NO_DATA = "no data"


def period_values(data: DataSet, period: dt.date, indicator_ids: list[str]) -> pl.DataFrame:
    """All practices' values for the given indicators in one period (from the slice index)."""
    parts = [data.slice(i, period) for i in indicator_ids]
    parts = [p for p in parts if p.height]
    if not parts:
        return data.values.clear()
    return pl.concat(parts, rechunk=False)


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
    values = effective_counts(period_values(data, period, ids), options.net_of_exceptions)
    labels = practice_labels(data, options)
    values = values.join(labels.select("practice_id", "network_id"), on="practice_id")

    pooled = [pl.col("numerator").sum().alias("numerator"), pl.col("denominator").sum()]
    everyone = (
        values.group_by("indicator_id")
        .agg(pooled)
        .with_columns(
            pl.lit("__all").alias("row_id"),
            pl.lit("All practices").alias("row_label"),
            pl.lit(ROW_ALL).alias("row_kind"),
        )
    )
    by_network = values.group_by("network_id", "indicator_id").agg(pooled)
    by_network = by_network.join(
        data.networks.select("network_id", "network_name"), on="network_id"
    ).select(
        "indicator_id",
        "numerator",
        "denominator",
        pl.col("network_id").alias("row_id"),
        (pl.col("network_name") + pl.lit(" (network)")).alias("row_label"),
        pl.lit(ROW_NETWORK).alias("row_kind"),
    )

    if options.network_id == ALL:
        row_frames = [by_network, everyone]
        row_order = data.networks.sort("network_name").get_column("network_id").to_list()
        row_keys = pl.DataFrame({"row_id": [*row_order, "__all"]})
    else:
        mine = values.filter(pl.col("network_id") == options.network_id)
        practices = mine.join(labels.select("practice_id", "label"), on="practice_id").select(
            "indicator_id",
            "numerator",
            "denominator",
            pl.col("practice_id").alias("row_id"),
            pl.col("label").alias("row_label"),
            pl.lit(ROW_PRACTICE).alias("row_kind"),
        )
        network_row = by_network.filter(pl.col("row_id") == options.network_id)
        row_frames = [practices, network_row, everyone]
        members = labels.filter(pl.col("network_id") == options.network_id).sort("label")
        row_keys = pl.DataFrame(
            {"row_id": [*members.get_column("practice_id").to_list(), options.network_id, "__all"]}
        )

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
    # Every row × indicator, so a practice with no data shows as "no data" (not a gap).
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


def _row_info(
    row_keys: pl.DataFrame,
    cells: pl.DataFrame,
    labels: pl.DataFrame,
    data: DataSet,
    options: ViewOptions,
) -> pl.DataFrame:
    known = cells.select("row_id", "row_label", "row_kind").unique("row_id")
    if options.network_id != ALL:
        members = labels.filter(pl.col("network_id") == options.network_id).select(
            pl.col("practice_id").alias("row_id"),
            pl.col("label").alias("row_label"),
            pl.lit(ROW_PRACTICE).alias("row_kind"),
        )
        known = pl.concat([members, known]).unique("row_id", keep="first")
    else:
        nets = data.networks.select(
            pl.col("network_id").alias("row_id"),
            (pl.col("network_name") + pl.lit(" (network)")).alias("row_label"),
            pl.lit(ROW_NETWORK).alias("row_kind"),
        )
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
    """RAG per indicator (each has its own target, amber threshold and polarity)."""
    out = np.full(grid.height, NO_DATA, dtype=object)
    value = grid.get_column("value").cast(pl.Float64).to_numpy()
    ind = grid.get_column("indicator_id").to_numpy()
    spec = grid.select("indicator_id", "target", "amber_threshold", "polarity").unique(
        "indicator_id"
    )
    for indicator_id, target, amber, polarity in spec.rows():
        rows = np.flatnonzero(ind == indicator_id)
        rated = rag(value[rows], target, amber, polarity=polarity)
        out[rows] = [NO_DATA if r is None else r for r in rated]
    return grid.with_columns(
        pl.Series("rag", out, dtype=pl.String),
        (pl.col("denominator") < SMALL_N).fill_null(False).alias("small_n"),
    )
