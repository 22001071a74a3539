"""Actions in the app: the actions a learning-set meeting agreed, with an owner, a due date and
a status, added, edited and closed on the Peer notes page and listed on the Networks page.

Pages use:

- :func:`action_form` — "Add an action": what, owner, due date, the practices concerned (none:
  the network as a whole), the indicator (default the chosen one), and optionally the date the
  change started (an *intervention*, drawn on the trend and SPC charts and judged "did it
  work?"). The author's name is remembered from the last form, as the notes forms do.
- :func:`open_actions` — a network's open actions, overdue first, as a compact table with
  their count in the heading (every network's, with a Network column, when none is chosen).
- :func:`action_list` — each action with its status, owner and due date (overdue said in
  words and with a symbol, never by colour alone), buttons to close it as Done or Dropped
  (or reopen it) and a form to edit its text, owner, due date and start date.

Everything is saved through :class:`~netcompare.notes.NotesRepository` in widget callbacks
(before the rerun, so the change shows on the same rerun); a store that cannot be reached or
a rule broken is said in a readable message above the form, and the text typed is kept.
Action text, owners and authors are free text: shown with ``st.text`` or through
:func:`netcompare.text.literal`, never as Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import polars as pl
import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.errors import UserError
from netcompare.notes import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    Note,
    NoteConflict,
    NoteValidationError,
)
from netcompare.notes.note import STATUS_LABELS
from netcompare.redact import mask_secrets
from netcompare.text import literal
from netcompare.ui.notes import (
    AUTHOR_KEY,
    EARLIEST_DATE,
    NOT_FOR_UPLOADS,
    NOT_SAVED_KEPT,
    UNAVAILABLE,
    _flash,
    _forget_typed,
    _keep_typed,
    _remember_author,
    _restore_typed,
    _show_flash,
    acting,
    author_input,
    clear_notes_cache,
    find_actions,
    find_notes,
    may_change,
    may_write,
    notes_available,
    notes_kept_here,
    notes_store,
)
from netcompare.ui.views import cached_view
from netcompare.views.common import ViewOptions
from netcompare.views.notes import WorkedHere, what_works_here

MAX_OWNER_CHARS = MAX_AUTHOR_CHARS
OVERDUE_SYMBOL = "⚠"  # with the word "Overdue": never colour alone
NO_INDICATOR = ""  # the indicator choice for an action about no one indicator
ACTION_FIELDS = ("body", "owner", "due", "practices", "indicator", "started", "author")
EDIT_FIELDS = ("body", "owner", "due", "started")
OPEN_ACTION_COLUMNS = ("Action", "Owner", "Due", "Status", "Practices")
DATE_FORMAT = "DD/MM/YYYY"
SHORT_ACTION_CHARS = 70  # an action's text in the compact table (in full in the list)


def date_words(day: dt.date | None) -> str:
    """``3 Oct 2026`` (or "no date")."""
    return "no date" if day is None else f"{day.day} {day:%b %Y}"


def status_words(note: Note, today: dt.date, *, with_date: bool = True) -> str:
    """An action's status in words: "⚠ Overdue (due 3 Oct 2026)" (without ``with_date``,
    beside a due date column: "⚠ Overdue"), "Open", "Done", "Dropped"."""
    if note.is_overdue(today):
        due = f" (due {date_words(note.due_date)})" if with_date else ""
        return f"{OVERDUE_SYMBOL} Overdue{due}"
    return STATUS_LABELS.get(note.status or "open", note.status or "Open")


def practices_words(
    note: Note, practice_label: Callable[[str], str], *, network_name: str | None = None
) -> str:
    """The practices an action concerns, by label; "The whole network" when none."""
    if not note.concerns:
        return f"The whole network ({network_name})" if network_name else "The whole network"
    return ", ".join(practice_label(p) for p in note.concerns)


def overdue_first(actions: Sequence[Note], today: dt.date) -> list[Note]:
    """Overdue actions first (longest overdue first), then the rest by due date."""
    return sorted(
        actions,
        key=lambda n: (
            not n.is_overdue(today),
            n.due_date or dt.date.max,
            n.created_at,
        ),
    )


def open_actions_table(
    actions: Sequence[Note],
    today: dt.date,
    *,
    practice_label: Callable[[str], str],
    network_names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The open actions as a compact table, overdue first: action (its first words), owner,
    due date, status in words, practices concerned; with ``network_names`` a Network column
    first (when actions of several networks are listed)."""
    rows = overdue_first([a for a in actions if a.status == "open"], today)

    def short(text: str) -> str:
        one_line = " ".join(text.split())
        if len(one_line) <= SHORT_ACTION_CHARS:
            return one_line
        return one_line[: SHORT_ACTION_CHARS - 1].rstrip() + "…"

    table = pl.DataFrame(
        {
            "Network": [(network_names or {}).get(a.network_id, a.network_id) for a in rows],
            "Action": [short(a.body) for a in rows],
            "Owner": [a.owner or "" for a in rows],
            "Due": [a.due_date for a in rows],
            "Status": [status_words(a, today, with_date=False) for a in rows],
            "Practices": [practices_words(a, practice_label) for a in rows],
        },
        schema={
            "Network": pl.String,
            "Action": pl.String,
            "Owner": pl.String,
            "Due": pl.Date,
            "Status": pl.String,
            "Practices": pl.String,
        },
    )
    return table if network_names is not None else table.drop("Network")


def open_actions(
    network_id: str | None,
    *,
    practice_label: Callable[[str], str],
    network_names: Mapping[str, str],
    today: dt.date | None = None,
    key: str,
    show_text: bool = True,
) -> list[Note]:
    """The open actions of ``network_id`` (None: every network, with a Network column),
    overdue first, under a heading with their count; returns them. If notes are unavailable,
    the page's one warning says so and nothing is counted. ``show_text`` False leaves out
    the action's text and owner (free text: anonymised practices)."""
    today = today or dt.date.today()
    network_words = (
        network_names.get(network_id, network_id) if network_id is not None else "all networks"
    )
    store = notes_store()
    actions = (
        find_actions(network_ids=None if network_id is None else [network_id], statuses=["open"])
        if store is not None
        else []
    )
    if store is None or not notes_available():
        st.subheader(literal(f"Open actions, {network_words}"))
        st.caption("Actions are not shown until the notes database answers again.")
        return []
    n_overdue = sum(a.is_overdue(today) for a in actions)
    count = "1 open action" if len(actions) == 1 else f"{len(actions)} open actions"
    overdue = f", {n_overdue} overdue" if n_overdue else ""
    st.subheader(literal(f"{count}{overdue} · {network_words}"))
    if not actions:
        st.caption(
            "None open. Actions agreed at a meeting are added on the Peer notes page."
            if network_id is not None
            else "None open in any network."
        )
        return []
    table = open_actions_table(
        actions,
        today,
        practice_label=practice_label,
        network_names=network_names if network_id is None else None,
    )
    if not show_text:
        table = table.drop("Action", "Owner")
        st.caption("The actions' text and owners are hidden while practices are anonymised.")
    st.dataframe(
        table,
        hide_index=True,
        key=f"{key}_open_actions",
        column_config={
            # the text in full is in the list of actions: a wide column, not the screen
            "Action": st.column_config.TextColumn(width="large"),
            "Due": st.column_config.DateColumn(format="D MMM YYYY"),
            "Status": st.column_config.TextColumn(
                help=f"{OVERDUE_SYMBOL} Overdue: still open after its due date"
            ),
        },
    )
    if network_id is None:
        st.caption("Choose a network in the sidebar to add, edit or close its actions.")
    return overdue_first(actions, today)


_what_works_cached = cached_view(what_works_here)


def what_works(
    data: DataSet,
    network_id: str,
    options: ViewOptions,
    *,
    until: dt.date | None,
    hide_text: bool = False,
) -> list[WorkedHere]:
    """What works here: the network's dated actions and practice notes whose verdict is
    improvement (:func:`netcompare.views.notes.what_works_here`, cached on the notes' ids
    and update times); [] if notes are unavailable (the page is warned once)."""
    dated = tuple(
        n for n in find_notes(network_ids=[network_id], limit=None) if n.intervention is not None
    )
    if not dated:
        return []
    return _what_works_cached(data, network_id, dated, options, until=until, hide_text=hide_text)


# -- adding an action ---------------------------------------------------------------------------


def _clean_date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _save_action(form_key: str, network_id: str, period: dt.date | None) -> None:
    """Form callback: add the action typed in the form (before the rerun)."""
    state = st.session_state
    if not notes_kept_here():  # the form is not offered; nor is a write taken
        _flash(form_key, "error", NOT_FOR_UPLOADS)
        return
    store = notes_store(warn=False)
    if store is None:
        _keep_typed(form_key, ACTION_FIELDS)
        _flash(form_key, "warning", f"{UNAVAILABLE} The action was not saved; {NOT_SAVED_KEPT}")
        return
    indicator = state.get(f"{form_key}_indicator") or None
    due = _clean_date(state.get(f"{form_key}_due"))
    if due is None:
        _flash(form_key, "error", "Not saved: an action needs a due date (“Due by”).")
        return
    try:
        action = store.add_action(
            actor=acting(),
            network_id=network_id,
            body=state.get(f"{form_key}_body", ""),
            author=state.get(f"{form_key}_author", ""),
            owner=state.get(f"{form_key}_owner", ""),
            due_date=due,
            practice_ids=list(state.get(f"{form_key}_practices") or []),
            indicator_id=indicator,
            intervention_date=_clean_date(state.get(f"{form_key}_started")),
            period=period if indicator else None,
        )
    except NoteValidationError as exc:
        _flash(form_key, "error", f"Not saved: {exc}.")
        return
    except UserError as exc:
        _keep_typed(form_key, ACTION_FIELDS)
        _flash(form_key, "warning", mask_secrets(f"Not saved. {exc} Also, {NOT_SAVED_KEPT}"))
        return
    _forget_typed(form_key)
    clear_notes_cache()
    state[AUTHOR_KEY] = action.author
    for name in ("body", "owner"):
        state[f"{form_key}_{name}"] = ""
    for name in ("due", "started"):
        state[f"{form_key}_{name}"] = None
    state[f"{form_key}_practices"] = []
    owner = action.owner or ""
    _flash(form_key, "success", f"Saved: action for {owner}, due {date_words(action.due_date)}.")


def action_form(
    *,
    network_id: str,
    practice_ids: Sequence[str],
    practice_label: Callable[[str], str],
    indicator_names: Mapping[str, str],
    indicator_id: str | None,
    period: dt.date | None = None,
    key: str = "page",
) -> None:
    """The "Add an action" form for ``network_id``: what, owner, due date, practices concerned (of
    ``practice_ids``; none: the whole network), indicator (default ``indicator_id``), and
    the date the change started (optional). ``period``: the meeting's period, kept with an
    action about an indicator. ``key`` must be unique on the page."""
    if not may_write(network_id, what="actions"):
        return
    form_key = f"actions_form_{key}"
    state = st.session_state
    _restore_typed(form_key)
    _remember_author(form_key)
    indicator_options = [NO_INDICATOR, *indicator_names]
    # The indicator follows the page's until the user picks another one in the form.
    default_key = f"{form_key}__indicator_default"
    default = indicator_id if indicator_id in indicator_names else NO_INDICATOR
    chosen = state.get(f"{form_key}_indicator")
    if chosen not in indicator_options or chosen == state.get(default_key):
        state[f"{form_key}_indicator"] = default
    state[default_key] = default
    state[f"{form_key}_practices"] = [
        p for p in state.get(f"{form_key}_practices") or [] if p in practice_ids
    ]
    _show_flash(form_key)
    with st.form(form_key, clear_on_submit=False):
        st.text_area(
            "What will be done",
            key=f"{form_key}_body",
            max_chars=MAX_BODY_CHARS,
            placeholder="Recall coordinator phones every child overdue for MMR1 each Friday",
        )
        left, right = st.columns(2)
        left.text_input(
            "Owner",
            key=f"{form_key}_owner",
            max_chars=MAX_OWNER_CHARS,
            placeholder="e.g. the practice manager",
        )
        right.date_input(
            "Due by",
            value=None,
            min_value=EARLIEST_DATE,
            key=f"{form_key}_due",
            format=DATE_FORMAT,
        )
        left.multiselect(
            "Practices concerned (none: the whole network)",
            list(practice_ids),
            format_func=practice_label,
            key=f"{form_key}_practices",
        )
        right.selectbox(
            "Indicator",
            indicator_options,
            format_func=lambda i: indicator_names.get(i, i) if i else "No particular indicator",
            key=f"{form_key}_indicator",
        )
        left.date_input(
            "Change started on (optional)",
            value=None,
            min_value=EARLIEST_DATE,
            key=f"{form_key}_started",
            format=DATE_FORMAT,
            help="When the change began (now, or later by editing the action). A dated action "
            "is drawn on the trend and SPC charts of its practices and indicator, and the "
            "Trends page says whether it worked.",
        )
        author_input(form_key, where=right)
        st.form_submit_button(
            "Save action", on_click=_save_action, args=(form_key, network_id, period)
        )


# -- each action: close, reopen, edit ------------------------------------------------------------


def _set_status(flash_key: str, note_uid: str, status: str) -> None:
    if not notes_kept_here():  # the form is not offered; nor is a write taken
        _flash(flash_key, "error", NOT_FOR_UPLOADS)
        return
    store = notes_store(warn=False)
    if store is None:
        _flash(flash_key, "warning", f"{UNAVAILABLE} The action was not changed; try again.")
        return
    try:
        action = store.set_action_status(note_uid, status, actor=acting())
    except UserError as exc:
        _flash(flash_key, "warning", mask_secrets(f"Not changed. {exc}."))
        return
    clear_notes_cache()
    word = {"open": "Reopened", "done": "Marked done", "dropped": "Dropped"}.get(status, status)
    short = action.body if len(action.body) <= 60 else action.body[:59] + "…"
    _flash(flash_key, "success", f"{word}: {short}")


def _save_edit(form_key: str, flash_key: str, note_uid: str, updated_at: dt.datetime) -> None:
    state = st.session_state
    if not notes_kept_here():  # the form is not offered; nor is a write taken
        _flash(flash_key, "error", NOT_FOR_UPLOADS)
        return
    store = notes_store(warn=False)
    if store is None:
        _keep_typed(form_key, EDIT_FIELDS)
        _flash(flash_key, "warning", f"{UNAVAILABLE} The change was not saved; {NOT_SAVED_KEPT}")
        return
    due = _clean_date(state.get(f"{form_key}_due"))
    if due is None:
        _flash(flash_key, "error", "Not saved: an action needs a due date (“Due by”).")
        return
    try:
        store.update_action(
            note_uid,
            actor=acting(),
            body=state.get(f"{form_key}_body", ""),
            owner=state.get(f"{form_key}_owner", ""),
            due_date=due,
            intervention_date=_clean_date(state.get(f"{form_key}_started")),
            expected_updated_at=updated_at,
        )
    except NoteValidationError as exc:
        _flash(flash_key, "error", f"Not saved: {exc}.")
        return
    except NoteConflict:
        _forget_typed(form_key)
        for name in EDIT_FIELDS:  # the form shows their version on the next run
            state.pop(f"{form_key}_{name}", None)
        clear_notes_cache()
        _flash(
            flash_key,
            "warning",
            "Not saved: someone else changed this action while you were editing it. It now "
            "shows their version: make your change again.",
        )
        return
    except UserError as exc:
        _keep_typed(form_key, EDIT_FIELDS)
        _flash(flash_key, "warning", mask_secrets(f"Not saved. {exc}. Also, {NOT_SAVED_KEPT}"))
        return
    _forget_typed(form_key)
    for name in EDIT_FIELDS:  # read again from the saved action on the next run
        state.pop(f"{form_key}_{name}", None)
    clear_notes_cache()
    _flash(flash_key, "success", "Action saved.")


def action_details(
    note: Note,
    *,
    practice_label: Callable[[str], str],
    indicator_names: Mapping[str, str],
) -> str:
    """An action's details as plain text (escape it to show it): owner, due date, practices,
    indicator, when the change started, who added it and when."""
    parts = [
        f"Owner: {note.owner or ''}",
        f"Due {date_words(note.due_date)}",
        practices_words(note, practice_label),
    ]
    if note.indicator_id:
        parts.append(indicator_names.get(note.indicator_id, note.indicator_id))
    if note.intervention_date is not None:
        parts.append(f"change started {date_words(note.intervention_date)}")
    parts.append(f"added by {note.author} on {date_words(note.created_at.date())}")
    return " · ".join(parts)


def _edit_form(note: Note, *, key: str, flash_key: str) -> None:
    form_key = f"action_edit_{key}_{note.note_uid}"
    state = st.session_state
    _restore_typed(form_key)
    # A field not yet on the screen starts from the saved action.
    saved = {
        "body": note.body,
        "owner": note.owner or "",
        "due": note.due_date,
        "started": note.intervention_date,
    }
    # Changed elsewhere since the form was filled (another user, a status change): start again
    # from the action as saved now.
    if state.get(f"{form_key}__from") != note.updated_at:
        for name in EDIT_FIELDS:
            state.pop(f"{form_key}_{name}", None)
        state[f"{form_key}__from"] = note.updated_at
    for name, value in saved.items():
        state.setdefault(f"{form_key}_{name}", value)
    with st.form(form_key, clear_on_submit=False):
        st.text_area("What will be done", key=f"{form_key}_body", max_chars=MAX_BODY_CHARS)
        c1, c2, c3 = st.columns(3)
        c1.text_input("Owner", key=f"{form_key}_owner", max_chars=MAX_OWNER_CHARS)
        c2.date_input(
            "Due by", value=None, min_value=EARLIEST_DATE, key=f"{form_key}_due", format=DATE_FORMAT
        )
        c3.date_input(
            "Change started on (optional)",
            value=None,
            min_value=EARLIEST_DATE,
            key=f"{form_key}_started",
            format=DATE_FORMAT,
        )
        st.form_submit_button(
            "Save changes",
            on_click=_save_edit,
            args=(form_key, flash_key, note.note_uid, note.updated_at),
        )


def action_list(
    actions: Sequence[Note],
    *,
    practice_label: Callable[[str], str],
    indicator_names: Mapping[str, str],
    key: str,
    today: dt.date | None = None,
    show_text: bool = True,
) -> None:
    """Each action in a box: its status line, its text, "Done" / "Dropped" buttons (an open
    action) or "Reopen" (a closed one), and an "Edit" form. ``show_text`` False hides the
    text, owner and author (anonymised practices) and offers no controls."""
    today = today or dt.date.today()
    for note in actions:
        widget_key = f"action_{key}_{note.note_uid}"
        # Not the list's key: "Done" moves an action to the closed list, which says so.
        flash_key = f"action_{note.note_uid}"
        with st.container(border=True):
            _show_flash(flash_key)
            if not show_text:
                due = f"Due {date_words(note.due_date)}"
                st.markdown(f"**{literal(status_words(note, today))}** · {literal(due)}")
                st.caption("Text hidden while practices are anonymised.")
                continue
            details = action_details(
                note, practice_label=practice_label, indicator_names=indicator_names
            )
            status = status_words(note, today, with_date=False)  # the due date follows
            st.markdown(f"**{literal(status)}** · {literal(details)}")
            st.text(note.body)
            if not may_change(note):
                continue  # read only: not its author, nor the network's lead
            row = st.container(horizontal=True)
            if note.status == "open":
                row.button(
                    "Done",
                    key=f"{widget_key}_done",
                    icon=":material/check:",
                    on_click=_set_status,
                    args=(flash_key, note.note_uid, "done"),
                    help="Close the action: it was done",
                )
                row.button(
                    "Dropped",
                    key=f"{widget_key}_dropped",
                    icon=":material/close:",
                    on_click=_set_status,
                    args=(flash_key, note.note_uid, "dropped"),
                    help="Close the action: the meeting decided not to do it",
                )
            else:
                row.button(
                    "Reopen",
                    key=f"{widget_key}_reopen",
                    icon=":material/undo:",
                    on_click=_set_status,
                    args=(flash_key, note.note_uid, "open"),
                )
            with st.expander("Edit this action"):
                _edit_form(note, key=key, flash_key=flash_key)
