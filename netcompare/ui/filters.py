"""The filters every page shares, drawn once in the sidebar and kept in the URL.

The URL is kept by this module, not by Streamlit's ``bind="query-params"`` (which writes a
selectbox's label, not its value, into the URL: streamlit issue #14224). A session reads its
link once, at its first run: each parameter is checked against the loaded data set's options
(codes, or the labels old links carried, see :mod:`netcompare.ui.links`) and seeds the
widget's session state before the widget is drawn; an unknown value is named in a warning and
the default is shown. After the widgets are drawn, the chosen codes are written back to the
URL on every run, so a copied link reproduces the exact view.

Options depend on the data set, the network and the care package. A value that is no longer
an option (another network chosen, another data set) is replaced by the default *before* its
widget is drawn, so the widget and the pages always show the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.redact import mask_secrets
from netcompare.text import literal
from netcompare.ui.dataset import CUSTOM, dataset_options, default_dataset_key, load_selected
from netcompare.ui.links import (
    PERIOD_MONTH,
    period_aliases,
    period_code,
    read_switch,
    resolve_code,
)
from netcompare.ui.viewer import current_viewer, data_for_viewer
from netcompare.views.common import (
    ALL,
    LABEL_CODES,
    LABEL_LETTERS,
    LABEL_NAMES,
    ViewOptions,
    practice_labels,
)
from netcompare.views.format import period_label

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
    # Signed in: the networks whose practices this viewer sees named (the access rules).
    own_networks: frozenset[str] | None = None

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
            own_networks=self.own_networks,
        ).restricted()


# URL parameter names are the session-state keys of the widgets they set.
LINK_PARAMS = (
    KEY_DATA,
    KEY_NETWORK,
    KEY_PACKAGE,
    KEY_INDICATOR,
    KEY_PERIOD,
    KEY_PRACTICE,
    KEY_NET_EXCEPTIONS,
    KEY_ANONYMISE,
    KEY_ANON_STYLE,
    KEY_PRESENT,
)
_LINK_READ = "_link_read"  # this session has read its link
_LINK_ASKED = "_link_asked"  # what the link asked for, not yet applied to a widget
TRUE = "true"


def _read_link_once() -> None:
    """At a session's first run, keep what its URL asks for until each widget is drawn."""
    if st.session_state.get(_LINK_READ):
        return
    st.session_state[_LINK_READ] = True
    st.session_state[_LINK_ASKED] = {
        key: st.query_params[key] for key in LINK_PARAMS if key in st.query_params
    }


def _asked(key: str) -> str | None:
    """The value the link asked for ``key`` (once: later runs follow the widget)."""
    asked: dict[str, str] = st.session_state.get(_LINK_ASKED) or {}
    return asked.pop(key, None)


def _unknown(what: str, asked: str, shown: str) -> str:
    return f"This link asks for {what} “{asked}”, which is not in this data set: showing {shown}."


@dataclass
class _Sidebar:
    """One run's sidebar: the warnings it owes the user and the codes it writes to the URL."""

    notices: list[str]
    link: dict[str, str | None]

    def select(
        self,
        label: str,
        options: list[str],
        key: str,
        labels: dict[str, str],
        *,
        what: str,
        default: str | None = None,
        aliases: dict[str, str] | None = None,
    ) -> str | None:
        """A selectbox whose value is always one of ``options``: the link's choice on the
        session's first run, else the user's, else ``default`` (the first option)."""
        asked = _asked(key)
        if not options:
            if asked is not None:
                self.notices.append(_unknown(what, asked, "nothing"))
            st.selectbox(literal(label), ["(none)"], disabled=True, key=f"{key}_empty")
            return None
        fallback = default if default in options else options[0]
        if asked is not None:
            code = resolve_code(asked, options, labels, aliases)
            if code is None:
                self.notices.append(_unknown(what, asked, labels.get(fallback, fallback)))
            else:
                st.session_state[key] = code
        if st.session_state.get(key) not in options:
            # Before the widget exists, so the widget shows what the pages use.
            st.session_state[key] = fallback
        return st.selectbox(
            literal(label), options, key=key, format_func=lambda v: labels.get(v, v)
        )

    def switch(self, label: str, key: str, *, help: str) -> bool:
        """A toggle, off unless the link or the user turned it on."""
        asked = _asked(key)
        if asked is not None:
            on = read_switch(asked)
            if on is None:
                self.notices.append(
                    f"This link sets “{key}” to “{asked}”: it can only be true or false, so "
                    "it is off."
                )
            st.session_state[key] = bool(on)
        value = bool(st.toggle(literal(label), key=key, help=literal(help)))
        self.link[key] = TRUE if value else None
        return value


def sidebar_filters() -> tuple[DataSet | None, Filters | None]:
    """Draw the shared filters in the sidebar; return the data set and the chosen view.

    Warnings about the link (an unknown code, a data set not available here) are shown above
    the page; the URL is brought up to date with the codes of the view drawn.
    """
    _read_link_once()
    side = _Sidebar(notices=[], link={})
    with st.sidebar:
        result = _draw(side)
    for notice in side.notices:
        st.warning(literal(notice), icon=":material/link_off:")
    write_link(side.link)
    return result


def _draw(side: _Sidebar) -> tuple[DataSet | None, Filters | None]:
    datasets = dataset_options()
    pending = st.session_state.pop(PENDING_DATA_KEY, None)
    if pending in datasets:
        st.session_state[KEY_DATA] = pending
    asked_data = st.session_state.get(_LINK_ASKED, {}).get(KEY_DATA)
    if asked_data is not None and resolve_code(asked_data, list(datasets), datasets) in (
        None,
        CUSTOM,
    ):
        # A data set loaded on another machine (or in another session) has no link.
        _asked(KEY_DATA)
        side.notices.append(
            f"This link names a data set that is not available here: “{mask_secrets(asked_data)}”. "
            f"Showing {datasets.get(default_dataset_key(datasets), 'the default')} instead."
        )
    data_key = side.select(
        "Data set", list(datasets), KEY_DATA, datasets, what="the data set"
    ) or default_dataset_key(datasets)
    side.link[KEY_DATA] = data_key
    data = load_selected(data_key)
    if data is None:
        return None, None
    viewer = current_viewer()
    data = data_for_viewer(data, viewer)  # signed in: hidden practices have no code or name

    networks = data.networks.sort("network_name")
    net_labels = {ALL: "All networks"} | dict(
        networks.select("network_id", "network_name").iter_rows()
    )
    net_options = [*networks.get_column("network_id").to_list(), ALL]
    network = (
        side.select("Network", net_options, KEY_NETWORK, net_labels, what="the network") or ALL
    )
    side.link[KEY_NETWORK] = network

    packages = data.indicators.get_column("care_package").unique(maintain_order=True)
    pkg_options = [ALL, *packages.to_list()]
    package = (
        side.select(
            "Care package",
            pkg_options,
            KEY_PACKAGE,
            {ALL: "All care packages"},
            what="the care package",
        )
        or ALL
    )
    side.link[KEY_PACKAGE] = None if package == ALL else package

    indicators = data.indicators
    if package != ALL:
        indicators = indicators.filter(pl.col("care_package") == package)
    ind_labels = dict(indicators.select("indicator_id", "name").iter_rows())
    indicator = side.select(
        "Indicator",
        indicators.get_column("indicator_id").to_list(),
        KEY_INDICATOR,
        ind_labels,
        what="the indicator",
    )
    side.link[KEY_INDICATOR] = indicator

    kind = data.indicator(indicator).period_type if indicator else PERIOD_MONTH
    dates = data.periods(indicator) if indicator else []
    periods = [p.isoformat() for p in dates]
    period_str = side.select(
        "Period",
        periods,
        KEY_PERIOD,
        {p.isoformat(): period_label(p, kind) for p in dates},
        what="the period",
        default=periods[-1] if periods else None,
        aliases=period_aliases(dates, kind),
    )
    period = dt.date.fromisoformat(period_str) if period_str else None
    side.link[KEY_PERIOD] = period_code(period, kind) if period else None

    # Filled in below, once the switches say how practices are labelled.
    practice_slot = st.container()

    st.divider()
    net_exc = side.switch(
        "Net of exceptions",
        KEY_NET_EXCEPTIONS,
        help="Off (the default, as in Tower Hamlets): every eligible patient counts. On: "
        "the denominator leaves out excepted patients (QOF personalised care adjustments).",
    )
    own_networks = viewer.networks if viewer.signed_in else None
    if viewer.anonymise_all:
        # Signed in, in no network: letters only, whatever the link or the switch says.
        _asked(KEY_ANONYMISE)
        st.toggle(
            "Anonymise practices",
            value=True,
            disabled=True,
            key=f"{KEY_ANONYMISE}_always",
            help="You are not in a network, so every practice is shown anonymised.",
        )
        anonymise = True
    else:
        anonymise = side.switch(
            "Anonymise practices",
            KEY_ANONYMISE,
            help="Show practices as 'Practice A, B…' (or their codes) for showing outside the "
            "network. Practices that do not share their name are always anonymised outside "
            "their own network.",
        )
    anon_style = LABEL_LETTERS
    asked_style = _asked(KEY_ANON_STYLE)
    if anonymise and not viewer.anonymise_all:
        styles = {LABEL_LETTERS: "Practice A, B, …", LABEL_CODES: "Codes"}
        if asked_style is not None:
            style = resolve_code(asked_style, list(styles), styles)
            st.session_state[KEY_ANON_STYLE] = style or LABEL_LETTERS
        if st.session_state.get(KEY_ANON_STYLE) not in styles:
            st.session_state[KEY_ANON_STYLE] = LABEL_LETTERS
        anon_style = st.radio(
            "Show practices as",
            list(styles),
            format_func=lambda s: literal(styles[s]),
            key=KEY_ANON_STYLE,
            horizontal=True,
        )
    side.link[KEY_ANON_STYLE] = anon_style if anonymise else None
    present = side.switch(
        "Presentation mode", KEY_PRESENT, help="Large fonts and charts for a projector."
    )
    labels = (anon_style or LABEL_LETTERS) if anonymise else LABEL_NAMES
    with practice_slot:
        practice = _practice_select(side, data, network, labels, own_networks)
    st.caption(literal(f"Data: {data.name}"))

    return data, Filters(
        dataset_key=data_key,
        network_id=network,
        care_package=package,
        indicator_id=indicator,
        period=period,
        practice_id=practice,
        net_of_exceptions=net_exc,
        labels=labels,
        presentation=present,
        own_networks=own_networks,
    )


def _practice_select(
    side: _Sidebar,
    data: DataSet,
    network: str,
    labels: str,
    own_networks: frozenset[str] | None = None,
) -> str | None:
    """The practice for the trends page, labelled as on every page: with anonymise on, no
    names; a practice that does not share its name is a letter outside its own network.

    The link names the practice by its code, except where the page hides who it is (a
    letter): there the link carries the letter, so a shared link gives away no more than
    the screen does.
    """
    shown = practice_labels(
        data, ViewOptions(network_id=network, labels=labels, own_networks=own_networks)
    )
    if network != ALL:
        shown = shown.filter(pl.col("network_id") == network)
    rows = shown.sort("label").select("practice_id", "label", "hidden").rows()
    options = {
        pid: f"{label} ({pid})" if labels == LABEL_NAMES and not hidden else label
        for pid, label, hidden in rows
    }
    letters = {pid: label for pid, label, hidden in rows if hidden or labels == LABEL_LETTERS}
    # Old links carried the label; a bare practice name also works where it is unique.
    aliases = {label: pid for pid, label, _ in rows if pid not in letters}
    practice = side.select(
        "Practice (trends)",
        list(options),
        KEY_PRACTICE,
        options,
        what="the practice",
        aliases=aliases,
    )
    side.link[KEY_PRACTICE] = letters.get(practice, practice) if practice else None
    return practice


def link_for_next_page() -> dict[str, str]:
    """The sidebar's URL parameters, for ``st.switch_page``; the next run reads them again.

    Streamlit drops every widget's state when ``st.switch_page`` opens another page, so the
    view the user had chosen would fall back to the defaults: the next run reopens it from
    the link, exactly as a fresh browser would.
    """
    st.session_state[_LINK_READ] = False
    return {key: st.query_params[key] for key in LINK_PARAMS if key in st.query_params}


def write_link(codes: dict[str, str | None]) -> None:
    """Bring the URL's sidebar parameters up to date (others, a page's own, are left alone)."""
    changed = {k: v for k, v in codes.items() if v is not None and st.query_params.get(k) != v}
    if changed:
        st.query_params.update(changed)
    for key, value in codes.items():
        if value is None and key in st.query_params:
            del st.query_params[key]
