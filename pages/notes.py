"""Peer notes: who is doing significantly better or improving most, and what they do."""

import dataclasses
import datetime as dt

import streamlit as st

from netcompare.errors import UserError
from netcompare.notes import Note
from netcompare.notes.render import note_header_markdown
from netcompare.text import literal
from netcompare.ui.actions import (
    action_form,
    action_list,
    open_actions,
    overdue_first,
    what_works,
)
from netcompare.ui.context import current_view
from netcompare.ui.definition import definition_button
from netcompare.ui.judgement import judgement_choice
from netcompare.ui.linked import linked_multiselect
from netcompare.ui.notes import (
    NOT_FOR_UPLOADS,
    answer_form,
    export_buttons,
    find_actions,
    find_notes,
    known_tags,
    note_counts,
    note_form,
    notes_available,
    notes_kept_here,
    notes_store,
    render_note,
    thread_notes,
)
from netcompare.ui.views import improvers_view, practice_label_map, significantly_better
from netcompare.ui.widgets import profile_button, table_download
from netcompare.views.common import LABEL_NAMES, practice_link_names, practice_network_map
from netcompare.views.format import (
    SECOND_METHOD_COLUMN,
    VERDICT_COLUMN,
    period_label,
    with_note_counts,
)
from netcompare.views.notes import indicator_name_map, network_name_map, practices_to_hear_from

MAX_THREADS = 50  # notes shown in the list; the downloads hold every match

view = current_view()
data, f = view.data, view.filters
options = f.view_options()
labels = practice_label_map(data, options)
indicator_names = indicator_name_map(data)
network_names = network_name_map(data)
practice_network = practice_network_map(data)

st.title("Peer notes: what are they doing?")
st.caption(
    "If they can achieve it, why can't we? The practices doing significantly better than "
    "their peers and those improving fastest, with their notes on what works. Anyone can add "
    "a note or ask a practice a question."
)

if not notes_kept_here():
    st.info(literal(NOT_FOR_UPLOADS), icon=":material/info:")

show_text = True
if f.anonymised:
    st.warning(
        "Practices are anonymised, but notes are free text written by people: they may name "
        "practices, staff or patients. Note text and authors are hidden; show them only if "
        "everyone who can see this screen may read them.",
        icon=":material/warning:",
    )
    show_text = st.toggle("Show note text and authors", key="notes_show_text", value=False)


def practice_label(practice_id: str) -> str:
    if practice_id in labels:
        return labels[practice_id]
    return practice_id if options.labels == LABEL_NAMES else "A practice not in this data set"


def show_note(note: Note, *, with_practice: bool = False) -> None:
    """One note, safely: the header escaped, the body as plain text (or hidden)."""
    if with_practice:
        network = network_names.get(note.network_id, note.network_id)
        who = (
            ", ".join(practice_label(p) for p in note.concerns)
            if note.concerns
            else "The whole network"
        )
        st.markdown(f"**{literal(who)}** · {literal(network)}")
        if note.practice_id in labels:
            profile_button(
                note.practice_id,
                practice_label(note.practice_id),
                key=f"notes_profile_note_{note.note_uid}",
            )
    indicator = indicator_names.get(note.indicator_id or "")
    if show_text:
        render_note(note, indicator_label=indicator)
    else:
        st.markdown(
            note_header_markdown(
                # an action's owner is free text too ("owner hidden")
                dataclasses.replace(
                    note, author="author hidden", owner="hidden" if note.owner else None
                ),
                indicator_name=indicator,
            )
        )
        st.caption("Text hidden while practices are anonymised.")


def show_threads(notes: list[Note], *, key: str, with_practice: bool, limit: int) -> None:
    """Notes with each answer under its question, and a form to answer each question."""
    threads = thread_notes(notes)
    for note, answers in threads[:limit]:
        with st.container(border=True):
            show_note(note, with_practice=with_practice)
            for answer in answers:
                show_note(answer)
            if note.kind == "question" and show_text:
                with st.expander("Answer this question" if not answers else "Add an answer"):
                    answer_form(note, key=key)
    if len(threads) > limit:
        st.caption(
            literal(f"Showing the newest {limit} of {len(threads)}: download them all below.")
        )


store = notes_store()  # warns once if the notes database cannot be reached

# -- who to learn from ---------------------------------------------------------------------
if f.indicator_id is None or f.period is None:
    st.info("Choose an indicator with data in the sidebar to see who is doing better.")
else:
    indicator = data.indicator(f.indicator_id)
    when = period_label(f.period, indicator.period_type)
    st.header(literal(f"{indicator.name}, {when}"))
    definition_button(data, f.indicator_id, key="notes_definition")
    judgement = judgement_choice()
    try:
        standouts = significantly_better(
            data,
            f.indicator_id,
            f.period,
            options,
            method=judgement.method,
            benchmark=judgement.benchmark,
        )
    except UserError as exc:
        standouts = None
        st.info(literal(f"No comparison for {when}: {exc}"))
    improvers = improvers_view(data, f.indicator_id, f.period, options)

    if standouts is not None:
        st.subheader(literal(standouts.heading))
        st.caption(literal(standouts.caption))
        if standouts.table.height == 0:
            st.write(literal(standouts.none_found))
        else:
            counts = note_counts(standouts.practice_ids, indicator_id=f.indicator_id)
            standouts_table = with_note_counts(standouts.shown, standouts.practice_ids, counts)
            st.dataframe(
                standouts_table,
                hide_index=True,
                key="notes_standouts",
                column_config={
                    "Value %": st.column_config.NumberColumn(format="%.1f"),
                    VERDICT_COLUMN: st.column_config.TextColumn(
                        help="The judgement every page gives: the funnel plot's limits "
                        "(method and benchmark in the caption above)"
                    ),
                    SECOND_METHOD_COLUMN: st.column_config.TextColumn(
                        help="Wilson 95% and 99.8% confidence intervals against the same "
                        "benchmark (Fingertips): a second method, shown for comparison"
                    ),
                },
            )
            table_download(standouts_table, name=f"standouts_{f.indicator_id}")
    st.subheader(literal(improvers.heading))
    st.caption(literal(improvers.caption))
    if improvers.none_found:
        st.write(literal(improvers.none_found))
    else:
        counts = note_counts(improvers.practice_ids, indicator_id=f.indicator_id)
        improvers_table = with_note_counts(improvers.shown, improvers.practice_ids, counts)
        st.dataframe(
            improvers_table,
            hide_index=True,
            key="notes_improved",
            column_config={
                "Then %": st.column_config.NumberColumn(format="%.1f"),
                "Now %": st.column_config.NumberColumn(format="%.1f"),
                "Change (pts)": st.column_config.NumberColumn(format="%+.1f"),
            },
        )
        table_download(improvers_table, name=f"most_improved_{f.indicator_id}")

    # Their notes: the standouts first (best first), then the most improved.
    focus = practices_to_hear_from(standouts, improvers)
    if focus:
        st.subheader("What they do")
        focus_notes = find_notes(
            practice_ids=focus, indicator_ids=[f.indicator_id], include_general=True
        )
        by_practice: dict[str, list[Note]] = {}
        for note in focus_notes:
            by_practice.setdefault(note.practice_id, []).append(note)
        for pid in focus:
            mine = by_practice.get(pid, [])
            if mine:
                network = network_names.get(practice_network.get(pid, ""), "")
                with st.expander(
                    literal(f"{practice_label(pid)} · {network} · notes: {len(mine)}"),
                    expanded=True,
                    icon=":material/forum:",
                ):
                    show_threads(mine, key=f"focus_{pid}", with_practice=False, limit=10)
                    profile_button(pid, practice_label(pid), key=f"notes_profile_{pid}")
        silent = [practice_label(p) for p in focus if p not in by_practice]
        if silent and notes_available():
            st.caption(
                literal(
                    f"No notes yet from {', '.join(silent)}. What are they doing? Ask them in the "
                    "form below."
                )
            )

practice_ids = sorted(practice_network, key=lambda p: (practice_label(p), p))
network_id = None if f.all_networks else f.network_id

# -- what works here: the changes after which a practice (or the network) improved -----------
st.header("What works here")
if network_id is None:
    st.info("Choose a network in the sidebar to see the changes that worked in it.")
elif store is not None and notes_available():
    st.caption(
        "Dated actions and “what we do” notes of this network after which the practice's "
        "series (or the network's, for an action about the whole network) shows special cause "
        "improvement: the SPC limits from the points before the change, the Making Data Count "
        "rules on the points from it on, as on the Trends page."
    )
    worked = what_works(data, network_id, options, until=f.period, hide_text=not show_text)
    if not worked and notes_available():
        st.write(
            "No change in this network shows an improvement yet. Add the date a change "
            "started to an action or a “what we do” note, and it is judged here and on the "
            "Trends page."
        )
    for item in worked:
        with st.container(border=True):
            who = (
                practice_label(item.practice_id)
                if item.practice_id is not None
                else f"{network_names.get(network_id, network_id)} (the whole network)"
            )
            st.markdown(f"**{literal(who)}** · {literal(item.indicator_name)}")
            st.markdown(f"**{literal(item.words)}**")
            show_note(item.note)
            if item.practice_id in labels:
                profile_button(
                    item.practice_id,
                    practice_label(item.practice_id),
                    key=f"notes_works_profile_{item.note.note_uid}_{item.practice_id}",
                )

# -- actions agreed at the network's meetings -------------------------------------------------
st.header("Actions")
open_actions(
    network_id,
    practice_label=practice_label,
    network_names=network_names,
    key="notes",
    show_text=show_text,
)
if network_id is not None:
    network_practices = [p for p in practice_ids if practice_network[p] == network_id]
    with st.expander("Add an action", expanded=False, icon=":material/add_task:"):
        action_form(
            network_id=network_id,
            practice_ids=network_practices,
            practice_label=practice_label,
            indicator_names=indicator_names,
            indicator_id=f.indicator_id,
            period=f.period,
        )
    if store is not None and notes_available():
        actions = find_actions(network_ids=[network_id])
        open_ones = overdue_first([a for a in actions if a.status == "open"], dt.date.today())
        closed = [a for a in actions if a.status != "open"]
        action_list(
            open_ones,
            practice_label=practice_label,
            indicator_names=indicator_names,
            key="open",
            show_text=show_text,
        )
        if closed:
            with st.expander(literal(f"Closed actions ({len(closed)})")):
                action_list(
                    closed,
                    practice_label=practice_label,
                    indicator_names=indicator_names,
                    key="closed",
                    show_text=show_text,
                )

# -- add a note -------------------------------------------------------------------------------
st.header("Add a note or ask a question")
if practice_ids:  # shown even when notes are unavailable: a note being typed stays
    default = practice_ids.index(f.practice_id) if f.practice_id in practice_ids else 0
    pick_col, about_col = st.columns(2)
    practice_id = pick_col.selectbox(
        "Practice",
        practice_ids,
        index=default,
        format_func=lambda p: f"{practice_label(p)} · {network_names.get(practice_network[p], '')}",
        key="notes_add_practice",
    )
    about_indicator = f.indicator_id is not None
    if f.indicator_id is not None:
        about = about_col.radio(
            "About",
            ["indicator", "general"],
            format_func=lambda v: literal(
                indicator_names[f.indicator_id] if v == "indicator" else "The practice in general"
            ),
            key="notes_add_about",
            horizontal=True,
        )
        about_indicator = about == "indicator"
    note_form(
        practice_id=practice_id,
        network_id=practice_network[practice_id],
        key="page",
        indicator_id=f.indicator_id if about_indicator else None,
        period=f.period if about_indicator else None,
        practice_label=practice_label(practice_id),
    )

# -- every note, filtered ---------------------------------------------------------------------
st.header("All notes")


network_ids = list(network_names)  # in name order
c1, c2, c3, c4 = st.columns(4)
chosen_networks = linked_multiselect(
    c1.multiselect,
    "Network",
    network_ids,
    format_func=lambda n: network_names.get(n, n),
    key="notes_network",
)
listed = [p for p in practice_ids if not chosen_networks or practice_network[p] in chosen_networks]
link_names = practice_link_names(data, options)
chosen_practices = linked_multiselect(
    c2.multiselect,
    "Practice",
    listed,
    format_func=practice_label,
    link_name=lambda p: link_names.get(p, p),
    key="notes_practice",
)
chosen_tags = linked_multiselect(c3.multiselect, "Tag", known_tags(), key="notes_tag")
indicator_ids = list(indicator_names)
chosen_indicators = linked_multiselect(
    c4.multiselect,
    "Indicator",
    indicator_ids,
    format_func=lambda i: indicator_names.get(i, i),
    key="notes_indicator",
)
text = st.text_input("Search the text", key="notes_text", bind="query-params")

notes = find_notes(
    practice_ids=chosen_practices or None,
    network_ids=chosen_networks or None,
    indicator_ids=chosen_indicators or None,
    tags=chosen_tags or None,
    text=text,
    limit=None,
)
n_top = len(thread_notes(notes))
matches = "1 note matches" if len(notes) == 1 else f"{len(notes)} notes match"
if notes_available():  # never "0 notes match" when they could not be read
    st.caption(
        literal(f"{matches} ({n_top} {'thread' if n_top == 1 else 'threads'}), newest first.")
    )
if notes:
    show_threads(notes, key="list", with_practice=True, limit=MAX_THREADS)
    if show_text:
        export_buttons(
            notes,
            key="notes_export",
            file_stem=f"peer-notes-{dt.date.today().isoformat()}",
            practice_names=labels if options.labels == LABEL_NAMES else None,
            indicator_names=indicator_names,
        )
elif store is not None and notes_available():
    st.write("No notes match these filters.")
