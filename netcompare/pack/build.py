"""The meeting pack's content for one network and period, from the views the pages show.

Every number comes from a view (:mod:`netcompare.views`): the RAG overview, the networks and
incentive tables, the league table, the compare-practices bars, the funnel plot, the network's
SPC chart, the "doing better" and "most improved" lists. Nothing is recomputed here: the pack
only chooses, formats and (when anonymised) suppresses what those views return. The charts are
the app's own Altair charts (:mod:`netcompare.charts`), rendered by vl-convert.

Which indicators: those the caller names, else (the default) every indicator whose network
average is below its network target in the period, or whose network SPC chart shows a special
cause at its latest point (the Making Data Count variation icon is not "common cause").

Anonymised (``anonymise=True``): every practice is a letter ("Practice A", in practice code
order, as the app's anonymise switch shows them), practices that do not share their name
included, and the small-number rule of :mod:`netcompare.pack.suppress` is applied to every
table and chart. Notes, questions and the text of actions are left out of the anonymised pack:
a note's body or author may name a practice or a person, and no filter can be sure it does
not; the pack says so, and counts the network's actions by status instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import polars as pl

from netcompare.charts.common import RAG_SYMBOLS
from netcompare.charts.compare import compare_chart
from netcompare.charts.funnel import funnel_chart, funnel_summary
from netcompare.charts.icons import assurance_words, variation_words
from netcompare.charts.rag import rag_chart, rag_summary
from netcompare.charts.trends import spc_chart_spec, spc_summary
from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.notes.note import STATUS_LABELS, Note
from netcompare.pack.model import (
    BODY,
    CAPTION,
    LEAD,
    NOTE,
    NOTE_HEADER,
    SUBHEADING,
    WARNING,
    Block,
    Figure,
    MeetingPack,
    Paragraph,
    Section,
    Table,
)
from netcompare.pack.suppress import DEFAULT_RULE, SuppressionRule, count_text
from netcompare.types import Benchmark, FunnelMethod
from netcompare.views.common import (
    ALL,
    LABEL_LETTERS,
    ViewOptions,
    exceptions_words,
    network_name,
    practice_labels,
)
from netcompare.views.compare import BENCHMARK_ALL
from netcompare.views.compare_practices import SCOPE_ALL, SCOPE_NETWORK, compare_practices_view
from netcompare.views.format import (
    METHOD_LABELS,
    RECENT_TREND_WORDS,
    VERDICT_WORDS,
    period_label,
    rank_text,
)
from netcompare.views.funnel import funnel_view
from netcompare.views.interventions import Intervention, interventions_from_notes
from netcompare.views.league import league_table
from netcompare.views.networks import DEFAULT_UPFRONT, incentive_table, network_summary
from netcompare.views.notes import improvers_view, significantly_better
from netcompare.views.rag import ROW_PRACTICE, overview_view
from netcompare.views.trends import SPC_METHOD, TrendView, spc_rules, trend_view

# The charts' width in the pack (px): the PDF scales it to the page width, so text drawn at
# the app's sizes stays readable on A4 and on a projector.
CHART_WIDTH = 900
# The app's presentation-mode sizes (18 px labels): on A4 about 10 pt, and large on a screen.
LARGE = True
# Area practices drawn as bars: more, and only the network's own practices are drawn.
MAX_AREA_BARS = 40
MAX_STANDOUTS = 10
# Indicators a pack shows by default: about what one learning-set meeting can discuss.
MAX_DEFAULT_INDICATORS = 6
MAX_NOTES_PER_INDICATOR = 12
RUN_LENGTH = 7
TWO_IN_THREE = "mdc2023"
SUPPRESSED_STATUS = "suppressed"

ANON_NOTES_WORDS = (
    "Notes, questions and the text of actions are left out of this anonymised pack: a note's "
    "text or author may name a practice or a person, and no automatic check can be sure it "
    "does not. Ask the network lead for the named pack."
)


@dataclasses.dataclass(frozen=True)
class _Context:
    data: DataSet
    network_id: str
    network_name: str
    period: dt.date
    options: ViewOptions
    anonymise: bool
    rule: SuppressionRule
    method: FunnelMethod
    benchmark: Benchmark
    today: dt.date
    labels: dict[str, str]
    notes: tuple[Note, ...]
    notes_problem: str | None

    def label(self, practice_id: str | None) -> str:
        if practice_id is None:
            return f"{self.network_name} (the whole network)"
        return self.labels.get(practice_id, "a practice not in this data set")

    def suppressed(self, numerator: object, denominator: object) -> bool:
        return self.anonymise and self.rule.applies(numerator, denominator)  # type: ignore[arg-type]

    def counts(self, numerator: object, denominator: object) -> tuple[str, str]:
        if self.anonymise:
            return self.rule.counts_text(numerator, denominator)  # type: ignore[arg-type]
        return count_text(numerator), count_text(denominator)  # type: ignore[arg-type]


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "–"
    return f"{value * 100:.{digits}f}%"


def _ci(lower: float | None, upper: float | None) -> str:
    """A 95% interval in percent, as the league table page shows it: "91.2–96.0"."""
    if lower is None or upper is None:
        return "–"
    return f"{lower * 100:.1f}–{upper * 100:.1f}"


def _change(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{'+' if value >= 0 else ''}{value * 100:.1f}"


def _money(value: float) -> str:
    return f"£{value:,.0f}"


def _without_small(ctx: _Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """In an anonymised pack, ``frame`` without the rows the suppression rule hides (by their
    ``numerator`` and ``denominator``), and how many it left out; else ``frame`` as it is."""
    if not ctx.anonymise:
        return frame, 0
    keep = [not ctx.rule.applies(n, d) for n, d in frame.select("numerator", "denominator").rows()]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean)), keep.count(False)


def _left_out(n: int, what: str) -> Paragraph | None:
    if n == 0:
        return None
    return Paragraph(
        f"{n} practice{'s' if n != 1 else ''} left out of {what}: small numbers "
        "(suppressed by the rule on the cover).",
        CAPTION,
    )


def flagged_indicators(
    data: DataSet, network_id: str, period: dt.date, options: ViewOptions
) -> list[tuple[str, str]]:
    """Every indicator the default rule flags, most pressing first, each with why: network
    average below its network target (largest shortfall first), then a special cause of
    concern on the network's SPC chart (latest point), then any other special cause."""
    flagged = []
    for indicator_id in data.indicators.get_column("indicator_id").to_list():
        reasons, priority = _reasons(data, indicator_id, network_id, period, options)
        if reasons:
            flagged.append((priority, indicator_id, "; ".join(reasons)))
    flagged.sort(key=lambda f: f[0])
    return [(i, why) for _, i, why in flagged]


def default_indicators(
    data: DataSet, network_id: str, period: dt.date, options: ViewOptions
) -> list[tuple[str, str]]:
    """The indicators a pack shows by default: the first :data:`MAX_DEFAULT_INDICATORS` of
    :func:`flagged_indicators` (about what one meeting can discuss; pick others by hand)."""
    return flagged_indicators(data, network_id, period, options)[:MAX_DEFAULT_INDICATORS]


def _reasons(
    data: DataSet, indicator_id: str, network_id: str, period: dt.date, options: ViewOptions
) -> tuple[list[str], tuple[int, float]]:
    reasons: list[str] = []
    priority = (9, 0.0)
    indicator = data.indicator(indicator_id)
    if period not in data.periods(indicator_id):
        return [], priority
    summary = network_summary(data, indicator_id, period, options)
    mine = summary.networks.filter(pl.col("network_id") == network_id)
    if mine.height and mine.get_column("meets").item(0) is False:
        value = mine.get_column("value").item(0)
        target = indicator.network_target or 0.0
        reasons.append(f"network average {_pct(value)} below the network target {_pct(target, 0)}")
        priority = (0, -abs(target - value))
    try:
        trend = trend_view(
            data,
            indicator_id,
            options,
            practice_id=None,
            until=period,
            run_length=RUN_LENGTH,
            two_in_three=TWO_IN_THREE,
        )
    except UserError:
        return reasons, priority
    icon = trend.summary.variation_icon
    if icon != "common_cause":
        words = variation_words(icon)
        reasons.append(f"network SPC: {words[0].lower()}{words[1:]}")
        priority = min(priority, (1 if icon.startswith("concern") else 2, 0.0))
    return reasons, priority


def _check(data: DataSet, network_id: str, period: dt.date, indicators: Sequence[str] | None):
    known = data.networks.get_column("network_id").to_list()
    if network_id == ALL or network_id not in known:
        names = ", ".join(
            f"{i} ({n})"
            for i, n in data.networks.select("network_id", "network_name").head(12).rows()
        )
        raise UserError(
            f"unknown network {network_id!r} in {data.name}; networks: {names}"
            + (" …" if len(known) > 12 else "")
        )
    periods = data.periods()
    if period not in periods:
        shown = ", ".join(p.isoformat() for p in periods[-12:])
        raise UserError(
            f"no data for period {period.isoformat()} in {data.name}; periods with data: "
            f"{shown or 'none'}"
        )
    if indicators is not None:
        ids = data.indicators.get_column("indicator_id").to_list()
        unknown = [i for i in indicators if i not in ids]
        if unknown:
            raise UserError(
                f"unknown indicator{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(i) for i in unknown)} in {data.name}; indicators: "
                + ", ".join(ids[:30])
            )
        if not indicators:
            raise UserError("no indicator chosen for the pack")


def build_pack(
    data: DataSet,
    network_id: str,
    period: dt.date,
    options: ViewOptions,
    *,
    indicators: Sequence[str] | None = None,
    anonymise: bool = False,
    notes: Sequence[Note] = (),
    today: dt.date | None = None,
    notes_problem: str | None = None,
    method: FunnelMethod = "arcsine-od",
    benchmark: Benchmark = BENCHMARK_ALL,
    rule: SuppressionRule = DEFAULT_RULE,
) -> MeetingPack:
    """The meeting pack of ``network_id`` for ``period``: a plain value both renderers draw.

    ``options`` gives the denominator (all patients, or net of exceptions) and the labels;
    its network is replaced by ``network_id`` and, with ``anonymise``, its labels by letters.
    ``notes`` are the notes to show (the caller reads them from the store: the network's and
    those of practices elsewhere doing well); ``notes_problem`` is said instead when the store
    could not be read. Raises :class:`~netcompare.errors.UserError` for an unknown network,
    period or indicator.
    """
    _check(data, network_id, period, indicators)
    options = dataclasses.replace(
        options,
        network_id=network_id,
        labels=LABEL_LETTERS if anonymise else options.labels,
    )
    labels = practice_labels(data, options)
    ctx = _Context(
        data=data,
        network_id=network_id,
        network_name=network_name(data, network_id),
        period=period,
        options=options,
        anonymise=anonymise,
        rule=rule,
        method=method,
        benchmark=benchmark,
        today=today or dt.date.today(),
        labels=dict(labels.select("practice_id", "label").iter_rows()),
        notes=tuple(n for n in notes if not n.is_deleted),
        notes_problem=notes_problem,
    )
    also: list[tuple[str, str]] = []
    if indicators is None:
        flagged = flagged_indicators(data, network_id, period, options)
        picked, also = flagged[:MAX_DEFAULT_INDICATORS], flagged[MAX_DEFAULT_INDICATORS:]
        why = (
            "chosen by default: below the network target, or a special cause on the network's "
            f"SPC chart; at most {MAX_DEFAULT_INDICATORS}, most pressing first"
        )
    else:
        picked = [(i, "chosen for this meeting") for i in dict.fromkeys(indicators)]
        why = "chosen for this meeting"
    kinds = [data.indicator(i).period_type for i, _ in picked] or [
        data.indicator(data.indicators.get_column("indicator_id").item(0)).period_type
    ]
    when = period_label(period, max(set(kinds), key=kinds.count))
    sections = [
        _cover(ctx, picked, why, when, also),
        _overview(ctx),
        _network_position(ctx, [i for i, _ in picked]),
    ]
    for indicator_id, reason in picked:
        sections.append(_indicator_section(ctx, indicator_id, reason))
    sections.append(_questions(ctx))
    sections.append(_actions(ctx))
    withheld: tuple[str, ...] = ()
    if anonymise:
        withheld = tuple(data.practices.get_column("practice_name").drop_nulls().to_list())
    return MeetingPack(
        network_id=network_id,
        network_name=ctx.network_name,
        period=period,
        period_label=when,
        title=f"Meeting pack: {ctx.network_name}",
        subtitle=f"{when} · {data.name}" + (" · anonymised" if anonymise else ""),
        anonymised=anonymise,
        prepared=ctx.today,
        indicator_ids=tuple(i for i, _ in picked),
        sections=tuple(sections),
        footer=f"{ctx.network_name} · {when}" + (" · anonymised" if anonymise else ""),
        suppression_rule=f"{rule.name}: {rule.words}" if anonymise else None,
        withheld_names=withheld,
    )


# --- the cover ---------------------------------------------------------------------------


def _method_words(ctx: _Context) -> str:
    benchmark = {
        "all": "the pooled average of all practices",
        "network": "the network's pooled average",
        "target": "each indicator's target",
    }.get(ctx.benchmark, ctx.benchmark)
    return (
        f"Method. Each practice is compared with {benchmark} on a funnel plot with 95% and "
        f"99.8% control limits ({METHOD_LABELS[ctx.method]}); outside the limits on the good "
        "side is better, on the other side worse, inside similar: the same verdict on every "
        "page of netcompare. Ranks carry a 95% interval from 1,000 Beta-posterior draws. "
        f"Trends use a Making Data Count SPC chart ({SPC_METHOD['xmr']}; "
        f"{spc_rules(RUN_LENGTH, TWO_IN_THREE)}). Network averages are pooled (Σ numerator "
        f"/ Σ denominator). Denominator: {exceptions_words(ctx.options.net_of_exceptions)}: "
        + (
            "exceptions are not counted (excepted patients are left out)."
            if ctx.options.net_of_exceptions
            else "exceptions are counted, so excepting patients cannot raise a rate."
        )
    )


def _cover(
    ctx: _Context,
    picked: list[tuple[str, str]],
    why: str,
    when: str,
    also: list[tuple[str, str]],
) -> Section:
    data = ctx.data
    blocks: list[Block] = [
        Paragraph(f"{ctx.network_name} · {when}", LEAD),
        Paragraph(
            f"Data: {data.name}. Source: {data.source}. Licence: {data.licence or 'not stated'}.",
            BODY,
        ),
        Paragraph(f"Prepared {ctx.today:%d %B %Y} with netcompare.", CAPTION),
        Paragraph(_method_words(ctx), BODY),
    ]
    if ctx.anonymise:
        blocks += [
            Paragraph(
                "Anonymised pack: every practice is shown as a letter (Practice A, B, …, in "
                "practice code order), whether or not it shares its name.",
                WARNING,
            ),
            Paragraph(f"{ctx.rule.name}. {ctx.rule.words}", WARNING),
            Paragraph(ANON_NOTES_WORDS, WARNING),
        ]
    elif ctx.notes_problem:
        blocks.append(Paragraph(f"Notes unavailable: {ctx.notes_problem}", WARNING))
    blocks.append(Paragraph(f"Indicators in this pack ({why})", SUBHEADING))
    if picked:
        rows = tuple((data.indicator(i).name, reason) for i, reason in picked)
        blocks.append(Table(("Indicator", "Why it is here"), rows, widths=(2, 3)))
    else:
        blocks.append(
            Paragraph(
                "No indicator is below its network target or shows a special cause: choose "
                "indicators to look at in the app or with --indicators.",
                BODY,
            )
        )
    if also:
        blocks.append(
            Paragraph(
                f"Also flagged, left out to keep the pack to {MAX_DEFAULT_INDICATORS} "
                "indicators (pick them in the app or with --indicators): "
                + "; ".join(f"{data.indicator(i).name} ({reason})" for i, reason in also)
                + ".",
                CAPTION,
            )
        )
    return Section("Meeting pack", tuple(blocks), new_page=False, anchor="cover")


# --- the RAG overview ----------------------------------------------------------------------


def _overview(ctx: _Context) -> Section:
    overview = overview_view(
        ctx.data, ctx.period, ctx.options, method=ctx.method, benchmark=ctx.benchmark
    )
    grid = overview.grid
    blocks: list[Block] = []
    if overview.no_data:
        return Section(
            "Overview: the practices against each target",
            (Paragraph(overview.no_data, BODY),),
            anchor="overview",
        )
    legend = dict(overview.legend)
    hidden = 0
    if ctx.anonymise:
        small = pl.Series(
            [
                ctx.rule.applies(n, d)
                for n, d in grid.select("numerator", "denominator").iter_rows()
            ],
            dtype=pl.Boolean,
        )
        hidden = int(small.sum())
        grid = grid.with_columns(small.alias("_small")).with_columns(
            pl.when("_small").then(pl.lit(SUPPRESSED_STATUS)).otherwise("status").alias("status"),
            pl.when("_small").then(pl.lit(None)).otherwise("value").alias("value"),
            pl.when("_small")
            .then(pl.lit(ctx.rule.suppressed))
            .otherwise("value_text")
            .alias("value_text"),
            pl.when("_small").then(pl.lit("")).otherwise("symbol").alias("symbol"),
            pl.when("_small").then(pl.lit(None)).otherwise("rag").alias("rag"),
            pl.when("_small").then(pl.lit(None)).otherwise("numerator").alias("numerator"),
            pl.when("_small").then(pl.lit(None)).otherwise("denominator").alias("denominator"),
        )
        if hidden:
            legend[SUPPRESSED_STATUS] = f"{ctx.rule.suppressed} suppressed (small numbers)"
    chart = rag_chart(
        grid,
        overview.title,
        overview.caption,
        large=False,  # 16 columns or more: the app's laptop sizes fit A4's width
        legend_title=overview.legend_title,
        legend=legend,
    )
    blocks.append(Figure(chart, rag_summary(grid), width=0))
    if hidden:
        blocks.append(Paragraph(f"{hidden} cells suppressed (small numbers), shown as *.", CAPTION))
    if overview.judged_note:
        blocks.append(Paragraph(overview.judged_note, CAPTION))
    practices = grid.filter(pl.col("row_kind") == ROW_PRACTICE)
    if practices.height and overview.judged_by == "target":
        counts = practices.group_by("row_id", "row_label", maintain_order=True).agg(
            *((pl.col("rag") == c).sum().alias(c) for c in ("green", "amber", "red"))
        )
        blocks.append(Paragraph("Targets met per practice", SUBHEADING))
        blocks.append(
            Table(
                (
                    "Practice",
                    f"{RAG_SYMBOLS['green']} meets target",
                    f"{RAG_SYMBOLS['amber']} near target",
                    f"{RAG_SYMBOLS['red']} below target",
                ),
                tuple((label, str(g), str(a), str(r)) for _, label, g, a, r in counts.iter_rows()),
                widths=(3, 1.3, 1.3, 1.3),
                numeric_columns=(1, 2, 3),
                caption=(
                    "Indicators per practice (suppressed cells not counted)."
                    if hidden
                    else "Indicators per practice."
                ),
            )
        )
    return Section("Overview: the practices against each target", tuple(blocks), anchor="overview")


# --- network averages and incentives -------------------------------------------------------


def _network_position(ctx: _Context, picked: list[str]) -> Section:
    data = ctx.data
    rows = []
    bold = []
    for indicator_id in data.indicators.get_column("indicator_id").to_list():
        if ctx.period not in data.periods(indicator_id):
            continue
        indicator = data.indicator(indicator_id)
        summary = network_summary(data, indicator_id, ctx.period, ctx.options)
        mine = summary.networks.filter(pl.col("network_id") == ctx.network_id)
        if mine.height == 0:
            continue
        r = mine.row(0, named=True)
        if ctx.suppressed(r["numerator"], r["denominator"]):
            value, against = ctx.rule.suppressed, ctx.rule.suppressed
        else:
            value = _pct(r["value"])
            against = (
                "no network target"
                if r["meets"] is None
                else ("✔ meets it" if r["meets"] else "✖ below it")
            )
        if indicator_id in picked:
            bold.append(len(rows))
        rows.append(
            (
                indicator.name,
                value,
                _pct(indicator.network_target, 0) if indicator.network_target is not None else "–",
                against,
                summary.meeting if summary.network_target is not None else "–",
            )
        )
    blocks: list[Block] = [
        Paragraph(
            "Each network average is pooled over its practices (Σ numerator / Σ denominator). "
            "Indicators in this pack are in bold.",
            CAPTION,
        ),
        Table(
            ("Indicator", "Network average", "Network target", "Against it", "Networks meeting"),
            tuple(rows),
            widths=(3.2, 1.3, 1.2, 1.5, 1.3),
            numeric_columns=(1, 2),
            bold_rows=tuple(bold),
        ),
    ]
    incentives = incentive_table(data, ctx.period, ctx.options, upfront_share=DEFAULT_UPFRONT)
    blocks.append(Paragraph("Incentive position", SUBHEADING))
    if not incentives.indicator_ids:
        blocks.append(Paragraph("No indicator has a network target: nothing is at risk.", BODY))
    else:
        table = incentives.table
        mine = table.filter(pl.col("network_id") == ctx.network_id)
        position = table.get_column("network_id").to_list().index(ctx.network_id) + 1
        r = mine.row(0, named=True)
        blocks += [
            Paragraph(
                f"As in Tower Hamlets: {DEFAULT_UPFRONT:.0%} of a contract (here £100,000 per "
                f"network) is paid up front; {incentives.at_risk_words} At today's averages "
                f"{ctx.network_name} earns {_money(r['earned'])} ({r['met']} of {r['targets']} "
                f"network targets met), the {_ordinal(position)} most of {table.height} networks.",
                BODY,
            ),
            Table(
                (
                    "Targets met",
                    "Paid up front",
                    "At risk",
                    "Earned at today's averages",
                    "Not earned",
                ),
                (
                    (
                        f"{r['met']} of {r['targets']}",
                        _money(r["upfront"]),
                        _money(r["at_risk"]),
                        _money(r["earned"]),
                        _money(r["lost"]),
                    ),
                ),
                numeric_columns=(1, 2, 3, 4),
            ),
        ]
    return Section("Network averages, targets and incentives", tuple(blocks), anchor="network")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- one indicator ---------------------------------------------------------------------------


LEAGUE_COLUMNS = (
    "Rank (95% interval)",
    "Practice",
    "Numerator",
    "Denominator",
    "Value",
    "95% CI (%)",
    "RAG",
    "vs benchmark",
    "Change (pts)",
    "Recent trend",
)


def league_rows(ctx: _Context, table: pl.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The network's league table rows as the pack shows them (suppressed when anonymised)."""
    rows = []
    for r in table.iter_rows(named=True):
        numerator, denominator = ctx.counts(r["numerator"], r["denominator"])
        if ctx.suppressed(r["numerator"], r["denominator"]):
            s = ctx.rule.suppressed
            rows.append((s, r["label"], numerator, denominator, s, s, s, s, s, s))
            continue
        rows.append(
            (
                rank_text(r["rank"], r["rank_lower"], r["rank_upper"]),
                r["label"],
                numerator,
                denominator,
                _pct(r["value"]),
                _ci(r["ci95_lower"], r["ci95_upper"]),
                f"{RAG_SYMBOLS.get(r['rag'], '')} {r['rag']}".strip(),
                VERDICT_WORDS.get(r["verdict"] or "", ""),
                _change(r["change"]),
                RECENT_TREND_WORDS.get(r["recent_trend"], ""),
            )
        )
    return tuple(rows)


def _indicator_section(ctx: _Context, indicator_id: str, reason: str) -> Section:
    data = ctx.data
    indicator = data.indicator(indicator_id)
    when = period_label(ctx.period, indicator.period_type)
    blocks: list[Block] = [Paragraph(f"Why it is here: {reason}.", LEAD)]
    if ctx.period not in data.periods(indicator_id):
        blocks.append(Paragraph(f"No data for {indicator.name} in {when}.", BODY))
        return Section(indicator.name, tuple(blocks), anchor=f"ind-{indicator_id}")
    try:
        league = league_table(
            data,
            indicator_id,
            ctx.period,
            ctx.options,
            method=ctx.method,
            benchmark=ctx.benchmark,
        )
    except UserError as exc:
        blocks.append(Paragraph(f"No comparison for {when}: {exc}", BODY))
        return Section(indicator.name, tuple(blocks), anchor=f"ind-{indicator_id}")
    mine = league.table.filter(pl.col("network_id") == ctx.network_id)
    blocks += [
        Paragraph(f"League table: the practices of {ctx.network_name}", SUBHEADING),
        Table(
            LEAGUE_COLUMNS,
            league_rows(ctx, mine),
            widths=(19.5, 28.5, 19.5, 23, 13, 19, 13, 20, 14, 17),  # mm of A4's 186 (8 pt)
            count_columns=(2, 3),
            numeric_columns=(2, 3, 4, 5, 8),
            caption=f"{league.caption}. {league.judgement}",
        ),
    ]
    for note in league.comparison.notes:
        blocks.append(Paragraph(note, CAPTION))
    # who is doing well (and what they do) beside the table: the charts that follow each
    # take most of a page
    blocks += _doing_well(ctx, indicator_id)
    blocks += _bars(ctx, league, indicator_id)
    blocks += _funnel(ctx, indicator_id)
    blocks += _spc(ctx, indicator_id)
    return Section(indicator.name, tuple(blocks), anchor=f"ind-{indicator_id}")


def _bars(ctx: _Context, league, indicator_id: str) -> list[Block]:
    in_area = league.table.height
    scope = SCOPE_ALL if in_area <= MAX_AREA_BARS else SCOPE_NETWORK
    view = compare_practices_view(
        league, ctx.data, indicator_id, ctx.period, ctx.options, scope=scope
    )
    bars, left_out = _without_small(ctx, view.bars)
    if bars.height == 0:
        return [Paragraph("No practice to draw as a bar.", CAPTION)]
    chart = compare_chart(
        bars,
        view.title,
        view.caption,
        benchmark=view.benchmark,
        target=view.target,
        summary=view.summary,
        large=LARGE,
    )
    blocks: list[Block] = [
        Paragraph("Compare practices", SUBHEADING),
        Figure(chart, view.summary, width=CHART_WIDTH),
    ]
    if scope == SCOPE_NETWORK:
        blocks.append(
            Paragraph(
                f"{in_area:,} practices are ranked: the bars show {ctx.network_name}'s.",
                CAPTION,
            )
        )
    if (p := _left_out(left_out, "the bar chart")) is not None:
        blocks.append(p)
    return blocks


def _funnel(ctx: _Context, indicator_id: str) -> list[Block]:
    try:
        view = funnel_view(
            ctx.data,
            indicator_id,
            ctx.period,
            ctx.options,
            method=ctx.method,
            benchmark=ctx.benchmark,
        )
    except UserError as exc:
        return [Paragraph(f"No funnel plot: {exc}", CAPTION)]
    points, left_out = _without_small(ctx, view.points)
    summary = funnel_summary(points, view.benchmark)
    chart = funnel_chart(
        points,
        view.grid,
        view.benchmark,
        view.title,
        view.caption,
        large=LARGE,
        y_title=view.y_title,
    )
    blocks: list[Block] = [
        Paragraph("Funnel plot: every practice, the network's ringed", SUBHEADING),
        Figure(chart, summary, width=CHART_WIDTH),
        Paragraph(summary, CAPTION),
    ]
    if (p := _left_out(left_out, "the funnel plot (its limits use every practice)")) is not None:
        blocks.append(p)
    return blocks


def _interventions(
    ctx: _Context, indicator_id: str, practice_id: str | None, only: str | None = None
) -> list[Intervention]:
    """The dated changes drawn on a series' SPC chart, as the Trends page draws them
    (:meth:`NotesRepository.list_interventions`' rule, on the notes given): for the network,
    its network-wide actions; for a practice, the dated actions and practice notes concerning
    it; about this indicator or none. ``only``: that note alone. None in an anonymised pack:
    their labels are the notes' text."""
    if ctx.anonymise:
        return []

    def wanted(n: Note) -> bool:
        if n.intervention is None or n.indicator_id not in (indicator_id, None):
            return False
        if only is not None and n.note_uid != only:
            return False
        if practice_id is None:
            return n.is_action and n.network_id == ctx.network_id and not n.concerns
        return practice_id in n.concerns

    periods = [p for p in ctx.data.periods(indicator_id) if p <= ctx.period]
    kind = ctx.data.indicator(indicator_id).period_type
    return interventions_from_notes([n for n in ctx.notes if wanted(n)], periods, kind)


def _trend(
    ctx: _Context,
    indicator_id: str,
    practice_id: str | None,
    interventions: Sequence[Intervention] = (),
) -> TrendView:
    return trend_view(
        ctx.data,
        indicator_id,
        ctx.options,
        practice_id=practice_id,
        until=ctx.period,
        run_length=RUN_LENGTH,
        two_in_three=TWO_IN_THREE,
        interventions=tuple(interventions),
    )


def _spc(ctx: _Context, indicator_id: str) -> list[Block]:
    try:
        trend = _trend(ctx, indicator_id, None, _interventions(ctx, indicator_id, None))
    except UserError as exc:
        return [Paragraph(f"No SPC chart: {exc}", CAPTION)]
    spc = trend.spc
    left_out = 0
    if ctx.anonymise:
        subject = trend.lines.filter(pl.col("series") == trend.subject_label)
        small = [
            p
            for p, n, d in subject.select("period", "numerator", "denominator").rows()
            if ctx.rule.applies(n, d)
        ]
        left_out = len(small)
        if small:
            spc = spc.filter(~pl.col("date").is_in(small))
    chart = spc_chart_spec(
        spc,
        trend.target,
        trend.spc_title,
        trend.spc_caption,
        period_type=trend.period_type,
        subject=trend.subject_label,
        measure=trend.indicator_name,
        variation_icon=trend.summary.variation_icon,
        y_title=trend.y_title,
        large=LARGE,
        interventions=trend.interventions,
    )
    summary = spc_summary(
        spc,
        trend.subject_label,
        trend.indicator_name,
        variation_icon=trend.summary.variation_icon,
        period_type=trend.period_type,
    )
    blocks: list[Block] = [
        Paragraph(f"SPC: {ctx.network_name} over time", SUBHEADING),
        Figure(chart, summary, width=CHART_WIDTH),
        Paragraph(
            f"Variation: {variation_words(trend.summary.variation_icon)}. "
            f"Assurance: {assurance_words(trend.summary.assurance)}.",
            BODY,
        ),
        Paragraph(summary, CAPTION),
    ]
    for intervention, verdict in zip(trend.interventions, trend.verdicts, strict=True):
        blocks.append(Paragraph(f"Did it work? {verdict.words} ({intervention.kind_label}).", BODY))
    for warning in trend.summary.warnings:
        blocks.append(Paragraph(warning, CAPTION))
    if left_out:
        blocks.append(
            Paragraph(
                f"{left_out} period{'s' if left_out != 1 else ''} left out of the chart: small "
                "numbers (the limits use every period).",
                CAPTION,
            )
        )
    return blocks


def _doing_well(ctx: _Context, indicator_id: str) -> list[Block]:
    """Positive outliers and the most improved, with their notes on what they do."""
    data = ctx.data
    blocks: list[Block] = [Paragraph("Doing well: what are they doing?", SUBHEADING)]
    focus: list[str] = []
    try:
        standouts = significantly_better(
            data, indicator_id, ctx.period, ctx.options, method=ctx.method, benchmark=ctx.benchmark
        )
    except UserError:
        standouts = None
    if standouts is not None:
        table, left_out = _without_small(ctx, standouts.table)
        if table.height == 0:
            blocks.append(Paragraph(standouts.none_found, BODY))
        else:
            shown = table.head(MAX_STANDOUTS)
            focus += shown.get_column("practice_id").to_list()
            blocks.append(
                Table(
                    ("Practice", "Network", "Value", "95% CI (%)", "vs benchmark"),
                    tuple(
                        (
                            r["label"],
                            r["network_name"] or "",
                            _pct(r["value"]),
                            _ci(r["ci95_lower"], r["ci95_upper"]),
                            VERDICT_WORDS.get(r["verdict"] or "", ""),
                        )
                        for r in shown.iter_rows(named=True)
                    ),
                    widths=(2.6, 2.2, 1.1, 1.5, 2.4),
                    numeric_columns=(2, 3),
                    bold_rows=tuple(
                        i
                        for i, n in enumerate(shown.get_column("network_id"))
                        if n == ctx.network_id
                    ),
                    caption=standouts.heading
                    + (
                        f" (the first {MAX_STANDOUTS} of {table.height})"
                        if table.height > MAX_STANDOUTS
                        else ""
                    )
                    + ". Practices of this network in bold.",
                )
            )
        if (p := _left_out(left_out, "this list")) is not None:
            blocks.append(p)
    improvers = improvers_view(data, indicator_id, ctx.period, ctx.options)
    table = improvers.table
    left_out = 0
    if ctx.anonymise and table.height:
        keep = []
        for r in table.iter_rows(named=True):
            before = _counts_at(ctx, indicator_id, r["practice_id"], r["baseline_period"])
            keep.append(
                not ctx.rule.applies(r["numerator"], r["denominator"])
                and not ctx.rule.applies(*before)
            )
        left_out = keep.count(False)
        table = table.filter(pl.Series(keep, dtype=pl.Boolean))
    if improvers.none_found:
        blocks.append(Paragraph(improvers.none_found, BODY))
    elif table.height:
        kind = data.indicator(indicator_id).period_type
        focus += [p for p in table.get_column("practice_id").to_list() if p not in focus]
        blocks.append(
            Table(
                ("Practice", "Network", "From", "Then", "Now", "Change (pts)"),
                tuple(
                    (
                        r["label"],
                        r["network_name"] or "",
                        period_label(r["baseline_period"], kind),
                        _pct(r["baseline_value"]),
                        _pct(r["value"]),
                        _change(r["change"]),
                    )
                    for r in table.iter_rows(named=True)
                ),
                widths=(2.6, 2.2, 1.2, 1.0, 1.0, 1.2),
                numeric_columns=(3, 4, 5),
                bold_rows=tuple(
                    i for i, n in enumerate(table.get_column("network_id")) if n == ctx.network_id
                ),
                caption=f"{improvers.heading}. {improvers.caption}",
            )
        )
    if (p := _left_out(left_out, "the most improved")) is not None:
        blocks.append(p)
    if ctx.anonymise:
        return blocks
    blocks += _what_they_do(ctx, indicator_id, focus)
    return blocks


def _counts_at(
    ctx: _Context, indicator_id: str, practice_id: str, period: dt.date
) -> tuple[int | None, int | None]:
    rows = ctx.data.rows_of_practices([practice_id], [(indicator_id, period)])
    if rows.height == 0:
        return None, None
    den = rows.get_column("denominator").item(0)
    if ctx.options.net_of_exceptions:
        den -= rows.get_column("exceptions").fill_null(0).item(0)
    return rows.get_column("numerator").item(0), den


def _note_header(ctx: _Context, note: Note) -> str:
    parts = [
        note.kind_label,
        ctx.label(note.practice_id),
        note.author,
        f"{note.created_at:%d %b %Y}",
    ]
    if note.indicator_id:
        try:
            parts.append(ctx.data.indicator(note.indicator_id).name)
        except KeyError:
            parts.append(note.indicator_id)
    if note.intervention_date is not None:
        parts.append(f"started {note.intervention_date:%d %b %Y}")
    return " · ".join(p for p in parts if p)


def _what_they_do(ctx: _Context, indicator_id: str, focus: list[str]) -> list[Block]:
    if ctx.notes_problem:
        return [Paragraph(f"Notes unavailable: {ctx.notes_problem}", WARNING)]
    wanted = set(focus)
    found = [
        n
        for n in ctx.notes
        if n.kind == "practice_note"
        and n.practice_id in wanted
        and n.indicator_id in (indicator_id, None)
    ]
    found.sort(
        key=lambda n: (focus.index(n.practice_id or ""), n.indicator_id is None, n.created_at)
    )
    if not focus:
        return []
    blocks: list[Block] = [Paragraph("What they say they do", SUBHEADING)]
    if not found:
        blocks.append(
            Paragraph(
                "None of these practices has a note on what they do yet: ask them at the meeting.",
                BODY,
            )
        )
        return blocks
    for note in found[:MAX_NOTES_PER_INDICATOR]:
        blocks += [Paragraph(_note_header(ctx, note), NOTE_HEADER), Paragraph(note.body, NOTE)]
    if len(found) > MAX_NOTES_PER_INDICATOR:
        blocks.append(
            Paragraph(
                f"… and {len(found) - MAX_NOTES_PER_INDICATOR} more notes in netcompare.", CAPTION
            )
        )
    return blocks


def _did_it_work(ctx: _Context, action: Note) -> str:
    """The verdict of a started action on each series it concerns, in words."""
    if action.intervention is None:
        return "not started: nothing to judge yet"
    if action.indicator_id is None:
        return "about no one indicator: not judged"
    try:
        ctx.data.indicator(action.indicator_id)
    except KeyError:
        return "its indicator is not in this data set"
    words = []
    for practice_id in action.concerns or (None,):
        found = _interventions(ctx, action.indicator_id, practice_id, only=action.note_uid)
        if not found:
            words.append(f"{ctx.label(practice_id)}: started outside the data's periods")
            continue
        try:
            trend = _trend(ctx, action.indicator_id, practice_id, found)
        except UserError as exc:
            words.append(f"{ctx.label(practice_id)}: not judged ({exc})")
            continue
        verdict = trend.verdicts[0].words if trend.verdicts else "not judged"
        who = "" if practice_id is None and not action.concerns else f"{ctx.label(practice_id)}: "
        words.append(who + verdict)
    return "; ".join(words)


# --- questions and actions -------------------------------------------------------------------


def _mine(ctx: _Context, note: Note) -> bool:
    return note.network_id == ctx.network_id


def _questions(ctx: _Context) -> Section:
    heading = "Open questions"
    if ctx.anonymise:
        return Section(heading, (Paragraph(ANON_NOTES_WORDS, WARNING),), anchor="questions")
    if ctx.notes_problem:
        return Section(
            heading,
            (Paragraph(f"Notes unavailable: {ctx.notes_problem}", WARNING),),
            anchor="questions",
        )
    answered = {n.parent_uid for n in ctx.notes if n.kind == "answer" and n.parent_uid}
    open_questions = sorted(
        (
            n
            for n in ctx.notes
            if n.kind == "question" and _mine(ctx, n) and n.note_uid not in answered
        ),
        key=lambda n: n.created_at,
    )
    if not open_questions:
        return Section(
            heading,
            (Paragraph("No open question to the network's practices.", BODY),),
            anchor="questions",
        )
    blocks: list[Block] = [
        Paragraph(
            f"{len(open_questions)} question{'s' if len(open_questions) != 1 else ''} to the "
            f"practices of {ctx.network_name} with no answer yet.",
            BODY,
        )
    ]
    for note in open_questions:
        blocks += [Paragraph(_note_header(ctx, note), NOTE_HEADER), Paragraph(note.body, NOTE)]
    return Section(heading, tuple(blocks), anchor="questions")


STATUS_ORDER = {"open": 0, "done": 1, "dropped": 2}


def _status_words(ctx: _Context, note: Note) -> str:
    words = STATUS_LABELS.get(note.status or "open", note.status or "Open")
    if note.is_overdue(ctx.today):
        words += " — overdue"
    return words


def _actions(ctx: _Context) -> Section:
    heading = "Actions"
    actions = [n for n in ctx.notes if n.is_action and _mine(ctx, n)]
    actions.sort(
        key=lambda n: (
            STATUS_ORDER.get(n.status or "open", 3),
            n.due_date or dt.date.max,
            n.created_at,
        )
    )
    if ctx.notes_problem:
        return Section(
            heading,
            (Paragraph(f"Notes unavailable: {ctx.notes_problem}", WARNING),),
            anchor="actions",
            new_page=False,
        )
    if ctx.anonymise:
        counts = {s: 0 for s in STATUS_ORDER}
        overdue = 0
        for n in actions:
            counts[n.status or "open"] = counts.get(n.status or "open", 0) + 1
            overdue += n.is_overdue(ctx.today)
        words = ", ".join(f"{v} {STATUS_LABELS.get(k, k).lower()}" for k, v in counts.items())
        return Section(
            heading,
            (
                Paragraph(
                    f"{len(actions)} actions agreed by the network: {words}"
                    + (f" ({overdue} overdue)" if overdue else "")
                    + ".",
                    BODY,
                ),
                Paragraph(ANON_NOTES_WORDS, WARNING),
            ),
            anchor="actions",
            new_page=False,
        )
    if not actions:
        return Section(
            heading,
            (Paragraph("No action is recorded for this network yet.", BODY),),
            anchor="actions",
            new_page=False,
        )
    rows = []
    for n in actions:
        concerns = ", ".join(ctx.label(p) for p in n.concerns) or f"{ctx.network_name} (network)"
        indicator = ""
        if n.indicator_id:
            try:
                indicator = ctx.data.indicator(n.indicator_id).name
            except KeyError:
                indicator = n.indicator_id
        rows.append(
            (
                n.body,
                n.owner or "",
                f"{n.due_date:%d %b %Y}" if n.due_date else "–",
                _status_words(ctx, n),
                concerns + (f" · {indicator}" if indicator else ""),
                f"{n.intervention_date:%d %b %Y}" if n.intervention_date else "not started",
                _did_it_work(ctx, n),
            )
        )
    blocks: list[Block] = [
        Paragraph(
            f"{len(actions)} action{'s' if len(actions) != 1 else ''}: open ones first, "
            "by due date.",
            BODY,
        ),
        Table(
            ("Action", "Owner", "Due", "Status", "Concerns", "Started", "Did it work?"),
            tuple(rows),
            widths=(3.4, 1.5, 1.2, 1.2, 1.8, 1.2, 3.0),
            caption="Did it work? The Making Data Count rules on the points since the change "
            "started, against limits from the points before it (each practice concerned, or "
            "the network for a network-wide action), up to this period.",
        ),
    ]
    return Section(heading, tuple(blocks), anchor="actions", new_page=False)
