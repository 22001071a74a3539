"""What the Peer notes page shows: who is doing significantly better than their peers on an
indicator, who improved most over the last 12 months, and the labels notes are shown with.

"Significantly better" is the verdict every page gives: outside the funnel plot's 95% (or
99.8%) limits on the good side, under the method and benchmark chosen for the funnel plot
(:func:`netcompare.views.compare.verdict`); the Fingertips comparison of each practice's Wilson
confidence intervals (METHODS.md §3) is shown beside it as the second method. "Most
improved" is the plain change in value over the last 12 months, turned so that a positive
number is an improvement for the indicator's polarity; it is a descriptive
ranking, not a significance test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.notes.note import Note
from netcompare.types import Benchmark, FunnelMethod, Polarity
from netcompare.views.common import (
    SMALL_N,
    ViewOptions,
    chart_caption,
    effective_counts,
    period_words,
    practice_labels,
)
from netcompare.views.compare import BENCHMARK_ALL, Comparison, compare_practices
from netcompare.views.format import (
    improved_display,
    judgement_words,
    standouts_display,
)
from netcompare.views.interventions import Intervention, interventions_from_notes
from netcompare.views.trends import trend_view

# The verdicts that mean "significantly better than the benchmark" (95% or 99.8%). The
# verdict has the indicator's polarity applied; a neutral indicator has no "better", so
# "higher" (significantly above) is used instead.
SIGNIFICANT_LABELS: dict[str, tuple[str, ...]] = {
    "high": ("best", "better"),
    "low": ("best", "better"),
    "neutral": ("much_higher", "higher"),
}

IMPROVEMENT_MONTHS = 12
TOP_IMPROVED = 5
MAX_PRACTICES_WITH_NOTES = 10  # standouts whose notes are listed under the tables

STANDOUT_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "value": pl.Float64(),
        "ci95_lower": pl.Float64(),
        "ci95_upper": pl.Float64(),
        "verdict": pl.String(),
        "comparison": pl.String(),
        "outlier95": pl.String(),
        "outlier998": pl.String(),
        "rank": pl.Int64(),
    }
)

IMPROVED_SCHEMA = pl.Schema(
    {
        "practice_id": pl.String(),
        "label": pl.String(),
        "network_id": pl.String(),
        "network_name": pl.String(),
        "in_network": pl.Boolean(),
        "baseline_period": pl.Date(),
        "baseline_value": pl.Float64(),
        "value": pl.Float64(),
        "change": pl.Float64(),
        "improvement": pl.Float64(),
        "numerator": pl.Int64(),
        "denominator": pl.Int64(),
        "small_n": pl.Boolean(),
    }
)


@dataclass(frozen=True)
class Standouts:
    """Practices significantly better than the benchmark, best first, and how that was judged."""

    # STANDOUT_SCHEMA, sorted by rank (polarity-aware); outlier95/outlier998 say whether the
    # practice is also outside the funnel limits ("high", "low" or "none")
    table: pl.DataFrame
    comparison: Comparison  # every practice, with the method and benchmark used
    polarity: Polarity
    caption: str  # indicator, period, benchmark, method, denominator, source, group
    shown: pl.DataFrame  # the table as shown (netcompare.views.format.standouts_display)
    none_found: str  # said instead of an empty table
    judgement: str  # what better / similar / worse mean here (and on every page)

    @property
    def heading(self) -> str:
        if self.polarity == "neutral":
            return "Significantly higher than the benchmark (neither direction is better)"
        return "Doing significantly better than the benchmark"

    @property
    def practice_ids(self) -> list[str]:
        return self.table.get_column("practice_id").to_list()


@dataclass(frozen=True)
class Improvers:
    """The practices that improved most over the last months, and how that was measured."""

    table: pl.DataFrame  # IMPROVED_SCHEMA, most improved first
    heading: str
    caption: str  # what "improved" means for this indicator, and the denominator
    shown: pl.DataFrame  # the table as shown (netcompare.views.format.improved_display)
    none_found: str | None  # said instead of the table when it is empty

    @property
    def practice_ids(self) -> list[str]:
        return self.table.get_column("practice_id").to_list()


def significantly_better(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    method: FunnelMethod = "arcsine-od",
    benchmark: Benchmark = BENCHMARK_ALL,
) -> Standouts:
    """Practices whose verdict is better: outside the funnel plot's 95% (or 99.8%) limits on
    the good side, for ``method`` around ``benchmark`` (the funnel plot's own judgement).

    Raises :class:`netcompare.errors.UserError` when fewer than two practices have data.
    """
    comparison = compare_practices(
        data,
        indicator_id,
        period,
        options,
        benchmark=benchmark,
        method=method,
        ranks=False,
    )
    indicator = data.indicator(indicator_id)
    polarity = indicator.polarity
    wanted = SIGNIFICANT_LABELS.get(polarity, SIGNIFICANT_LABELS["high"])
    table = (
        comparison.table.filter(pl.col("verdict").is_in(list(wanted)))
        .sort("rank", "practice_id")
        .select(list(STANDOUT_SCHEMA))
    )
    caption = (
        chart_caption(
            indicator.name,
            period,
            benchmark=comparison.benchmark_label,
            method=f"vs benchmark: funnel limits, {comparison.method_label}; second method: "
            "Wilson 95% and 99.8% intervals against the benchmark (Fingertips)",
            net_of_exceptions=options.net_of_exceptions,
            source=data.name,
            period_type=indicator.period_type,
        )
        + f" · Compared among {comparison.group_label}"
    )
    better = "higher" if polarity == "neutral" else "better"
    return Standouts(
        table=table,
        comparison=comparison,
        polarity=polarity,
        caption=caption,
        shown=standouts_display(table),
        none_found=f"No practice is significantly {better} than the benchmark in "
        f"{period_words(period, indicator.period_type)}: none is outside the funnel plot's 95% "
        "limits on that side.",
        judgement=judgement_words(comparison.method_label, comparison.benchmark_label),
    )


def months_before(period: dt.date, months: int) -> dt.date:
    """The date ``months`` calendar months before ``period`` (day clamped to the month end)."""
    total = period.year * 12 + period.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in (period.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def improvement_baseline(
    data: DataSet, indicator_id: str, period: dt.date, months: int = IMPROVEMENT_MONTHS
) -> list[dt.date]:
    """The periods a change over the last ``months`` months is measured from, oldest first:
    those on or after ``period`` minus ``months`` months and before ``period``."""
    start = months_before(period, months)
    return [p for p in data.periods(indicator_id) if start <= p < period]


def most_improved(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    months: int = IMPROVEMENT_MONTHS,
    top: int | None = TOP_IMPROVED,
) -> pl.DataFrame:
    """The practices that improved most over the last ``months`` months (polarity-aware).

    For each practice: its value at ``period`` minus its value at the start of the window — the
    period ``months`` months earlier or, if it has no data then, its earliest period within the
    window (for monthly data 12 months = 12 periods; for annual data, the previous year).
    ``improvement`` is that change for higher-is-better, minus it for lower-is-better, and its
    size for neutral indicators (biggest change first). Only practices that improved (a
    non-zero change for neutral) are kept; ``top`` None keeps them all. Columns:
    :data:`IMPROVED_SCHEMA`; ``small_n`` flags a denominator under 10 at either end.
    """
    window = improvement_baseline(data, indicator_id, period, months)
    if not window:
        return pl.DataFrame(schema=IMPROVED_SCHEMA)
    now = effective_counts(data.slice(indicator_id, period), options.net_of_exceptions).filter(
        pl.col("denominator") > 0
    )
    before = pl.concat([data.slice(indicator_id, p) for p in window], rechunk=False)
    baseline = (
        effective_counts(before, options.net_of_exceptions)
        .filter(pl.col("denominator") > 0)
        .sort("period")
        .group_by("practice_id", maintain_order=True)
        .first()
        .select(
            "practice_id",
            pl.col("period").alias("baseline_period"),
            pl.col("value").alias("baseline_value"),
            pl.col("denominator").alias("baseline_denominator"),
        )
    )
    polarity = data.indicator(indicator_id).polarity
    change = pl.col("value") - pl.col("baseline_value")
    if polarity == "low":
        improvement = -change
    elif polarity == "neutral":
        improvement = change.abs()
    else:
        improvement = change
    labels = practice_labels(data, options).with_columns(
        (pl.col("network_id") == options.network_id).alias("in_network")
    )
    table = (
        now.join(baseline, on="practice_id", how="inner")
        .join(labels, on="practice_id", how="inner")
        .with_columns(change.alias("change"))
        .with_columns(improvement.alias("improvement"))
        .filter(pl.col("improvement") > 0)
        .with_columns(
            ((pl.col("denominator") < SMALL_N) | (pl.col("baseline_denominator") < SMALL_N)).alias(
                "small_n"
            )
        )
        .sort(["improvement", "practice_id"], descending=[True, False])
        .select([pl.col(name).cast(dtype) for name, dtype in IMPROVED_SCHEMA.items()])
    )
    return table if top is None else table.head(top)


IMPROVEMENT_DIRECTION = {
    "high": "a rise is an improvement",
    "low": "a fall is an improvement (lower is better)",
    "neutral": "neither direction is better: the biggest changes",
}


def improvers_view(
    data: DataSet,
    indicator_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    months: int = IMPROVEMENT_MONTHS,
    top: int | None = TOP_IMPROVED,
) -> Improvers:
    """:func:`most_improved` with its heading, caption and the message when none improved."""
    table = most_improved(data, indicator_id, period, options, months=months, top=top)
    indicator = data.indicator(indicator_id)
    direction = IMPROVEMENT_DIRECTION[indicator.polarity]
    kind = indicator.period_type
    monthly = kind == "month"
    span = f"the {months} months" if monthly else "the last year"
    when = period_words(period, kind)
    caption = (
        (
            f"Change in value since the period {months} months earlier (or each practice's "
            f"earliest within those months); "
            if monthly
            else "Change in value since the year before; "
        )
        + f"{direction}. A description, not a significance test. Denominator: "
        + ("net of exceptions" if options.net_of_exceptions else "all patients")
    )
    none_found = None
    if not improvement_baseline(data, indicator_id, period, months):
        none_found = (
            f"No earlier period within {span} to {when} to compare with."
            if monthly
            else f"No earlier year than {when} to compare with."
        )
    elif table.height == 0:
        none_found = f"No practice improved over {span} to {when}."
    return Improvers(
        table=table,
        heading=(
            f"Most improved over the last {months} months"
            if monthly
            else "Most improved since the year before"
        ),
        caption=caption,
        shown=improved_display(table, kind),
        none_found=none_found,
    )


def practices_to_hear_from(standouts: Standouts | None, improvers: Improvers) -> list[str]:
    """Whose notes to list: the standouts first (best first, at most ten), then the most
    improved."""
    focus: list[str] = []
    if standouts is not None:
        focus += standouts.practice_ids[:MAX_PRACTICES_WITH_NOTES]
    focus += [p for p in improvers.practice_ids if p not in focus]
    return focus


def practice_label_map(data: DataSet, options: ViewOptions) -> dict[str, str]:
    """``{practice_id: label}`` as this viewer may see them (names, codes or letters)."""
    labels = practice_labels(data, options)
    return dict(labels.select("practice_id", "label").iter_rows())


def indicator_name_map(data: DataSet) -> dict[str, str]:
    """``{indicator_id: name}``."""
    return dict(data.indicators.select("indicator_id", "name").iter_rows())


def network_name_map(data: DataSet) -> dict[str, str]:
    """``{network_id: network_name}``, in name order."""
    networks = data.networks.sort("network_name", "network_id")
    return dict(networks.select("network_id", "network_name").iter_rows())


TEXT_HIDDEN = "Text hidden while practices are anonymised."


def without_free_text(interventions: Iterable[Intervention]) -> tuple[Intervention, ...]:
    """The interventions with nothing a person typed: labelled by kind and number ("Action
    1", "What we do 2"), no text, no author — for a screen with the practices anonymised (a
    note may name practices, staff or patients). Charts and verdict words then name them so."""
    return tuple(
        replace(
            intervention,
            label=f"{intervention.kind_label} {i}",
            text=TEXT_HIDDEN,
            author="author hidden",
        )
        for i, intervention in enumerate(interventions, start=1)
    )


@dataclass(frozen=True)
class WorkedHere:
    """A dated action or "what we do" note after which the series improved ("what works
    here"): the note, the practice judged (None: the network's average) and the verdict."""

    note: Note
    practice_id: str | None
    indicator_id: str
    indicator_name: str
    words: str  # the verdict in words ("Since the recall change in Mar 2025: …")


def what_works_here(
    data: DataSet,
    network_id: str,
    notes: Iterable[Note],
    options: ViewOptions,
    *,
    until: dt.date | None = None,
    hide_text: bool = False,
) -> list[WorkedHere]:
    """The interventions in ``network_id`` whose verdict is "improvement": each dated action
    or practice note of the network about an indicator of ``data``, judged as the Trends page
    judges it (:func:`netcompare.stats.intervention.did_it_work` on the practice's series —
    each practice an action concerns — or on the network's average for an action about the
    whole network), with the data up to ``until``. Newest change first.

    A note about no particular indicator is not judged here (the Trends page judges it on
    the indicator shown). ``hide_text``: the words name the change by its kind, not its first
    words (:func:`without_free_text`).
    """
    found: list[WorkedHere] = []
    indicators = set(data.indicators.get_column("indicator_id").to_list())
    in_network = options if options.network_id == network_id else None
    for note in notes:
        if (
            note.intervention is None
            or note.network_id != network_id
            or note.indicator_id not in indicators
        ):
            continue
        indicator = data.indicator(note.indicator_id)
        periods = [p for p in data.periods(note.indicator_id) if until is None or p <= until]
        interventions = interventions_from_notes([note], periods, indicator.period_type)
        if not interventions:
            continue
        if hide_text:
            interventions = list(without_free_text(interventions))
        for practice_id in note.concerns or (None,):
            if practice_id is None and in_network is None:
                continue  # the network's average needs the network chosen
            try:
                trend = trend_view(
                    data,
                    note.indicator_id,
                    options,
                    practice_id=practice_id,
                    until=until,
                    interventions=tuple(interventions),
                )
            except UserError:
                continue  # too few points to draw a trend: nothing to judge
            verdict = trend.verdicts[0] if trend.verdicts else None
            if verdict is not None and verdict.worked:
                found.append(
                    WorkedHere(
                        note=note,
                        practice_id=practice_id,
                        indicator_id=note.indicator_id,
                        indicator_name=indicator.name,
                        words=verdict.words,
                    )
                )
    found.sort(key=lambda w: w.note.intervention or dt.date.min, reverse=True)
    return found


def visible_notes(notes: Iterable[Note], data: DataSet, options: ViewOptions) -> list[Note]:
    """The notes this viewer may read (issue 16's access rules).

    Without sign-in (``options.own_networks`` None) every note. Signed in: a note about one
    of the viewer's own networks; a note of another network only when every practice it
    concerns is one the viewer sees named (so nothing about a practice that opted out of
    naming, and no network-wide note of another network, whose free text may name anyone).
    A viewer in no network reads no notes.
    """
    own = options.own_networks
    if own is None:
        return list(notes)
    if not own:
        return []
    named = set(practice_labels(data, options).filter(~pl.col("hidden")).get_column("practice_id"))
    return [
        n
        for n in notes
        if n.network_id in own or (n.concerns and all(p in named for p in n.concerns))
    ]
