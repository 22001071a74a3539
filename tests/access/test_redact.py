"""A data set redacted for a viewer: hidden practices keep no code and no name anywhere."""

from __future__ import annotations

import polars as pl
import pytest

from netcompare.access.redact import keyed_letters, letter_key, redact_for
from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions, practice_labels
from tests.app.apptest_reading import SAMPLE

KEY = letter_key("a server secret")


def test_hidden_practices_lose_code_and_name_letters_stay() -> None:
    data = load_dataset(str(SAMPLE))
    full = practice_labels(data, ViewOptions(labels="letters")).select("practice_id", "label")
    letter_of = dict(full.iter_rows())
    for own in (frozenset({"N1"}), frozenset()):
        red = redact_for(data, own, KEY)
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
        # No list size for a hidden practice (they are published per practice); others kept.
        letters = red.practices.filter(pl.col("practice_id").str.starts_with("Practice "))
        assert letters.height == len(codes) and letters["list_size"].null_count() == len(codes)
        named = red.practices.filter(~pl.col("practice_id").str.starts_with("Practice "))
        assert named.join(data.practices, on="practice_id")["list_size_right"].equals(
            named["list_size"]
        )
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
        keyed = keyed_letters(data.practices["practice_id"].to_list(), KEY)
        for code in codes:
            assert relabelled[keyed[code]] == keyed[code]  # the hidden practice's id: its letter
        ind, per = next(iter(data._index))
        assert red.slice(ind, per)["numerator"].equals(data.slice(ind, per)["numerator"])


def test_letters_say_nothing_of_the_codes_without_the_key() -> None:
    """Letters in code order would place a hidden practice's code between the codes of the
    named practices around it; keyed, the order is unrelated to the codes, and the same for
    the same secret (every instance, every viewer)."""
    codes = load_dataset(str(SAMPLE)).practices["practice_id"].sort().to_list()
    one = keyed_letters(codes, KEY)
    assert one == keyed_letters(list(reversed(codes)), KEY)  # the same for every caller
    assert sorted(one.values()) == sorted(f"Practice {c}" for c in _spreadsheet(len(codes)))
    by_letter = [code for _, _, code in sorted((len(v), v, c) for c, v in one.items())]
    assert by_letter != codes and by_letter != list(reversed(codes))
    other = keyed_letters(codes, letter_key("another secret"))
    assert other != one
    moved = sum(one[c] != other[c] for c in codes)
    assert moved > len(codes) // 2
    with pytest.raises(ValueError, match="secret key"):
        redact_for(load_dataset(str(SAMPLE)), frozenset(), b"")


def _spreadsheet(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        s = ""
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out
