"""A data set as one signed-in viewer may see it: hidden practices carry no code and no name.

The access rules (issue 16) hide a practice's identity from a viewer outside its network when
it does not share its name, and hide every practice from a viewer in no network. Labelling
each practice as a letter on screen is not enough: its code would still travel in chart data,
CSV downloads, links and the meeting pack. So before any view runs, the data set the pages get
is redacted for the viewer: a hidden practice's ``practice_id`` becomes its letter ("Practice
C") and its name the same letter, in ``practices`` and ``values`` alike. Every view, chart,
download and pack then shows what it shows today, built from a data set in which the hidden
codes and names are simply not there.

Letters are those of the full data set (code order), kept on the redacted copy, so "Practice
C" is the same practice on every page and for every viewer. The values keep their order, so
the (indicator, period) index is reused as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.problems import Problem
from netcompare.views.common import _labelled_practices


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


def redact_for(data: DataSet, own_networks: frozenset[str]) -> DataSet:
    """``data`` with every practice hidden from a viewer of ``own_networks`` replaced by its
    letter (code and name). An empty ``own_networks``: a viewer in no network, every practice
    hidden."""
    labelled = _labelled_practices(data).select("practice_id", "letter", "network_id", "share_name")
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
