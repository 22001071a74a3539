"""The views pages show, each cached per data set version and view arguments.

Every function here is the view of the same name in :mod:`netcompare.views`, with the same
arguments, wrapped in ``st.cache_data``: a page calls ``funnel_view(data, indicator, period,
options, benchmark=…, method=…)`` from here and the first call for those arguments computes
it, every rerun after that (any session) reads it back. The key is small: the data set is
hashed as its (source, version), never as its frames (Streamlit hashes a polars frame from a
truncated text rendering, so two frames differing in middle rows would share a key: see
CONVENTIONS.md), and every other argument is a string, date, number or small frozen
dataclass. Passing a polars frame raises instead of silently caching on a wrong key. Each
cache is bounded (``max_entries``); a cached return is a copy, so a page may not change the
cache by changing what it got.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, NoReturn, ParamSpec, TypeVar

import polars as pl
import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.views import data, funnel, league, networks, notes, profile, rag, scatter, trends

P = ParamSpec("P")
T = TypeVar("T")

# Distinct argument sets kept per view: a learning-set meeting steps through a network's
# indicators and periods (16 × a few); England-scale views are ~1 MB each.
MAX_ENTRIES = 64


def dataset_key(data: DataSet) -> tuple[str, str]:
    """What identifies a data set in a cache key: where it came from, and which version."""
    return (data.source, data.version)


def _refuse_frame(frame: object) -> NoReturn:
    raise TypeError(
        "a polars frame was passed to a cached view: pass the data set and small keys "
        "(indicator, period, options) instead, see netcompare/ui/views.py"
    )


HASH_FUNCS: dict[type, Callable[[object], object]] = {
    DataSet: dataset_key,  # type: ignore[dict-item]
    pl.DataFrame: _refuse_frame,
    pl.LazyFrame: _refuse_frame,
    pl.Series: _refuse_frame,
}


def cached_view(
    view: Callable[Concatenate[DataSet, P], T],
) -> Callable[Concatenate[DataSet, P], T]:
    """``view`` cached on its data set's (source, version) and its other arguments."""
    return st.cache_data(view, max_entries=MAX_ENTRIES, show_spinner=False, hash_funcs=HASH_FUNCS)  # type: ignore[return-value]


overview_view = cached_view(rag.overview_view)
league_table = cached_view(league.league_table)
funnel_view = cached_view(funnel.funnel_view)
trend_view = cached_view(trends.trend_view)
network_summary = cached_view(networks.network_summary)
incentive_table = cached_view(networks.incentive_table)
significantly_better = cached_view(notes.significantly_better)
improvers_view = cached_view(notes.improvers_view)
practice_label_map = cached_view(notes.practice_label_map)
dataset_view = cached_view(data.dataset_view)
profile_view = cached_view(profile.profile_view)
scatter_view = cached_view(scatter.scatter_view)
