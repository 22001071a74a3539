"""Which data set the app shows, loaded once per source and version, shared by every session.

The loader is cached on small keys (the source string and the version of its files), never
on a frame: see CONVENTIONS.md on Streamlit hashing polars frames. ``st.cache_resource``
keeps one immutable :class:`DataSet` per (source, version) without copying it on every
rerun; an edited file changes the version, so the next rerun loads the corrected data.
"""

from __future__ import annotations

import dataclasses
import os

import streamlit as st

from netcompare.data.builtin import DEFAULT_DATASET, builtin_datasets, builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.errors import UserError

# Session key for a folder or database URL the user loaded on the Data page.
CUSTOM_SOURCE_KEY = "custom_source"
CUSTOM = "custom"


@st.cache_resource(max_entries=4, show_spinner="Loading data…")
def cached_dataset(source: str, version: str) -> DataSet:
    """Load and validate one data set, cached by its source and the version of its files.

    Both arguments are part of the cache key (Streamlit leaves out only parameters whose
    names start with ``_``), so a changed ``version`` loads the data set again.
    """
    return dataclasses.replace(load_dataset(source), version=version)


def dataset_version(source: str) -> str:
    """The version of a data-set folder's files: every file's name, size and modification
    time (ns), so any edit, added or removed file gives a new version. A database source
    has no file version here (empty string)."""
    if "://" in source or not os.path.isdir(source):
        return ""
    entries = sorted(
        (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(source) if e.is_file()
    )
    return repr(entries)


def dataset_options() -> dict[str, str]:
    """Data set keys the user can pick, with their labels (built-ins, then a custom one)."""
    options = {d.key: d.label for d in builtin_datasets()}
    custom = st.session_state.get(CUSTOM_SOURCE_KEY)
    if custom:
        options[CUSTOM] = f"Loaded: {custom}"
    return options


def source_for(key: str) -> str:
    """The folder or URL behind a data set key."""
    if key == CUSTOM:
        custom = st.session_state.get(CUSTOM_SOURCE_KEY)
        if custom:
            return str(custom)
        key = DEFAULT_DATASET
    env = os.environ.get("NETCOMPARE_DATA")
    if key == DEFAULT_DATASET and env:
        return env
    return str(builtin_path(key))


def load_selected(key: str) -> DataSet | None:
    """The selected data set, or None after showing a readable error (the app keeps going)."""
    source = source_for(key)
    try:
        return cached_dataset(source, dataset_version(source))
    except UserError as exc:
        st.error(f"This data set cannot be loaded.\n\n{exc}")
        return None
