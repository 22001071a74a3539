"""The filters every page shares, drawn once in the sidebar and kept in the URL.

Each widget has a ``key`` and ``bind="query-params"``, so a copied link reproduces the exact
view (data set, network, care package, indicator, period, practice and the switches). Options
depend on the loaded data set; a value that is not valid for it (an old link, a switched data
set) falls back to the default instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from netcompare.data.builtin import DEFAULT_DATASET
from netcompare.data.dataset import DataSet
from netcompare.ui.dataset import dataset_options, load_selected
from netcompare.views.common import (
    ALL,
    LABEL_CODES,
    LABEL_LETTERS,
    LABEL_NAMES,
    ViewOptions,
    practice_labels,
)

KEY_DATA = "data"
KEY_NETWORK = "network"
KEY_PACKAGE = "package"
KEY_INDICATOR = "indicator"
KEY_PERIOD = "period"
KEY_PRACTICE = "practice"
KEY_NET_EXCEPTIONS = "net_exceptions"
KEY_ANONYMISE = "anonymise"
KEY_ANON_STYLE = "anon_style"
KEY_PRESENT = "present"
# A data set chosen on the Data page after the sidebar was drawn: applied on the next run,
# as Streamlit forbids setting a widget's value once the widget exists in the run.
PENDING_DATA_KEY = "_pending_data"


@dataclass(frozen=True)
class Filters:
    """The view every page draws: what data, which network, indicator, period, switches."""

    dataset_key: str
    network_id: str  # a network id, or ALL
    care_package: str  # a care package, or ALL
    indicator_id: str | None
    period: dt.date | None
    practice_id: str | None
    net_of_exceptions: bool
    labels: str  # names, codes or letters (see netcompare.views.common)
    presentation: bool

    @property
    def all_networks(self) -> bool:
        return self.network_id == ALL

    @property
    def anonymised(self) -> bool:
        return self.labels != LABEL_NAMES

    def view_options(self) -> ViewOptions:
        """The options the views need (network, exceptions, practice labels)."""
        return ViewOptions(
            network_id=self.network_id,
            net_of_exceptions=self.net_of_exceptions,
            labels=self.labels,
        )


def _keep_valid(key: str, options: list[str]) -> None:
    """Drop a stale value (old link, other data set) so the widget falls back to its default."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _select(label: str, options: list[str], key: str, labels: dict[str, str], **kw) -> str | None:
    _keep_valid(key, options)
    if not options:
        st.selectbox(label, ["(none)"], disabled=True, key=f"{key}_empty")
        return None
    return st.selectbox(
        label,
        options,
        key=key,
        bind="query-params",
        format_func=lambda v: labels.get(v, v),
        **kw,
    )


def sidebar_filters() -> tuple[DataSet | None, Filters | None]:
    """Draw the shared filters in the sidebar; return the data set and the chosen view."""
    with st.sidebar:
        datasets = dataset_options()
        pending = st.session_state.pop(PENDING_DATA_KEY, None)
        if pending in datasets:
            st.session_state[KEY_DATA] = pending
        data_key = _select("Data set", list(datasets), KEY_DATA, datasets) or DEFAULT_DATASET
        data = load_selected(data_key)
        if data is None:
            return None, None

        networks = data.networks.sort("network_name")
        net_labels = {ALL: "All networks"} | dict(
            networks.select("network_id", "network_name").iter_rows()
        )
        net_options = [*networks.get_column("network_id").to_list(), ALL]
        network = _select("Network", net_options, KEY_NETWORK, net_labels) or ALL

        packages = data.indicators.get_column("care_package").unique(maintain_order=True)
        pkg_options = [ALL, *packages.to_list()]
        package = (
            _select("Care package", pkg_options, KEY_PACKAGE, {ALL: "All care packages"}) or ALL
        )

        indicators = data.indicators
        if package != ALL:
            indicators = indicators.filter(pl.col("care_package") == package)
        ind_labels = dict(indicators.select("indicator_id", "name").iter_rows())
        indicator = _select(
            "Indicator", indicators.get_column("indicator_id").to_list(), KEY_INDICATOR, ind_labels
        )

        periods = [p.isoformat() for p in data.periods(indicator)] if indicator else []
        period_labels = {p: _period_label(p) for p in periods}
        period_str = _select(
            "Period",
            periods,
            KEY_PERIOD,
            period_labels,
            index=len(periods) - 1 if periods else 0,
        )
        period = dt.date.fromisoformat(period_str) if period_str else None

        # Filled in below, once the switches say how practices are labelled.
        practice_slot = st.container()

        st.divider()
        net_exc = st.toggle(
            "Net of exceptions",
            key=KEY_NET_EXCEPTIONS,
            bind="query-params",
            help="Off (the default, as in Tower Hamlets): every eligible patient counts. On: "
            "the denominator leaves out excepted patients (QOF personalised care adjustments).",
        )
        anonymise = st.toggle(
            "Anonymise practices",
            key=KEY_ANONYMISE,
            bind="query-params",
            help="Show practices as 'Practice A, B…' (or their codes) for showing outside the "
            "network. Practices that do not share their name are always anonymised outside "
            "their own network.",
        )
        anon_style = LABEL_LETTERS
        if anonymise:
            anon_style = st.radio(
                "Show practices as",
                [LABEL_LETTERS, LABEL_CODES],
                format_func=lambda v: "Practice A, B, …" if v == LABEL_LETTERS else "Codes",
                key=KEY_ANON_STYLE,
                bind="query-params",
                horizontal=True,
            )
        present = st.toggle(
            "Presentation mode",
            key=KEY_PRESENT,
            bind="query-params",
            help="Large fonts and charts for a projector.",
        )
        labels = (anon_style or LABEL_LETTERS) if anonymise else LABEL_NAMES
        with practice_slot:
            practice = _practice_select(data, network, labels)
        st.caption(f"Data: {data.name}")

    return data, Filters(
        dataset_key=data_key,
        network_id=network,
        care_package=package,
        indicator_id=indicator,
        period=period,
        practice_id=practice,
        net_of_exceptions=bool(net_exc),
        labels=labels,
        presentation=bool(present),
    )


def _practice_select(data: DataSet, network: str, labels: str) -> str | None:
    """The practice for the trends page, labelled as on every page: with anonymise on, no
    names; a practice that does not share its name is a letter outside its own network."""
    shown = practice_labels(data, ViewOptions(network_id=network, labels=labels))
    if network != ALL:
        shown = shown.filter(pl.col("network_id") == network)
    rows = shown.sort("label").select("practice_id", "label", "hidden").iter_rows()
    options = {
        pid: f"{label} ({pid})" if labels == LABEL_NAMES and not hidden else label
        for pid, label, hidden in rows
    }
    return _select("Practice (trends)", list(options), KEY_PRACTICE, options)


def _period_label(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%b %Y")
