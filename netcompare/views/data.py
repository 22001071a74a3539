"""The Data page: the practices of the loaded data set and how many values each period has."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.common import ViewOptions, practice_labels

PRACTICES_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "practice": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "parent_area": pl.String(),
        "list_size": pl.Int64(),
        "share_name": pl.Boolean(),
    }
)
COVERAGE_SCHEMA = pl.Schema({"period": pl.String(), "values": pl.UInt32()})


@dataclass(frozen=True)
class DataSetView:
    """What is loaded: every practice with its network, and the values in each period."""

    practices: pl.DataFrame  # PRACTICES_SCHEMA, by network then practice
    coverage: pl.DataFrame  # COVERAGE_SCHEMA: values per period (ISO dates), oldest first

    def practices_csv(self) -> str:
        return self.practices.write_csv()


def dataset_view(data: DataSet, options: ViewOptions) -> DataSetView:
    """Practices named as every other page names them: a practice that does not share its
    name is anonymised outside its own network, and all are when the anonymise switch is on."""
    labels = practice_labels(data, options).select("practice_id", "label")
    practices = (
        data.practices.join(labels, on="practice_id")
        .join(data.networks, on="network_id", how="left")
        .select(
            "practice_id",
            pl.col("label").alias("practice"),
            "network_id",
            "network_name",
            "parent_area",
            "list_size",
            "share_name",
        )
        .sort("network_name", "practice")
    )
    coverage = (
        data.values.group_by("period")
        .len("values")
        .sort("period")
        .select(pl.col("period").cast(pl.String), "values")
    )
    return DataSetView(practices=practices, coverage=coverage)
