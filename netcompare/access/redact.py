"""A data set as one signed-in viewer may see it: hidden practices carry no code and no name.

The access rules (issue 16) hide a practice's identity from a viewer outside its network when
it does not share its name, and hide every practice from a viewer in no network. Labelling
each practice as a letter on screen is not enough: its code would still travel in chart data,
CSV downloads, links and the meeting pack. So before any view runs, the data set the pages get
is redacted for the viewer: a hidden practice's ``practice_id`` becomes its letter ("Practice
C") and its name the same letter, in ``practices`` and ``values`` alike, and its list size is
left out (list sizes are published per practice). Every view, chart,
download and pack then shows what it shows today, built from a data set in which the hidden
codes and names are simply not there.

Letters are given to every practice of the full data set and kept on the redacted copy, so
"Practice C" is the same practice on every page and for every viewer. They are not in code
order (as a laptop's anonymise switch gives them): a viewer sees the codes of the practices
named to them, and a hidden practice's letter would then place its code between two known
ones. Their order is that of a keyed hash (HMAC-SHA-256) of the code under the server's
secret, the same on every instance and unknown to visitors. The values keep their order, so
the (indicator, period) index is reused as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.problems import Problem
from netcompare.views.common import _labelled_practices, _letters_for


def _redacted_problems(
    problems: tuple[Problem, ...], mapping: dict[str, str]
) -> tuple[Problem, ...]:
    """The data set's warnings with every hidden code (a whole word) replaced by its letter:
    a warning's examples name practices by code."""
    if not problems or not mapping:
        return problems
    codes = re.compile(
        r"(?<![\w-])("
        + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True)))
        + r")(?![\w-])"
    )
    return tuple(
        replace(p, message=codes.sub(lambda m: mapping[m.group(1)], p.message)) for p in problems
    )


def redacted_version(version: str, own_networks: frozenset[str]) -> str:
    """The version string of a redacted copy: a cache never mixes two viewers' copies."""
    return f"{version}|named:{','.join(sorted(own_networks))}"


def letter_key(secret: str) -> bytes:
    """The key that orders the letters, derived from a server secret (the app uses
    Streamlit's ``server.cookieSecret``: one secret for every instance, seen by no visitor)."""
    return hashlib.sha256(b"netcompare practice letters\0" + secret.encode()).digest()


def keyed_letters(practice_ids: list[str], key: bytes) -> dict[str, str]:
    """``{practice_id: "Practice X"}``, the letters in the order of HMAC-SHA-256(key, code):
    a letter says nothing of the code without the key."""
    order = sorted(
        practice_ids, key=lambda pid: hmac.new(key, pid.encode(), hashlib.sha256).digest()
    )
    return dict(zip(order, _letters_for(len(order)), strict=True))


def redact_for(data: DataSet, own_networks: frozenset[str], key: bytes) -> DataSet:
    """``data`` with every practice hidden from a viewer of ``own_networks`` replaced by its
    letter (code and name), letters ordered by ``key`` (:func:`keyed_letters`). An empty
    ``own_networks``: a viewer in no network, every practice hidden."""
    if not key:
        raise ValueError("redact_for needs a secret key to order the letters")
    labelled = _labelled_practices(data).select("practice_id", "network_id", "share_name")
    letter_of = keyed_letters(labelled["practice_id"].to_list(), key)
    labelled = labelled.with_columns(
        pl.col("practice_id").replace_strict(letter_of, return_dtype=pl.String).alias("letter")
    )
    if own_networks:
        own = pl.col("network_id").is_in(sorted(own_networks))
        hidden = labelled.filter(~pl.col("share_name") & ~own)
    else:
        hidden = labelled
    mapping = dict(hidden.select("practice_id", "letter").iter_rows())
    letters = {
        mapping.get(pid, pid): letter
        for pid, letter in labelled.select("practice_id", "letter").iter_rows()
    }
    if not mapping:
        return replace(data, version=redacted_version(data.version, own_networks), letters=letters)
    ids = pl.col("practice_id").replace(mapping)
    practices = data.practices.with_columns(
        pl.when(pl.col("practice_id").is_in(list(mapping)))
        .then(pl.col("practice_id").replace(mapping))
        .otherwise(pl.col("practice_name"))
        .alias("practice_name"),
        pl.when(pl.col("practice_id").is_in(list(mapping)))
        .then(pl.lit(False))
        .otherwise(pl.col("share_name"))
        .alias("share_name"),
        # Practices' list sizes are published: an exact one would name the practice.
        pl.when(pl.col("practice_id").is_in(list(mapping)))
        .then(pl.lit(None))
        .otherwise(pl.col("list_size"))
        .alias("list_size"),
        ids,
    )
    values = data.values.with_columns(ids)
    return replace(
        data,
        practices=practices,
        values=values,
        warnings=_redacted_problems(data.warnings, mapping),
        version=redacted_version(data.version, own_networks),
        letters=letters,
    )
