"""Compare two indicators across practices: each practice's value on one against the other
(e.g. retinal screening against care plans), the chosen network highlighted, and how
strongly the two go together.

Correlation: Pearson's r (linear) and Spearman's ρ (rank), each with its two-sided p-value,
from SciPy (``scipy.stats.pearsonr`` and ``scipy.stats.spearmanr``, SciPy 1.17 reference
documentation), over the practices with a value on both indicators.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl
from scipy import stats

from netcompare.data.dataset import DataSet
from netcompare.views.common import (
    ALL,
    PracticeRef,
    ViewOptions,
    effective_counts,
    exceptions_words,
    network_name,
    period_words,
)
from netcompare.views.compare import BENCHMARK_AREA, comparison_group
from netcompare.views.format import YOURS

MIN_PRACTICES = 3  # fewer practices with both values: no correlation is stated

POINTS_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "x_numerator": pl.Int64(),
        "x_denominator": pl.Int64(),
        "x_value": pl.Float64(),
        "y_numerator": pl.Int64(),
        "y_denominator": pl.Int64(),
        "y_value": pl.Float64(),
    }
)


@dataclass(frozen=True)
class Correlation:
    n: int
    pearson: float | None
    pearson_p: float | None
    spearman: float | None
    spearman_p: float | None


@dataclass(frozen=True)
class ScatterPick:
    practice: PracticeRef
    words: str


@dataclass(frozen=True)
class ScatterView:
    points: pl.DataFrame  # POINTS_SCHEMA: practices with a value on both indicators
    correlation: Correlation
    correlation_words: str
    x_period: dt.date | None
    y_period: dt.date | None
    x_title: str
    y_title: str
    title: str
    caption: str
    summary: str
    no_data: str | None  # said instead of a chart

    @property
    def data_shown(self) -> pl.DataFrame:
        """The points as drawn, in percent: the chart's data to download."""
        return self.points.sort("label").select(
            pl.when(pl.col("in_network")).then(pl.lit(YOURS)).otherwise(pl.lit("")).alias("Yours"),
            pl.col("label").alias("Practice"),
            pl.col("network_name").alias("Network"),
            pl.col("x_numerator").alias("X numerator"),
            pl.col("x_denominator").alias("X denominator"),
            (pl.col("x_value") * 100).round(2).alias(f"X: {self.x_title}"),
            pl.col("y_numerator").alias("Y numerator"),
            pl.col("y_denominator").alias("Y denominator"),
            (pl.col("y_value") * 100).round(2).alias(f"Y: {self.y_title}"),
        )

    def pick(self, practice_id: str | None) -> ScatterPick | None:
        if practice_id is None:
            return None
        row = self.points.filter(pl.col("practice_id") == practice_id)
        if row.height == 0:
            return None
        r = row.row(0, named=True)
        words = (
            f"{self.x_title.removesuffix(' (%)')}: {r['x_value']:.1%} ({r['x_numerator']:,} of "
            f"{r['x_denominator']:,}); {self.y_title.removesuffix(' (%)')}: {r['y_value']:.1%} "
            f"({r['y_numerator']:,} of {r['y_denominator']:,})."
        )
        return ScatterPick(PracticeRef(practice_id, r["label"], r["network_id"]), words)


def default_pair(data: DataSet, care_package: str) -> tuple[str, str]:
    """Two different indicators to start with: the first two of the care package (the
    package's first and the data set's next other one when it has only one)."""
    ids = data.indicators.get_column("indicator_id").to_list()
    mine = (
        data.indicators.filter(pl.col("care_package") == care_package)
        .get_column("indicator_id")
        .to_list()
        if care_package != ALL
        else ids
    )
    first = mine[0] if mine else ids[0]
    second = next((i for i in mine if i != first), None) or next(i for i in ids if i != first)
    return first, second


def period_for(data: DataSet, indicator_id: str, period: dt.date | None) -> dt.date | None:
    """The indicator's latest period up to ``period`` (its first one if it starts later)."""
    periods = data.periods(indicator_id)
    if not periods:
        return None
    if period is None:
        return periods[-1]
    earlier = [p for p in periods if p <= period]
    return earlier[-1] if earlier else periods[0]


def correlation(x: list[float], y: list[float]) -> Correlation:
    """Pearson's r and Spearman's ρ with their p-values (SciPy); None where undefined (fewer
    than :data:`MIN_PRACTICES` practices, or a constant variable)."""
    n = len(x)
    if n < MIN_PRACTICES or len(set(x)) < 2 or len(set(y)) < 2:
        return Correlation(n, None, None, None, None)
    pearson = stats.pearsonr(x, y)
    spearman = stats.spearmanr(x, y)

    def finite(v: float) -> float | None:
        v = float(v)
        return v if math.isfinite(v) else None

    return Correlation(
        n,
        finite(pearson.statistic),
        finite(pearson.pvalue),
        finite(spearman.statistic),
        finite(spearman.pvalue),
    )


def strength_words(r: float) -> str:
    """How strong a correlation reads (the usual rough bands: < 0.1 none, < 0.3 weak,
    < 0.5 moderate, else strong)."""
    a = abs(r)
    if a < 0.1:
        return "no"
    kind = "weak" if a < 0.3 else "moderate" if a < 0.5 else "strong"
    return f"a {kind} {'positive' if r > 0 else 'negative'}"


def p_words(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def correlation_text(c: Correlation, group: str) -> str:
    """The correlation in words, with n."""
    if c.pearson is None or c.spearman is None:
        return (
            f"No correlation stated: {c.n} practice(s) in {group} have a value on both "
            f"indicators (at least {MIN_PRACTICES} needed, and neither may be constant)."
        )
    return (
        f"Over the {c.n} practices in {group} with a value on both indicators: "
        f"Pearson's r = {c.pearson:.2f} ({p_words(c.pearson_p)}), Spearman's ρ = "
        f"{c.spearman:.2f} ({p_words(c.spearman_p)}): {strength_words(c.spearman)} "
        "association by rank. Correlation across practices says nothing of cause "
        "(SciPy pearsonr and spearmanr, two-sided)."
    )


def _values(
    data: DataSet, indicator_id: str, period: dt.date | None, options: ViewOptions, prefix: str
) -> pl.DataFrame:
    schema = {
        "practice_id": pl.String,
        f"{prefix}_numerator": pl.Int64,
        f"{prefix}_denominator": pl.Int64,
        f"{prefix}_value": pl.Float64,
    }
    if period is None:
        return pl.DataFrame(schema=schema)
    values = effective_counts(data.slice(indicator_id, period), options.net_of_exceptions)
    return (
        values.filter(pl.col("value").is_not_null())
        .select(
            "practice_id",
            pl.col("numerator").alias(f"{prefix}_numerator"),
            pl.col("denominator").alias(f"{prefix}_denominator"),
            pl.col("value").alias(f"{prefix}_value"),
        )
        .cast(schema)
    )


def scatter_view(
    data: DataSet,
    x_indicator: str,
    y_indicator: str,
    period: dt.date | None,
    options: ViewOptions,
) -> ScatterView:
    """Each practice of the chosen network's area (every practice if none) with a value on
    both indicators in their latest period up to ``period``; the correlation over them."""
    x_ind, y_ind = data.indicator(x_indicator), data.indicator(y_indicator)
    x_period = period_for(data, x_indicator, period)
    y_period = period_for(data, y_indicator, period)
    group = comparison_group(data, options, BENCHMARK_AREA)
    points = (
        group.join(_values(data, x_indicator, x_period, options, "x"), on="practice_id")
        .join(_values(data, y_indicator, y_period, options, "y"), on="practice_id")
        .sort("practice_id")
        .select(list(POINTS_SCHEMA))
        .cast(dict(POINTS_SCHEMA))
    )
    areas = data.networks.filter(pl.col("network_id").is_in(group["network_id"].implode()))
    area_names = (
        areas.get_column("parent_area").drop_nulls().unique().to_list()
        if "parent_area" in areas.columns
        else []
    )
    group_words = (
        area_names[0]
        if options.network_id != ALL
        and len(area_names) == 1
        and group.height < data.practices.height
        else data.name
    )
    c = correlation(points["x_value"].to_list(), points["y_value"].to_list())
    x_when = period_words(x_period, x_ind.period_type)
    y_when = period_words(y_period, y_ind.period_type)
    network = network_name(data, options.network_id) if options.network_id != ALL else None
    title = f"{y_ind.name} against {x_ind.name}: {points.height} practices"
    caption = (
        f"X: {x_ind.name} ({x_when}) · Y: {y_ind.name} ({y_when}) · Practices in {group_words}"
        " with a value on both · Benchmark: none (each point is one practice's own values)"
        " · Method: Pearson's r and Spearman's ρ over those practices (SciPy)"
        f" · Denominator: {exceptions_words(options.net_of_exceptions)}"
        f" · Source: {data.name}"
        + (f" · Coloured and ringed: practices of {network}; grey: the others" if network else "")
    )
    corr_short = (
        f"Pearson's r = {c.pearson:.2f}, Spearman's ρ = {c.spearman:.2f}, n = {c.n}"
        if c.pearson is not None and c.spearman is not None
        else f"no correlation stated (n = {c.n})"
    )
    caption += f" · {corr_short}"
    summary = (
        f"Scatter plot of {points.height} practices, {y_ind.name} against {x_ind.name}"
        + (
            f", {points.filter(pl.col('in_network')).height} of them in {network}"
            if network
            else ""
        )
        + f": {corr_short}."
    )
    no_data = None
    if x_indicator == y_indicator:
        no_data = "Choose two different indicators to compare."
    elif points.height == 0:
        no_data = (
            f"No practice in {group_words} has a value on both {x_ind.name} ({x_when}) and "
            f"{y_ind.name} ({y_when})."
        )
    return ScatterView(
        points=points,
        correlation=c,
        correlation_words=correlation_text(c, group_words),
        x_period=x_period,
        y_period=y_period,
        x_title=f"{x_ind.name} (%)",
        y_title=f"{y_ind.name} (%)",
        title=title,
        caption=caption,
        summary=summary,
        no_data=no_data,
    )
