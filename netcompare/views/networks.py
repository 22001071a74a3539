"""Networks: averages against network targets, the spread inside each network, incentives.

The network average is pooled (Σ numerator / Σ denominator over its practices), as the
Tower Hamlets incentive scheme paid on the network average. The incentive view follows that
scheme: a share of each network's contract paid up front (70% by default) and the rest at
risk, earned for each targeted indicator whose network average meets its network target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.benchmark import rag
from netcompare.views.common import (
    ALL,
    ViewOptions,
    effective_counts,
    network_totals,
    practice_labels,
)

DEFAULT_UPFRONT = 0.70


@dataclass(frozen=True)
class NetworkSummary:
    networks: pl.DataFrame  # network_id, network_name, practices, numerator, denominator, value,
    # network_target, meets, is_chosen
    practices: pl.DataFrame  # practice values with their network, for the spread chart
    share_meeting: float | None  # share of networks meeting the network target (None: no target)
    network_target: float | None


def network_summary(
    data: DataSet, indicator_id: str, period: dt.date, options: ViewOptions
) -> NetworkSummary:
    """Each network's pooled average on one indicator and period against its network target."""
    indicator = data.indicator(indicator_id)
    target = indicator["network_target"]
    labels = practice_labels(data, options)
    values = effective_counts(data.slice(indicator_id, period), options.net_of_exceptions)
    values = values.filter(pl.col("denominator") > 0).join(
        labels.select("practice_id", "label", "network_id", "network_name"), on="practice_id"
    )
    networks = (
        values.group_by("network_id", "network_name")
        .agg(
            pl.len().alias("practices"),
            pl.col("numerator").sum(),
            pl.col("denominator").sum(),
        )
        .with_columns((pl.col("numerator") / pl.col("denominator")).alias("value"))
        .sort("value", descending=indicator["polarity"] != "low")
    )
    meets = _meets(networks.get_column("value").to_numpy(), target, indicator["polarity"])
    networks = networks.with_columns(
        pl.lit(target, dtype=pl.Float64).alias("network_target"),
        pl.Series("meets", meets, dtype=pl.Boolean),
        (pl.col("network_id") == options.network_id).alias("is_chosen"),
    )
    share = None
    if target is not None and networks.height:
        share = float(networks.get_column("meets").mean())
    practices = values.select(
        "practice_id",
        "label",
        "network_id",
        "network_name",
        "value",
        "numerator",
        "denominator",
        (pl.col("network_id") == options.network_id).alias("is_chosen"),
    )
    return NetworkSummary(networks, practices, share, target)


def _meets(values, target: float | None, polarity: str) -> list[bool | None]:
    if target is None:
        return [None] * len(values)
    ratings = rag(values, target, None, polarity="low" if polarity == "low" else "high")
    return [None if r is None else r == "green" for r in ratings]


def incentive_table(
    data: DataSet,
    period: dt.date,
    options: ViewOptions,
    *,
    care_package: str = ALL,
    contract_value: float = 100_000.0,
    upfront_share: float = DEFAULT_UPFRONT,
) -> tuple[pl.DataFrame, list[str]]:
    """What each network earns at today's averages.

    Per network: contract_value, upfront (paid regardless), at_risk, targets (indicators with a
    network target and data), met, earned (upfront + at_risk × met / targets), lost.
    Returns the table and the indicators counted.
    """
    if not 0 <= upfront_share <= 1:
        raise ValueError("the share paid up front must be between 0 and 1")
    indicators = data.indicators.filter(pl.col("network_target").is_not_null())
    if care_package != ALL:
        indicators = indicators.filter(pl.col("care_package") == care_package)
    ids = indicators.get_column("indicator_id").to_list()
    pooled = (
        network_totals(data, ids, period, options.net_of_exceptions, only_with_patients=True)
        .select("network_id", "indicator_id", "numerator", "denominator")
        .with_columns((pl.col("numerator") / pl.col("denominator")).alias("value"))
        .join(indicators.select("indicator_id", "network_target", "polarity"), on="indicator_id")
        .with_columns(
            pl.when(pl.col("polarity") == "low")
            .then(pl.col("value") <= pl.col("network_target"))
            .otherwise(pl.col("value") >= pl.col("network_target"))
            .alias("met")
        )
    )
    per_network = pooled.group_by("network_id").agg(
        pl.len().alias("targets"), pl.col("met").sum().alias("met")
    )
    upfront = contract_value * upfront_share
    at_risk = contract_value - upfront
    table = (
        data.networks.select("network_id", "network_name")
        .join(per_network, on="network_id", how="left")
        .with_columns(
            pl.col("targets").fill_null(0).cast(pl.Int64),
            pl.col("met").fill_null(0).cast(pl.Int64),
            pl.lit(contract_value).alias("contract_value"),
            pl.lit(upfront).alias("upfront"),
            pl.lit(at_risk).alias("at_risk"),
        )
        .with_columns(
            (
                pl.col("upfront")
                + pl.when(pl.col("targets") > 0)
                .then(pl.col("at_risk") * pl.col("met") / pl.col("targets"))
                .otherwise(0.0)
            ).alias("earned"),
            (pl.col("network_id") == options.network_id).alias("is_chosen"),
        )
        .with_columns((pl.col("contract_value") - pl.col("earned")).alias("lost"))
        .sort("earned", "network_name", descending=[True, False])
    )
    return table, ids
