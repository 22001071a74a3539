"""The Networks page's "Meeting pack" section: the sidebar's network and period as a PDF to
hand out and the same content as one HTML file to project or send (:mod:`netcompare.pack`).

The lead picks the indicators (by default those below the network target or with a special
cause on the network's SPC chart, at most six) and whether to anonymise; the pack is made only
when the button is pressed, with a spinner, and kept per choice (data set version, network,
period, denominator, indicators, anonymise and the notes read), so pressing it again, or
downloading both files, makes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.notes.errors import NotesUnavailable
from netcompare.notes.note import Note
from netcompare.pack import build_pack, default_indicators, pack_html, pack_pdf, rendering
from netcompare.pack.build import MAX_DEFAULT_INDICATORS
from netcompare.pack.notes import pack_notes
from netcompare.redact import mask_secrets
from netcompare.text import literal
from netcompare.ui.filters import Filters
from netcompare.ui.notes import notes_store, readable
from netcompare.ui.views import HASH_FUNCS, MAX_ENTRIES
from netcompare.views.common import ViewOptions
from netcompare.views.format import period_label

KEY_INDICATORS = "pack_indicators"
KEY_ANONYMISE = "pack_anonymise"
KEY_MAKE = "pack_make"
_MADE = "_pack_made"  # the choice the last pack was made for, and the pack's files


@dataclass(frozen=True)
class PackFiles:
    """A made pack: its files and what it shows."""

    pdf: bytes
    html: str
    indicator_ids: tuple[str, ...]
    title: str


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False, hash_funcs=HASH_FUNCS)
def _defaults(
    data: DataSet, network_id: str, period: dt.date, options: ViewOptions
) -> list[tuple[str, str]]:
    return default_indicators(data, network_id, period, options)


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=HASH_FUNCS)
def _make(
    data: DataSet,
    network_id: str,
    period: dt.date,
    options: ViewOptions,
    indicators: tuple[str, ...],
    anonymise: bool,
    notes: tuple[Note, ...],
    notes_problem: str | None,
) -> PackFiles:
    with rendering():  # the charts drawn in two worker processes meanwhile
        pack = build_pack(
            data,
            network_id,
            period,
            options,
            indicators=indicators,
            anonymise=anonymise,
            notes=notes,
            notes_problem=notes_problem,
        )
        return PackFiles(pack_pdf(pack), pack_html(pack), pack.indicator_ids, pack.title)


def _notes(network_id: str) -> tuple[tuple[Note, ...], str | None]:
    """The notes the pack shows, or why they could not be read."""
    store = notes_store(warn=False)
    if store is None:
        return (), "the notes store could not be opened; the rest of the pack is complete."
    try:
        return tuple(readable(pack_notes(store, network_id))), None
    except NotesUnavailable as exc:
        return (), mask_secrets(str(exc))


def meeting_pack_section(data: DataSet, f: Filters) -> None:
    """The section: indicator picks, anonymise, the button, then the two downloads."""
    st.header("Meeting pack")
    st.caption(
        "For the learning-set meeting: the overview, network averages and incentives, and for "
        "each indicator its league table, bar chart, funnel plot and SPC with interventions, "
        "who is doing well and what they do, open questions and actions. A4 PDF, and the "
        "same as one HTML file that opens offline (for a projector)."
    )
    if f.all_networks:
        st.info("Choose a network in the sidebar to make its meeting pack.")
        return
    if f.period is None:
        st.info("No period with data: choose another data set.")
        return
    options = ViewOptions(net_of_exceptions=f.net_of_exceptions)
    # Signed in, a pack names practices only for a member of its network: anyone else gets
    # the anonymised pack (letters, small counts suppressed, no notes), whatever they tick.
    named_allowed = f.own_networks is None or f.network_id in f.own_networks
    ids = data.indicators.get_column("indicator_id").to_list()
    names = dict(data.indicators.select("indicator_id", "name").iter_rows())
    defaults = [i for i, _ in _defaults(data, f.network_id, f.period, options)]
    picked = st.multiselect(
        "Indicators in the pack",
        ids,
        default=defaults,
        format_func=lambda i: names.get(i, i),
        key=f"{KEY_INDICATORS}_{f.network_id}_{f.period}",
        help="By default those whose network average is below the network target or whose "
        f"network SPC chart shows a special cause (at most {MAX_DEFAULT_INDICATORS:d}, most "
        "pressing first).",
    )
    anonymise = st.checkbox(
        "Anonymised pack (for outside the network)",
        value=f.anonymised or not named_allowed,
        key=KEY_ANONYMISE if named_allowed else f"{KEY_ANONYMISE}_always",
        disabled=not named_allowed,
        help="Every practice as a letter; counts 1–4 shown as <5 and any value that would "
        "reveal them suppressed; no notes. The rule is printed on the pack."
        + ("" if named_allowed else " You are not in this network: its pack is anonymised."),
    )
    anonymise = anonymise or not named_allowed
    choice = (data.source, data.version, f.network_id, f.period, options, tuple(picked), anonymise)
    if st.button("Make the meeting pack", key=KEY_MAKE, type="primary", disabled=not picked):
        notes, problem = _notes(f.network_id)
        with st.spinner("Making the meeting pack…"):
            files = _make(
                data, f.network_id, f.period, options, tuple(picked), anonymise, notes, problem
            )
        st.session_state[_MADE] = (choice, files, problem)
    if not picked:
        st.caption("Pick at least one indicator.")
    made = st.session_state.get(_MADE)
    if made is None or made[0] != choice:
        return
    _, files, problem = made
    if problem:
        st.warning(literal(f"Notes unavailable: {problem} The pack says so."))
    when = period_label(f.period, data.indicator(files.indicator_ids[0]).period_type)
    st.success(literal(f"{files.title}, {when}: {len(files.indicator_ids)} indicators."))
    stem = f"meeting-pack-{f.network_id}-{f.period:%Y-%m}" + ("-anonymised" if anonymise else "")
    left, right = st.columns(2)
    left.download_button(
        "Download the PDF (A4)",
        files.pdf,
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="pack_pdf",
        on_click="ignore",
    )
    right.download_button(
        "Download the HTML file (opens offline)",
        files.html,
        file_name=f"{stem}.html",
        mime="text/html",
        key="pack_html",
        on_click="ignore",
    )
