"""Trends: a practice (or network) month by month against its network and all practices,
and its statistical process control chart (Making Data Count XmR, or a p-chart)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.stats.spc import SpcSummary, p_chart, spc_chart
from netcompare.views.common import (
    ViewOptions,
    effective_counts,
    network_name,
    practice_labels,
)

SPC_XMR = "xmr"
SPC_P = "p"

IMPROVEMENT = {"high": "increase", "low": "decrease", "neutral": "neutral"}


@dataclass(frozen=True)
class TrendView:
    subject_label: str
    lines: pl.DataFrame  # period, series, value (subject, its network, all practices)
    spc: pl.DataFrame  # the SPC output columns (date, value, mean, lpl, upl, …, point_type)
    summary: SpcSummary
    improvement: str
    target: float | None


def indicator_history(
    data: DataSet, indicator_id: str, options: ViewOptions, until: dt.date | None = None
) -> pl.DataFrame:
    """Every practice's counts for one indicator over time (up to ``until``)."""
    periods = [p for p in data.periods(indicator_id) if until is None or p <= until]
    parts = [data.slice(indicator_id, p) for p in periods]
    if not parts:
        return effective_counts(data.values.clear(), options.net_of_exceptions)
    return effective_counts(pl.concat(parts, rechunk=False), options.net_of_exceptions)


def _shown(values: pl.DataFrame, options: ViewOptions) -> pl.DataFrame:
    """Counts as shown, only rows with patients left in the denominator."""
    return effective_counts(values, options.net_of_exceptions).filter(pl.col("denominator") > 0)


def _pooled(frame: pl.DataFrame, series: str) -> pl.DataFrame:
    return (
        frame.group_by("period")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(
            (pl.col("numerator") / pl.col("denominator")).alias("value"),
            pl.lit(series).alias("series"),
        )
    )


def trend_view(
    data: DataSet,
    indicator_id: str,
    options: ViewOptions,
    *,
    practice_id: str | None,
    until: dt.date | None = None,
    chart: str = SPC_XMR,
    rebase: Sequence[dt.date] = (),
    run_length: int = 7,
    two_in_three: str = "mdc2023",
) -> TrendView:
    """The subject's series (a practice, or the chosen network when ``practice_id`` is None).

    Raises :class:`netcompare.errors.UserError` (from the SPC engine) when the series has
    fewer than 2 points.
    """
    indicator = data.indicator(indicator_id)
    periods = [p for p in data.periods(indicator_id) if until is None or p <= until]
    parts = [part for part in (data.slice(indicator_id, p) for p in periods) if part.height]
    labels = practice_labels(data, options)
    keys = [(indicator_id, p) for p in periods]

    def network_rows(network: str | None) -> pl.DataFrame:
        members = labels.filter(pl.col("network_id") == network).get_column("practice_id")
        return data.rows_of_practices(members, keys)

    # Each series is filtered to its practices before any arithmetic.
    if practice_id is not None:
        label_row = labels.filter(pl.col("practice_id") == practice_id)
        subject_label = label_row.get_column("label").item(0) if label_row.height else practice_id
        network_id = label_row.get_column("network_id").item(0) if label_row.height else None
        subject = _pooled(
            _shown(data.rows_of_practices([practice_id], keys), options), subject_label
        )
    else:
        network_id = options.network_id
        subject_label = f"{network_name(data, network_id)} (network average)"
        subject = _pooled(_shown(network_rows(network_id), options), subject_label)
    frames = [subject]
    if practice_id is not None and network_id is not None:
        frames.append(
            _pooled(
                _shown(network_rows(network_id), options),
                f"{network_name(data, network_id)} (network average)",
            )
        )
    everyone = pl.concat(parts, rechunk=False) if parts else data.values.clear()
    frames.append(_pooled(_shown(everyone, options), "All practices"))
    lines = pl.concat(
        [f.select("period", "series", "value", "numerator", "denominator") for f in frames]
    ).sort("series", "period")

    subject = subject.sort("period")
    improvement = IMPROVEMENT.get(indicator["polarity"], "neutral")
    target = indicator["target"]
    if chart == SPC_P:
        spc, summary = p_chart(
            subject.select(pl.col("period").alias("date"), "numerator", "denominator"),
            improvement=improvement,
            target=target,
            rebase=list(rebase),
            run_length=run_length,
            two_in_three=two_in_three,
        )
    else:
        spc, summary = spc_chart(
            subject.select(pl.col("period").alias("date"), "value"),
            improvement=improvement,
            target=target,
            rebase=list(rebase),
            run_length=run_length,
            two_in_three=two_in_three,
        )
    return TrendView(
        subject_label=subject_label,
        lines=lines,
        spc=spc,
        summary=summary,
        improvement=improvement,
        target=target,
    )
