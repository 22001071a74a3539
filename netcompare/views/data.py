"""The Data page: the practices of the loaded data set and how many values each period has."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.common import ViewOptions, practice_labels
from netcompare.views.definition import (
    indicator_licence,
    polarity_words,
    target_text,
    text_or_not_given,
)
from netcompare.views.format import PERIOD_TYPE_WORDS, csv_text, period_label

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
COVERAGE_SCHEMA = pl.Schema(
    {"period": pl.Date(), "values": pl.UInt32(), "Period": pl.String(), "Values": pl.UInt32()}
)


@dataclass(frozen=True)
class DataSetView:
    """What is loaded: every practice with its network, and the values in each period."""

    practices: pl.DataFrame  # PRACTICES_SCHEMA, by network then practice
    # COVERAGE_SCHEMA: values per period, oldest first; "Period" and "Values" as shown
    coverage: pl.DataFrame
    period_type: str = "month"  # the indicators' period type if they share one, else month
    periods_words: str | None = None  # "Periods from Sep 2023 to Sep 2026 (monthly)."

    indicators_shown: pl.DataFrame | None = None  # the indicators table as shown (no nulls)

    @property
    def coverage_shown(self) -> pl.DataFrame:
        """The coverage chart's data: the period as the data has it, and its count."""
        return self.coverage.select("Period", "Values")

    def practices_csv(self) -> str:
        return csv_text(self.practices)


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
    kinds = {data.indicator(i).period_type for i in data.indicators.get_column("indicator_id")}
    kind = kinds.pop() if len(kinds) == 1 else "month"
    coverage = (
        data.values.group_by("period")
        .len("values")
        .sort("period")
        .select(
            "period",
            pl.col("values").cast(pl.UInt32),
            pl.col("period")
            .map_elements(lambda p: period_label(p, kind), return_dtype=pl.String)
            .alias("Period"),
            pl.col("values").cast(pl.UInt32).alias("Values"),
        )
    )
    words = None
    if coverage.height:
        first, last = coverage.get_column("Period")[0], coverage.get_column("Period")[-1]
        every = PERIOD_TYPE_WORDS.get(kind, kind)
        words = (
            f"One period: {first} ({every})."
            if coverage.height == 1
            else f"Periods from {first} to {last} ({every})."
        )
    return DataSetView(
        practices=practices,
        coverage=coverage,
        period_type=kind,
        periods_words=words,
        indicators_shown=indicators_display(data),
    )


def indicators_display(data: DataSet) -> pl.DataFrame:
    """The indicators table as the Data page shows it: every indicator's definition
    (netcompare.views.definition) in one row, targets as percentages, "none" where an
    indicator has none and "not given" where a text is missing (never an empty cell)."""
    rows = []
    for indicator_id in data.indicators.get_column("indicator_id"):
        i = data.indicator(indicator_id)
        rows.append(
            {
                "Indicator": i.indicator_id,
                "Name": i.name,
                "Care package": i.care_package,
                "Polarity": polarity_words(i.polarity),
                "Target": target_text(i.target),
                "Amber from": target_text(i.amber_threshold),
                "Network target": target_text(i.network_target),
                "Periods": PERIOD_TYPE_WORDS.get(i.period_type, i.period_type),
                "Description": text_or_not_given(i.description),
                "Numerator": text_or_not_given(i.numerator_definition),
                "Denominator": text_or_not_given(i.denominator_definition),
                "Source": text_or_not_given(i.source),
                "Licence": indicator_licence(i, data),
            }
        )
    return pl.DataFrame(rows, schema=dict.fromkeys(INDICATOR_COLUMNS, pl.String))


INDICATOR_COLUMNS = (
    "Indicator",
    "Name",
    "Care package",
    "Polarity",
    "Target",
    "Amber from",
    "Network target",
    "Periods",
    "Description",
    "Numerator",
    "Denominator",
    "Source",
    "Licence",
)
