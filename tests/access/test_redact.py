"""A data set redacted for a viewer: hidden practices keep no code and no name anywhere."""

from __future__ import annotations

import polars as pl

from netcompare.access.redact import redact_for
from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions, practice_labels
from tests.app.apptest_reading import SAMPLE


def test_hidden_practices_lose_code_and_name_letters_stay() -> None:
    data = load_dataset(str(SAMPLE))
    full = practice_labels(data, ViewOptions(labels="letters")).select("practice_id", "label")
    letter_of = dict(full.iter_rows())
    for own in (frozenset({"N1"}), frozenset()):
        red = redact_for(data, own)
        hidden = (
            data.practices.filter(~pl.col("network_id").is_in(sorted(own)))
            if not own
            else data.practices.filter(
                ~pl.col("share_name") & ~pl.col("network_id").is_in(sorted(own))
            )
        )
        codes = set(hidden["practice_id"])
        names = set(hidden["practice_name"])
        assert codes  # the test can fail: something is hidden
        assert not codes & set(red.practices["practice_id"])
        assert not codes & set(red.values["practice_id"])
        assert not names & set(red.practices["practice_name"])
        assert not any(c in str(w) for w in red.warnings for c in codes)
        # The same values, the same letters, one row per practice, index reused.
        assert red.values.height == data.values.height
        assert red.values["numerator"].equals(data.values["numerator"])
        assert red.version != data.version
        relabelled = dict(
            practice_labels(red, ViewOptions(labels="letters", own_networks=own))
            .select("practice_id", "label")
            .iter_rows()
        )
        assert sorted(relabelled.values()) == sorted(letter_of.values())
        for code in codes:
            assert letter_of[code] in relabelled  # the hidden practice's id is its letter
        ind, per = next(iter(data._index))
        assert red.slice(ind, per)["numerator"].equals(data.slice(ind, per)["numerator"])
