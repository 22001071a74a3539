"""Networks: averages against network targets, the spread inside each network, incentives.

The network average is pooled (Σ numerator / Σ denominator over its practices), as the
Tower Hamlets incentive scheme paid on the network average. The incentive view follows that
scheme: a share of each network's contract paid up front (70% by default) and the rest at
risk, earned for each targeted indicator whose network average meets its network target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.benchmark import rag
from netcompare.types import Polarity
from netcompare.views.common import (
    ALL,
    ViewOptions,
    chart_caption,
    effective_counts,
    network_totals,
    package_words,
    practice_labels,
)
from netcompare.views.format import incentives_display, network_averages_display

DEFAULT_UPFRONT = 0.70
CHART_NETWORKS = 20  # with more than twice as many, the charts show the top and bottom 20
POOLED_METHOD = "pooled network average (Σ numerator / Σ denominator)"

NETWORKS_SCHEMA = pl.Schema(
    {
        "network_id": pl.String(),
        "network_name": pl.String(),
        "practices": pl.UInt32(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "network_target": pl.Float64(),
        "meets": pl.Boolean(),
        "in_network": pl.Boolean(),
    }
)
NETWORK_PRACTICES_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "value": pl.Float64(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "in_network": pl.Boolean(),
    }
)
INCENTIVE_SCHEMA = pl.Schema(
    {
        "network_id": pl.String(),
        "network_name": pl.String(),
        "targets": pl.Int64(),
        "met": pl.Int64(),
        "contract_value": pl.Float64(),
        "upfront": pl.Float64(),
        "at_risk": pl.Float64(),
        "earned": pl.Float64(),
        "in_network": pl.Boolean(),
        "lost": pl.Float64(),
    }
)


@dataclass(frozen=True)
class NetworkSummary:
    """The networks page: every network's average, the charts' inputs and their words.

    ``in_network`` marks the chosen network (and, in ``practices``, its practices).
    """

    networks: pl.DataFrame  # NETWORKS_SCHEMA, best first
    practices: pl.DataFrame  # NETWORK_PRACTICES_SCHEMA, for the spread chart
    share_meeting: float | None  # share of networks meeting the network target (None: no target)
    network_target: float | None
    meeting: str  # "5 of 8" networks meeting the network target
    meeting_help: str
    chart_networks: pl.DataFrame  # the networks the charts show (all, or top, yours and bottom)
    chart_practices: pl.DataFrame  # the practices of those networks
    chart_order: tuple[str, ...]  # network names, top to bottom
    subset_note: str | None  # said when the charts show only some networks
    caption: str  # of the network averages chart
    spread_caption: str  # of the practice spread chart
    singles_note: str | None  # names the networks of one practice (no spread to show)
    table: pl.DataFrame | None  # every network as a table, when the charts show only some

    @property
    def networks_shown(self) -> pl.DataFrame:
        """The network averages chart's data, as it says it, to download."""
        return self.chart_networks.select(
            pl.col("network_name").alias("Network"),
            pl.col("practices").alias("Practices"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            (pl.col("value") * 100).round(2).alias("Average (%)"),
            (pl.col("network_target") * 100).round(2).alias("Network target (%)"),
            pl.when(pl.col("meets").is_null())
            .then(pl.lit("no network target"))
            .when(pl.col("meets"))
            .then(pl.lit("✔ meets target"))
            .otherwise(pl.lit("✖ below target"))
            .alias("Against the network target"),
        )

    @property
    def practices_shown(self) -> pl.DataFrame:
        """The spread chart's data (each practice of the networks shown), to download."""
        return self.chart_practices.sort("network_name", "label").select(
            pl.col("network_name").alias("Network"),
            pl.col("label").alias("Practice"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            (pl.col("value") * 100).round(2).alias("Value (%)"),
        )


def network_summary(
    data: DataSet, indicator_id: str, period: dt.date, options: ViewOptions
) -> NetworkSummary:
    """Each network's pooled average on one indicator and period against its network target."""
    indicator = data.indicator(indicator_id)
    target = indicator.network_target
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
        .sort("value", "network_name", descending=[indicator.polarity != "low", False])
    )
    meets = _meets(networks.get_column("value").to_numpy(), target, indicator.polarity)
    networks = networks.with_columns(
        pl.lit(target, dtype=pl.Float64).alias("network_target"),
        pl.Series("meets", meets, dtype=pl.Boolean),
        (pl.col("network_id") == options.network_id).alias("in_network"),
    )
    share = None
    if target is not None and networks.height:
        share = float(networks.get_column("meets").mean())
    met = int(networks.get_column("meets").sum())
    practices = values.select(
        "practice_id",
        "label",
        "network_id",
        "network_name",
        "value",
        "numerator",
        "denominator",
        (pl.col("network_id") == options.network_id).alias("in_network"),
    )
    target_words = "no network target" if target is None else f"network target {target:.0%}"
    too_many = networks.height > 2 * CHART_NETWORKS
    shown = networks
    subset_note = None
    if too_many:
        shown = pl.concat(
            [
                networks.head(CHART_NETWORKS),
                networks.filter(pl.col("in_network")),
                networks.tail(CHART_NETWORKS),
            ]
        ).unique("network_id", maintain_order=True)
        subset_note = (
            f"{networks.height} networks: the charts show the {CHART_NETWORKS} highest and "
            f"{CHART_NETWORKS} lowest and your network; the table below lists them all."
        )
    order = tuple(shown.get_column("network_name").to_list())
    singles = networks.filter(pl.col("practices") == 1).get_column("network_name")

    def caption(method: str) -> str:
        return chart_caption(
            indicator.name,
            period,
            benchmark=target_words,
            method=method,
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
        )

    return NetworkSummary(
        networks=networks,
        practices=practices,
        share_meeting=share,
        network_target=target,
        meeting=f"{met} of {networks.height}",
        meeting_help=("" if share is None else f"{share:.0%} of networks; {target_words}"),
        chart_networks=shown,
        chart_practices=practices.filter(pl.col("network_id").is_in(shown["network_id"].implode())),
        chart_order=order,
        subset_note=subset_note,
        caption=caption(POOLED_METHOD),
        spread_caption=caption("practice values"),
        singles_note=(
            "Networks of one practice have no spread: " + ", ".join(singles.head(10).to_list())
            if singles.len()
            else None
        ),
        table=network_averages_display(networks) if too_many else None,
    )


@dataclass(frozen=True)
class Incentives:
    """What each network earns at today's averages, as computed and as shown."""

    table: pl.DataFrame  # INCENTIVE_SCHEMA, most earned first
    indicator_ids: tuple[str, ...]  # the indicators with a network target that were counted
    shown: pl.DataFrame  # the table as shown (netcompare.views.format.incentives_display)
    at_risk_words: str  # what is at risk, over which indicators


def _meets(values: np.ndarray, target: float | None, polarity: Polarity) -> list[bool | None]:
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
) -> Incentives:
    """What each network earns at today's averages.

    Per network (:data:`INCENTIVE_SCHEMA`): contract_value, upfront (paid regardless),
    at_risk, targets (indicators with a network target and data), met, earned (upfront +
    at_risk × met / targets), lost.
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
            (pl.col("network_id") == options.network_id).alias("in_network"),
        )
        .with_columns((pl.col("contract_value") - pl.col("earned")).alias("lost"))
        .sort("earned", "network_name", descending=[True, False])
    )
    return Incentives(
        table=table,
        indicator_ids=tuple(ids),
        shown=incentives_display(table),
        at_risk_words=f"At risk: {1 - upfront_share:.0%}, over the indicators with a "
        f"network target in {package_words(care_package)}.",
    )
