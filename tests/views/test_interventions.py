"""Interventions from notes (netcompare.views.interventions): aligned to the data's periods,
undated / deleted / out-of-range notes left out, short labels, hostile text kept literal; and
the trend view's interventions and "did it work?" verdicts on the sample data set."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from netcompare.data.builtin import builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.notes.note import Note
from netcompare.stats.intervention import did_it_work
from netcompare.text import BIDI_CONTROLS, strip_bidi
from netcompare.views.common import ViewOptions
from netcompare.views.interventions import (
    Intervention,
    align,
    interventions_from_notes,
    short_label,
    trend_verdicts,
)
from netcompare.views.trends import SPC_P, trend_view
from tests.hostile import HOSTILE, hostile

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, m, 1) for m in (1, 2, 3)]


def note(uid: str, **fields) -> Note:
    values = {
        "note_uid": uid,
        "practice_id": "P001",
        "network_id": "N1",
        "kind": "action",
        "body": "Recall change",
        "author": "Dr Lee",
        "created_at": WHEN,
        "updated_at": WHEN,
        "indicator_id": "IMM_MMR1",
        "owner": "Practice manager",
        "due_date": dt.date(2025, 6, 1),
        "status": "open",
        "practice_ids": ("P001",),
    }
    values.update(fields)
    if values["kind"] != "action":
        for key in ("owner", "due_date", "status"):
            values[key] = None
        values["practice_ids"] = ()
    return Note(**values)


def test_a_monthly_intervention_is_drawn_at_the_start_of_its_month():
    [i] = interventions_from_notes(
        [note("a", intervention_date=dt.date(2024, 3, 15))], MONTHS, "month"
    )
    assert i == Intervention(
        note_uid="a",
        date=dt.date(2024, 3, 1),
        label="Recall change",
        text="Recall change",
        kind_label="Action",
        author="Dr Lee",
        practice_id="P001",
        started=dt.date(2024, 3, 15),
    )
    first_day = interventions_from_notes(
        [note("b", intervention_date=dt.date(2024, 3, 1))], MONTHS, "month"
    )
    assert first_day[0].date == dt.date(2024, 3, 1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


FYS = [d("2020-04-01"), d("2021-04-01"), d("2022-04-01")]


@pytest.mark.parametrize(
    ("period_type", "periods", "when", "expected"),
    [
        # Financial years (April to March): January 2023 is in 2022-23.
        ("financial_year", FYS, d("2023-01-20"), d("2022-04-01")),
        ("financial_year", FYS, d("2021-03-31"), d("2020-04-01")),
        ("financial_year", FYS, d("2023-04-01"), None),  # after 2022-23
        ("financial_year", FYS, d("2020-03-31"), None),  # before 2020-21
        ("year", [d("2020-01-01"), d("2021-01-01")], d("2021-12-31"), d("2021-01-01")),
        ("quarter", [d("2024-01-01"), d("2024-04-01")], d("2024-03-31"), d("2024-01-01")),
        ("quarter", [d("2024-01-01"), d("2024-04-01")], d("2024-07-01"), None),
        # In a gap between the data's periods: the next period there is.
        ("month", [d("2024-01-01"), d("2024-04-01")], d("2024-02-10"), d("2024-04-01")),
    ],
)
def test_alignment_by_period_type(period_type, periods, when, expected):
    assert align(when, periods, period_type) == expected
    got = interventions_from_notes([note("a", intervention_date=when)], periods, period_type)
    assert [i.date for i in got] == ([expected] if expected else [])


def test_undated_deleted_out_of_range_and_other_kinds_are_left_out():
    deleted = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    notes = [
        note("undated"),
        note("deleted", intervention_date=dt.date(2024, 5, 2), deleted_at=deleted),
        note("before", intervention_date=dt.date(2023, 12, 31)),
        note("after", intervention_date=dt.date(2025, 4, 1)),  # the day after March 2025
        note("question", kind="question", intervention_date=dt.date(2024, 5, 2)),
        note("kept-last", intervention_date=dt.date(2025, 3, 31)),
        note("kept-first", intervention_date=dt.date(2024, 1, 1)),
        note("practice-note", kind="practice_note", intervention_date=dt.date(2024, 6, 9)),
    ]
    got = interventions_from_notes(notes, MONTHS, "month")
    assert [i.note_uid for i in got] == ["kept-first", "practice-note", "kept-last"]
    assert [i.kind_label for i in got] == ["Action", "What we do", "Action"]
    assert got[-1].date == dt.date(2025, 3, 1)
    assert interventions_from_notes(notes, [], "month") == []
    # The same note twice is one intervention.
    twice = [note("a", intervention_date=dt.date(2024, 5, 2))] * 2
    assert len(interventions_from_notes(twice, MONTHS, "month")) == 1


def test_network_wide_actions_keep_no_practice():
    [i] = interventions_from_notes(
        [note("n", practice_id=None, practice_ids=(), intervention_date=dt.date(2024, 5, 2))],
        MONTHS,
        "month",
    )
    assert i.practice_id is None


def test_labels_are_the_first_words_of_the_first_line_cut_with_an_ellipsis():
    assert short_label("Recall change") == "Recall change"
    assert short_label("Recall change\nWe now phone every family twice.") == "Recall change"
    assert short_label("\n  \n  Texted   parents\n") == "Texted parents"
    long = "Phoned every family with a child overdue for MMR1, twice, in the evening"
    label = short_label(long)
    assert label == "Phoned every family with a…"
    assert len(label) <= 32 and label.endswith("…")
    assert short_label("x" * 40) == "x" * 31 + "…"
    assert short_label("a" * 32) == "a" * 32  # exactly 32 characters: not cut
    assert short_label("Recall: phoned every family, then texted, then wrote") == (
        "Recall: phoned every family…"
    )
    assert short_label("") == ""
    # An empty body falls back to the kind's name.
    [i] = interventions_from_notes(
        [note("e", body="  ", intervention_date=dt.date(2024, 5, 2))], MONTHS, "month"
    )
    assert i.label == "Action"


@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_hostile_text_is_kept_literal(n: int):
    text = hostile(n)
    body = f"{text} and then a good deal more, to be cut\nsecond line {text}"
    [i] = interventions_from_notes(
        [note("h", body=body, author=text, intervention_date=dt.date(2024, 5, 2))],
        MONTHS,
        "month",
    )
    assert i.text == strip_bidi(body)  # the whole text as typed: no escaping, no HTML
    assert i.author == strip_bidi(text)
    assert not set(i.label + i.text + i.author) & set(BIDI_CONTROLS)
    assert len(i.label) <= 32 and i.label.endswith("…")
    first = " ".join(strip_bidi(body).splitlines()[0].split())
    assert first.startswith(i.label.removesuffix("…"))


def test_bidi_controls_are_removed_from_label_text_and_author():
    [i] = interventions_from_notes(
        [
            note(
                "b",
                body="\u202eegnahc llaceR",
                author="Dr \u2067Lee",
                intervention_date=dt.date(2024, 5, 2),
            )
        ],
        MONTHS,
        "month",
    )
    assert (i.label, i.text, i.author) == ("egnahc llaceR", "egnahc llaceR", "Dr Lee")


# --- the trend view ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> DataSet:
    return load_dataset(builtin_path("sample"))


MMR1 = "IMM_MMR1"


def sample_interventions(sample: DataSet) -> list[Intervention]:
    periods = sample.periods(MMR1)
    notes = [
        note("late", body="Recall change", intervention_date=periods[20] + dt.timedelta(days=9)),
        note("early", body="Texted parents", intervention_date=periods[3]),
        note("outside", body="Not shown", intervention_date=periods[-1] + dt.timedelta(days=40)),
    ]
    return interventions_from_notes(notes, periods, "month")


def test_trend_view_without_interventions_is_as_before(sample: DataSet):
    trend = trend_view(sample, MMR1, ViewOptions("N1"), practice_id="P001")
    assert trend.interventions == () and trend.verdicts == ()


def test_trend_view_passes_interventions_through_with_their_verdicts(sample: DataSet):
    periods = sample.periods(MMR1)
    shown = sample_interventions(sample)
    assert [i.note_uid for i in shown] == ["early", "late"]
    plain = trend_view(sample, MMR1, ViewOptions("N1"), practice_id="P001")
    trend = trend_view(
        sample, MMR1, ViewOptions("N1"), practice_id="P001", interventions=tuple(shown)
    )
    assert trend.interventions == tuple(shown)
    assert len(trend.verdicts) == 2
    early, late = trend.verdicts
    assert early.verdict == "too_few_before" and early.n_before == 3
    assert early.words == (
        f"Since “Texted parents” in {periods[3]:%b %Y}: too few points before the change to "
        "judge (3; at least 12 needed)"
    )
    assert late.n_before == 20 and late.n_after == len(periods) - 20
    assert late.start == periods[20]
    assert late.words.startswith(f"Since “Recall change” in {periods[20]:%b %Y}: ")
    # The verdict is did_it_work on the SPC chart's own series, chart kind and rules.
    expected = did_it_work(
        trend.spc.select("date", "value"),
        periods[20],
        name="“Recall change”",
        improvement=trend.improvement,
    )
    assert late == expected
    assert trend_verdicts(trend) == trend.verdicts
    # Nothing else about the view changes; the downloads are the same frames.
    assert trend.lines_shown.equals(plain.lines_shown)
    assert trend.spc_shown.equals(plain.spc_shown)
    assert trend.caption == plain.caption and trend.spc_caption == plain.spc_caption


def test_interventions_outside_the_shown_periods_are_dropped(sample: DataSet):
    periods = sample.periods(MMR1)
    shown = sample_interventions(sample)
    until = periods[15]
    trend = trend_view(
        sample,
        MMR1,
        ViewOptions("N1"),
        practice_id="P001",
        until=until,
        interventions=tuple(shown),
    )
    assert [i.note_uid for i in trend.interventions] == ["early"]
    assert len(trend.verdicts) == 1


def test_verdicts_use_the_unrebased_series_and_the_p_chart_when_shown(sample: DataSet):
    periods = sample.periods(MMR1)
    shown = tuple(sample_interventions(sample))
    rebased = trend_view(
        sample,
        MMR1,
        ViewOptions("N1"),
        practice_id="P001",
        rebase=(periods[20],),
        interventions=shown,
    )
    plain = trend_view(sample, MMR1, ViewOptions("N1"), practice_id="P001", interventions=shown)
    assert rebased.verdicts == plain.verdicts  # the rebased limits are not what is judged
    p = trend_view(
        sample,
        MMR1,
        ViewOptions("N1"),
        practice_id=None,
        chart=SPC_P,
        interventions=shown,
    )
    late = p.verdicts[1]
    assert late.chart == "p" and late.lpl is None
    counts = p.spc.select("date", "numerator", "denominator")
    assert late == did_it_work(
        counts, periods[20], name="“Recall change”", chart="p", improvement=p.improvement
    )
    assert isinstance(p.spc, pl.DataFrame)
