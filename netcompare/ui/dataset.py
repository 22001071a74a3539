"""Which data set the app shows, loaded once per source and version, shared by every session.

The data sets a user can pick are: the built-in ones (unless the operator turned them off),
the ones the operator named (:mod:`netcompare.config`), and one of the session's own — a
folder or database URL typed on the Data page (local mode only) or tables uploaded there
(kept in the session's private folder, :mod:`netcompare.ui.upload`). A link carries only the
data set's key, never its source.

The loader is cached on small keys (the source string and the version of its files), never
on a frame: see CONVENTIONS.md on Streamlit hashing polars frames. ``st.cache_resource``
keeps one immutable :class:`DataSet` per (source, version) without copying it on every
rerun; an edited file changes the version, so the next rerun loads the corrected data. A
named data set in a database (``URL#name``, loaded by ``db load``) has the catalogue's current
version, looked up at most every :data:`CATALOGUE_TTL_S` seconds: a new version loaded while
the app runs is served on the next rerun after that, without a restart.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

import streamlit as st

from netcompare.config import settings, split_named_source
from netcompare.data.builtin import DEFAULT_DATASET, builtin_datasets, builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.errors import UserError
from netcompare.redact import mask_secrets
from netcompare.text import literal, strip_bidi

# Session key for the session's own data set (a LoadedSource).
CUSTOM_SOURCE_KEY = "custom_source"
CUSTOM = "custom"
CONFIGURED = "Configured data set"
CATALOGUE_TTL_S = 5  # how long a named data set's current version is cached


@dataclass(frozen=True)
class LoadedSource:
    """The session's own data set: where it is on the server (never shown) and its label."""

    source: str
    label: str
    shown_as: str | None = None


@dataclass(frozen=True)
class Choice:
    """A pickable data set: its source on the server and how messages name it."""

    source: str
    label: str
    shown_as: str | None


@st.cache_resource(max_entries=6, show_spinner="Loading data…")
def cached_dataset(source: str, version: str, shown_as: str | None = None) -> DataSet:
    """Load and validate one data set, cached by its source and the version of its files.

    Every argument is part of the cache key (Streamlit leaves out only parameters whose
    names start with ``_``), so a changed ``version`` loads the data set again.
    """
    return dataclasses.replace(load_dataset(source, shown_as=shown_as), version=version)


@st.cache_data(ttl=CATALOGUE_TTL_S, max_entries=32, show_spinner=False)
def catalogue_version(url: str, name: str) -> str:
    """The current version of a named data set in a database (one small bounded query),
    cached for a few seconds; empty if it cannot be read (loading then says why)."""
    from netcompare.data.sqlstore import current_version

    try:
        return current_version(url, name)
    except UserError:
        return ""


def dataset_version(source: str) -> str:
    """The version of a data-set folder's files: every file's name, size and modification
    time (ns), so any edit, added or removed file gives a new version. A named data set in
    a database (``URL#name``) has the catalogue's current version; any other database source
    has no version here (empty string)."""
    url, name = split_named_source(source)
    if name is not None:
        version = catalogue_version(url, name)
        return f"db:{version}" if version else ""
    if "://" in source or not os.path.isdir(source):
        return ""
    entries = sorted(
        (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(source) if e.is_file()
    )
    return repr(entries)


def source_label(source: str) -> str:
    """How a typed source is named in the sidebar: the URL's password masked."""
    return f"Loaded: {mask_secrets(source)}"


def configured_label(source: str) -> str:
    """How ``NETCOMPARE_DATA`` (which replaces the sample) is named in the sidebar: the name
    in its ``dataset.json``, else "Configured data set" (never its path or URL)."""
    try:
        with open(os.path.join(source, "dataset.json"), encoding="utf-8") as f:
            name = json.load(f).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return strip_bidi(name).strip() if isinstance(name, str) and name.strip() else CONFIGURED


def _choices() -> dict[str, Choice]:
    s = settings()
    choices: dict[str, Choice] = {}
    if s.builtin_datasets:
        for d in builtin_datasets():
            replaced = d.key == DEFAULT_DATASET and s.data
            source = s.data if replaced else str(d.path)
            label = configured_label(s.data) if replaced else d.label
            # On a shared server no message names a server folder: only the label.
            choices[d.key] = Choice(source, label, label if s.shared else None)
    for d in s.datasets:
        choices[d.key] = Choice(d.location, d.label, d.label)
    custom: LoadedSource | None = st.session_state.get(CUSTOM_SOURCE_KEY)
    if custom is not None and (not s.shared or custom.shown_as is not None):
        choices[CUSTOM] = Choice(custom.source, custom.label, custom.shown_as)
    return choices


def dataset_options() -> dict[str, str]:
    """Data set keys the user can pick, with their labels (built-ins, the operator's, then
    the session's own)."""
    return {key: c.label for key, c in _choices().items()}


def default_dataset_key(options: dict[str, str] | None = None) -> str:
    """The data set shown when none is chosen: the sample borough if offered, else the
    first one offered."""
    keys = list(options if options is not None else dataset_options())
    if DEFAULT_DATASET in keys or not keys:
        return DEFAULT_DATASET
    return keys[0]


def source_for(key: str) -> str:
    """The folder or URL behind a data set key (the default's for an unknown key)."""
    choices = _choices()
    choice = choices.get(key) or choices.get(default_dataset_key(dataset_options()))
    if choice is None:
        return str(builtin_path(DEFAULT_DATASET))
    return choice.source


def load_selected(key: str) -> DataSet | None:
    """The selected data set, or None after showing a readable error (the app keeps going)."""
    choices = _choices()
    choice = choices.get(key) or choices.get(default_dataset_key(dataset_options()))
    if choice is None:
        st.error(
            "No data set is offered on this server: the operator has turned the built-in "
            "data sets off and named none (see the README, 'Running it for a whole network')."
        )
        return None
    try:
        return cached_dataset(choice.source, dataset_version(choice.source), choice.shown_as)
    except UserError as exc:
        st.error(literal(f"This data set cannot be loaded.\n\n{mask_secrets(exc)}"))
        return None
