"""The sample notes (sample_data/notes.csv) show every part of the actions loop on the sample
data: actions open and overdue, open and not yet due, done and dropped; one about several
practices and one about a whole network; and dated practice notes after which the practice's
series clearly rises, shows no change, or has too few points before to judge.

"Clearly rises" and "no change" are judged as the trend charts' "did it work?" does: XmR limits
from the points before the intervention and the Making Data Count rules (NHS England, "Making
Data Count", 2019; as implemented in NHSRplotthedots, see :mod:`netcompare.stats.spc`) applied
to the points from the intervention's month on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netcompare.data.load import load_dataset
from netcompare.notes import Note, read_notes_csv
from netcompare.stats.spc import special_cause_type, xmr_limits

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LATEST = date(2026, 9, 30)  # the end of the sample's latest period, Sep 2026


@pytest.fixture(scope="module")
def notes() -> list[Note]:
    return read_notes_csv(SAMPLE / "notes.csv")


@pytest.fixture(scope="module")
def data():
    return load_dataset(SAMPLE)


def test_actions_of_every_status(notes):
    actions = [n for n in notes if n.is_action]
    assert all(a.owner and a.due_date and a.status for a in actions)
    overdue = [a for a in actions if a.is_overdue(LATEST)]
    assert overdue and all(a.status == "open" for a in overdue)
    assert any(a.status == "open" and not a.is_overdue(LATEST) for a in actions)
    assert any(a.status == "open" and not a.is_overdue(date(2026, 12, 31)) for a in actions)
    done = [a for a in actions if a.status == "done"]
    assert done and all(a.intervention_date is not None for a in done)
    assert any(a.status == "dropped" for a in actions)
    assert any(len(a.practice_ids) > 1 for a in actions)
    assert any(a.practice_id is None and a.practice_ids == () for a in actions)


def test_every_note_is_filed_under_its_practice_s_network(notes, data):
    network_of = dict(data.practices.select("practice_id", "network_id").iter_rows())
    for note in notes:
        for practice in note.concerns:
            assert network_of[practice] == note.network_id, (note.note_uid, practice)
        if note.intervention_date and note.indicator_id:
            assert note.indicator_id in set(data.indicators["indicator_id"])


def _verdict(data, note: Note) -> tuple[int, int, int, set[str]]:
    """Points before, points from the intervention on, how many of those are above the
    mean of the points before, and the special causes among them."""
    series = (
        data.values.filter(
            pl.col("practice_id") == note.practice_id,
            pl.col("indicator_id") == note.indicator_id,
        )
        .sort("period")
        .with_columns((pl.col("numerator") / pl.col("denominator")).alias("value"))
    )
    start = note.intervention_date.replace(day=1)
    before = series.filter(pl.col("period") < start)["value"].to_numpy()
    after = series.filter(pl.col("period") >= start)["value"].to_numpy()
    limits = xmr_limits(before)
    n = len(after)
    causes = special_cause_type(
        after,
        mean=np.full(n, limits.mean),
        lpl=np.full(n, limits.lpl),
        upl=np.full(n, limits.upl),
        near_lower=np.full(n, limits.near_lower),
        near_upper=np.full(n, limits.near_upper),
    )
    return len(before), n, int((after > limits.mean).sum()), set(causes) - {"none"}


def test_dated_practice_notes_show_a_rise_no_change_and_too_few_before(notes, data):
    dated = [n for n in notes if n.kind == "practice_note" and n.intervention_date]
    assert len(dated) >= 4
    assert all(n.intervention_date <= n.created_at.date() for n in dated)
    verdicts = {n.practice_id: _verdict(data, n) for n in dated}
    rises = [
        p
        for p, (before, after, above, causes) in verdicts.items()
        if before >= 12 and after >= 7 and above == after and "shift_above" in causes
    ]
    unchanged = [
        p
        for p, (before, after, above, causes) in verdicts.items()
        if before >= 12 and after >= 7 and not causes
    ]
    too_few = [p for p, (before, *_rest) in verdicts.items() if before < 12]
    assert rises and unchanged and too_few, verdicts
    assert "P003" in rises and "P021" in unchanged and "P035" in too_few
