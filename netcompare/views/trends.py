"""Trends: a practice (or network) period by period against its network and all practices,
and its statistical process control chart (Making Data Count XmR, or a p-chart).

Periods are labelled as the data has them (months, years or financial years: the
indicator's ``period_type``) in every title, caption and on the charts' axes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.stats.intervention import Verdict
from netcompare.stats.spc import SpcSummary, p_chart, spc_chart
from netcompare.types import Improvement, Polarity, TwoInThreeRule
from netcompare.views.common import (
    PracticeRef,
    ViewOptions,
    chart_caption,
    effective_counts,
    network_name,
    practice_labels,
)
from netcompare.views.format import PERIOD_TYPE_WORDS, period_label
from netcompare.views.interventions import Intervention, verdicts

SPC_XMR = "xmr"
SPC_P = "p"
SPC_CHARTS = (SPC_XMR, SPC_P)

IMPROVEMENT: dict[Polarity, Improvement] = {
    "high": "increase",
    "low": "decrease",
    "neutral": "neutral",
}
SPC_METHOD = {
    SPC_XMR: "XmR chart, limits mean ± 2.66 × average moving range "
    "(NHSRplotthedots / Making Data Count)",
    SPC_P: "p-chart, limits p̄ ± 3√(p̄(1−p̄)/n)",
}
# The two readings of the two-in-three rule (METHODS.md §6), as the CLI offers them.
TWO_IN_THREE_WORDS: dict[TwoInThreeRule, str] = {
    "mdc2023": "Making Data Count 2023: any point beyond 2σ counts (default)",
    "ptd": "NHSRplotthedots: only points between 2σ and 3σ count",
}
TWO_IN_THREE_RULES: dict[TwoInThreeRule, str] = {
    "mdc2023": "two of three beyond 2σ (Making Data Count 2023)",
    "ptd": "two of three between 2σ and 3σ (NHSRplotthedots)",
}


def spc_rules(run_length: int, two_in_three: TwoInThreeRule) -> str:
    """The rules an SPC chart applies, with the two-in-three reading named."""
    return (
        f"rules: outside limits, trend of {run_length}, {TWO_IN_THREE_RULES[two_in_three]}, "
        f"shift of {run_length}"
    )


LINES_SCHEMA = pl.Schema(
    {
        "period": pl.Date(),
        "series": pl.String(),
        "value": pl.Float64(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "period_label": pl.String(),
    }
)

SPC_SCHEMA = pl.Schema(  # the XmR chart (netcompare.stats.spc.spc_chart)
    {
        "date": pl.Date(),
        "value": pl.Float64(),
        "mean": pl.Float64(),
        "lpl": pl.Float64(),
        "upl": pl.Float64(),
        "near_lower": pl.Float64(),
        "near_upper": pl.Float64(),
        "special_cause": pl.String(),
        "point_type": pl.String(),
        "period_label": pl.String(),
    }
)
# the p-chart (netcompare.stats.spc.p_chart) also keeps each point's counts
P_CHART_SCHEMA = pl.Schema(
    {
        **{k: v for k, v in SPC_SCHEMA.items() if k != "period_label"},
        "numerator": pl.Float64(),
        "denominator": pl.Float64(),
        "period_label": pl.String(),
    }
)


@dataclass(frozen=True)
class TrendView:
    """The trends page: the subject's lines and its SPC chart, with their titles and words."""

    subject_label: str
    lines: pl.DataFrame  # LINES_SCHEMA: the subject, its network, all practices
    spc: pl.DataFrame  # SPC_SCHEMA (XmR) or P_CHART_SCHEMA (p-chart)
    summary: SpcSummary
    improvement: Improvement
    target: float | None
    title: str
    caption: str
    spc_title: str
    spc_caption: str
    practice: PracticeRef | None  # the subject, when it is a practice
    period_type: str = "month"  # how often the values come: month, year, financial_year
    two_in_three: TwoInThreeRule = "mdc2023"
    indicator_name: str = ""
    # Dated changes within the shown periods (oldest first), and "did it work?" for each, in
    # the same order: judged on the SPC chart's series and chart kind with limits from before
    # each change (never the rebased limits; netcompare.stats.intervention).
    interventions: tuple[Intervention, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    run_length: int = 7  # the shift and trend rules' run length the SPC chart applies

    @property
    def y_title(self) -> str:
        """The value axis, as the funnel plot's: "MMR1 by 24 months (%)"."""
        return f"{self.indicator_name} (%)" if self.indicator_name else "Value"

    @property
    def lines_shown(self) -> pl.DataFrame:
        """The trend chart's data, as it says it, to download."""
        return self.lines.sort("series", "period").select(
            pl.col("series").alias("Series"),
            pl.col("period_label").alias("Period"),
            pl.col("numerator").alias("Numerator"),
            pl.col("denominator").alias("Denominator"),
            (pl.col("value") * 100).round(2).alias("Value (%)"),
        )

    @property
    def spc_shown(self) -> pl.DataFrame:
        """The SPC chart's data (values, centre line, process limits, rules), to download."""
        counts = [c for c in ("numerator", "denominator") if c in self.spc.columns]
        return self.spc.sort("date").select(
            pl.col("period_label").alias("Period"),
            *(pl.col(c).alias(c.capitalize()) for c in counts),
            *(
                (pl.col(c) * 100).round(2).alias(name)
                for c, name in (
                    ("value", "Value (%)"),
                    ("mean", "Mean (%)"),
                    ("lpl", "Lower process limit (%)"),
                    ("upl", "Upper process limit (%)"),
                )
            ),
            pl.col("special_cause").alias("Rule"),
            pl.col("point_type").alias("Point type"),
        )


def rebase_periods(data: DataSet, indicator_id: str, until: dt.date) -> list[dt.date]:
    """The periods SPC limits may be restarted at: every period after the first, to ``until``."""
    return [p for p in data.periods(indicator_id) if p <= until][1:]


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
    rebase: tuple[dt.date, ...] = (),
    run_length: int = 7,
    two_in_three: TwoInThreeRule = "mdc2023",
    interventions: Sequence[Intervention] = (),
) -> TrendView:
    """The subject's series (a practice, or the chosen network when ``practice_id`` is None).

    ``interventions`` (from :func:`netcompare.views.interventions.interventions_from_notes`)
    within the shown periods are kept, each with its "did it work?" verdict.

    Raises :class:`netcompare.errors.UserError` when the series has fewer than 2 points,
    saying so plainly when the data set itself has only one period of the indicator.
    """
    if chart not in SPC_CHARTS:
        raise ValueError(f"unknown SPC chart {chart!r}: use one of {', '.join(SPC_CHARTS)}")
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
    kind = indicator.period_type

    def labelled(frame: pl.DataFrame, column: str) -> pl.DataFrame:
        return frame.with_columns(
            pl.col(column)
            .map_elements(lambda p: period_label(p, kind), return_dtype=pl.String)
            .alias("period_label")
        )

    lines = labelled(lines, "period")
    if subject.height < 2:
        every = PERIOD_TYPE_WORDS.get(kind, kind)
        if len(periods) < 2:
            have = (
                f"only one period ({period_label(periods[0], kind)})" if periods else "no periods"
            )
            raise UserError(
                f"this data set has {have} of {indicator.name} up to the chosen period: a trend "
                f"and an SPC chart need at least two {every} values."
            )
        raise UserError(
            f"{subject_label} has {subject.height} of the {len(periods)} periods with data: a "
            "trend and an SPC chart need at least two."
        )
    improvement = IMPROVEMENT.get(indicator.polarity, "neutral")
    target = indicator.target
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
    spc = labelled(spc, "date")
    period = until if until is not None else (periods[-1] if periods else None)

    def caption(benchmark: str, method: str) -> str:
        return chart_caption(
            indicator.name,
            period,
            benchmark=benchmark,
            method=method,
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=kind,
        )

    every = PERIOD_TYPE_WORDS.get(kind, kind)
    shown = tuple(i for i in interventions if periods and periods[0] <= i.date <= periods[-1])
    return TrendView(
        subject_label=subject_label,
        lines=lines,
        spc=spc,
        summary=summary,
        improvement=improvement,
        target=target,
        title=f"{subject_label}: {indicator.name}",
        caption=caption(
            f"{network_name(data, options.network_id)} and all practices (pooled averages)",
            f"{every} values",
        ),
        spc_title=f"SPC: {subject_label}",
        spc_caption=caption(
            "the series' own mean" + (f"; target {target:.0%}" if target else ""),
            f"{SPC_METHOD[chart]}; {every} values; improvement = {improvement}; "
            f"{spc_rules(run_length, two_in_three)}",
        ),
        practice=(
            None if practice_id is None else PracticeRef(practice_id, subject_label, network_id)
        ),
        period_type=kind,
        two_in_three=two_in_three,
        indicator_name=indicator.name,
        interventions=shown,
        verdicts=verdicts(
            spc,
            shown,
            improvement=improvement,
            period_type=kind,
            run_length=run_length,
            two_in_three=two_in_three,
        ),
        run_length=run_length,
    )
