"""Interventions: dated actions and practice notes, as the trend and SPC charts draw them, and
their "did it work?" verdicts (:mod:`netcompare.stats.intervention`).

A note's ``intervention_date`` (when the change started: an action's or a "what we do"
practice note's, see :attr:`netcompare.notes.note.Note.intervention`) is aligned to the period
containing it: a change that started on 15 March 2025 is drawn at March 2025 on a monthly chart
(at 2024-25 on a financial-year one), and March's point is the first judged as "after". A date
in a gap between the data's periods goes to the next period there is. Notes without an
intervention date, deleted notes, and dates before the first or after the last period are left
out.

Everything here is plain text from the notes (bidirectional controls removed): the chart draws
it as Vega text, and a page passes it through ``netcompare.text.literal`` before any Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from netcompare.notes.note import Note
from netcompare.stats.intervention import ChartKind, Verdict, did_it_work
from netcompare.text import strip_bidi
from netcompare.types import Improvement, TwoInThreeRule

if TYPE_CHECKING:
    from netcompare.views.trends import TrendView

LABEL_LENGTH = 32  # a label's most characters, "…" included
ELLIPSIS = "…"

# How long one period of each period type is, in months.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12, "financial_year": 12}


@dataclass(frozen=True)
class Intervention:
    """One dated change, as a chart draws it and "did it work?" judges it."""

    note_uid: str
    date: dt.date  # the start of the period containing the note's intervention date
    label: str  # short (<= 32 characters): the note's first words, "Recall change"
    text: str  # the note's full text, for the hover
    kind_label: str  # "Action" / "What we do"
    author: str
    practice_id: str | None  # None: an action about the whole network
    started: dt.date | None = None  # the note's own intervention date (before alignment)

    @property
    def name(self) -> str:
        """How the verdict's words name it: the label in quotation marks."""
        return f"“{self.label}”"


def short_label(text: str, limit: int = LABEL_LENGTH) -> str:
    """The first words of the first non-blank line of ``text``, at most ``limit``
    characters; "…" ends a label that had to be cut (at a word boundary where there is one)."""
    lines = [line for line in strip_bidi(text).splitlines() if line.strip()]
    line = " ".join(lines[0].split()) if lines else ""
    if len(line) <= limit:
        return line
    room = limit - len(ELLIPSIS)
    cut = line[: room + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space > 0 else line[:room]
    head = re.sub(r"[\s,;:.\-–—]+$", "", head) or line[:room]
    return head + ELLIPSIS


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def period_end(period: dt.date, period_type: str) -> dt.date:
    """The first day after the period that starts on ``period``."""
    months = PERIOD_MONTHS.get(period_type, 1)
    end = _add_months(period.replace(day=1), months)
    return end if period.day == 1 else end + dt.timedelta(days=period.day - 1)


def align(when: dt.date, periods: Sequence[dt.date], period_type: str) -> dt.date | None:
    """The period (one of ``periods``) that a change starting on ``when`` is drawn at: the one
    containing it, or the next one when ``when`` falls in a gap; None before the first period
    or after the last."""
    ordered = sorted(set(periods))
    if not ordered or when < ordered[0]:
        return None
    i = bisect_right(ordered, when) - 1
    if when < period_end(ordered[i], period_type):
        return ordered[i]
    return ordered[i + 1] if i + 1 < len(ordered) else None


def interventions_from_notes(
    notes: Iterable[Note], periods: Sequence[dt.date], period_type: str
) -> list[Intervention]:
    """The notes' interventions, aligned to ``periods`` (see the module docstring), oldest
    first; a note given twice appears once."""
    out: dict[str, Intervention] = {}
    for note in notes:
        when = note.intervention
        if when is None or note.note_uid in out:
            continue
        date = align(when, periods, period_type)
        if date is None:
            continue
        body = strip_bidi(note.body)
        out[note.note_uid] = Intervention(
            note_uid=note.note_uid,
            date=date,
            label=short_label(body) or note.kind_label,
            text=body,
            kind_label=note.kind_label,
            author=strip_bidi(note.author),
            practice_id=note.practice_id,
            started=when,
        )
    return sorted(out.values(), key=lambda i: (i.started or i.date, i.date))


def verdicts(
    spc: pl.DataFrame,
    interventions: Sequence[Intervention],
    *,
    improvement: Improvement,
    period_type: str,
    run_length: int = 7,
    two_in_three: TwoInThreeRule = "mdc2023",
) -> tuple[Verdict, ...]:
    """ "Did it work?" for each intervention, on an SPC frame's points (its ``date`` and
    ``value``, or ``numerator`` and ``denominator`` for a p-chart: its kind is read from its
    columns). Only the points are used, never the frame's own (perhaps rebased) limits."""
    chart: ChartKind = "p" if {"numerator", "denominator"} <= set(spc.columns) else "xmr"
    points = spc.select("date", "numerator", "denominator") if chart == "p" else spc
    return tuple(
        did_it_work(
            points,
            intervention.date,
            name=intervention.name,
            chart=chart,
            improvement=improvement,
            period_type=period_type,
            run_length=run_length,
            two_in_three=two_in_three,
        )
        for intervention in interventions
    )


def trend_verdicts(trend: TrendView) -> tuple[Verdict, ...]:
    """The verdicts of a trend view's interventions, on its SPC chart's series and chart kind
    with its rules (what :attr:`TrendView.verdicts` holds)."""
    return verdicts(
        trend.spc,
        trend.interventions,
        improvement=trend.improvement,
        period_type=trend.period_type,
        run_length=trend.run_length,
        two_in_three=trend.two_in_three,
    )
