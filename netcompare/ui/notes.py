"""Peer notes in the app: the store connection, cached counts and lists, and the note widgets.

Pages use:

- :func:`note_counts` / :func:`note_count_map` — notes per practice, to show beside every
  practice (league table row, funnel point, RAG cell, trend). Cached for
  :data:`CACHE_TTL_S` seconds on small keys (URL, practice ids, indicator), cleared after a
  write, so a note someone saves shows up at once for them and within seconds for everyone.
- :func:`notes_panel` — one practice's notes (questions with their answers and an answer
  form), and a form to add a note or ask a question. :func:`notes_popover` puts the panel
  behind a "3 notes" button (a speech-bubble icon) for one practice.
- :func:`render_note` — the only way a note is shown: the header line escaped as Markdown,
  the body through ``st.text`` (never parsed as Markdown or HTML).
- :func:`export_buttons` — download notes as CSV or Markdown (meeting minutes).

The database URL: ``NETCOMPARE_DB_URL``, else Streamlit secrets (``db_url`` at the top level
or ``url`` in a ``[notes]`` table), else the user's SQLite file (seeded with the sample notes
on first run).

If the store cannot be reached or does not answer (every call is bounded by
:mod:`netcompare.dbwait`'s deadline, a few seconds), the page says so once — a "Notes
unavailable" warning (:func:`warn_notes_unavailable`) — and shows no counts rather than zeros
(``n_notes`` is null, :func:`notes_available` is False for the rest of the run); a note being
typed stays in its form (and is put back if the form was not shown meanwhile); the rest of the
page carries on. A failed read is never cached, so the next run after the store is back shows
the notes again; opening is retried at most every :data:`RETRY_S` seconds.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from netcompare.access.viewer import Viewer
from netcompare.dbwait import deadline_s
from netcompare.errors import UserError
from netcompare.notes import (
    KIND_LABELS,
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    Note,
    NotesRepository,
    NotesUnavailable,
    NoteValidationError,
    count_notes,
    notes_to_csv,
    notes_to_markdown,
    open_notes_store,
    resolve_db_url,
)
from netcompare.notes.render import note_header_markdown
from netcompare.notes.repository import COUNTS_SCHEMA
from netcompare.redact import mask_secrets
from netcompare.text import literal
from netcompare.ui.viewer import current_viewer
from netcompare.views.notes import visible_notes

CACHE_TTL_S = 30  # successful reads only: a failed read raises and is never cached
RETRY_S = 5.0  # after a failed open, the next attempt waits this long (read at each call)
UNAVAILABLE = "Notes unavailable."
AUTHOR_KEY = "netcompare_notes_author"  # remembers the name typed last, for the next form
# Actions have their own form (netcompare.ui.actions), with an owner and a due date.
NOTE_KINDS_IN_FORM: tuple[str, ...] = ("practice_note", "question")


# -- where the notes are -----------------------------------------------------------------


def notes_db_url() -> str:
    """The notes database URL: ``NETCOMPARE_DB_URL``, else the secrets' ``db_url`` (in
    ``[netcompare]``, at the top level, or ``[notes] url``), else the default file."""
    return resolve_db_url()


@dataclass
class _StoreSlot:
    """One URL's store, or why it could not be opened and when that was last tried."""

    repository: NotesRepository | None = None
    error: str | None = None
    failed_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(max_entries=8, show_spinner=False)
def _store_slot(url: str) -> _StoreSlot:
    return _StoreSlot()


def _open(url: str) -> NotesRepository:
    slot = _store_slot(url)
    if slot.repository is not None:
        return slot.repository
    # Not blocking on the lock: while another session is opening the store (waiting up to
    # the deadline on a server that does not answer), this one reports it unavailable.
    if not slot.lock.acquire(timeout=deadline_s()):
        raise NotesUnavailable("The notes database is still being opened; try again")
    try:
        if slot.repository is not None:
            return slot.repository
        if slot.error is not None and time.monotonic() - slot.failed_at < RETRY_S:
            raise NotesUnavailable(slot.error)
        try:
            slot.repository = open_notes_store(url)
        except UserError as exc:  # unreachable, read-only, bad URL, invalid seed file
            slot.error, slot.failed_at = str(exc), time.monotonic()
            raise NotesUnavailable(str(exc)) from None
        slot.error = None
        return slot.repository
    finally:
        slot.lock.release()


_RUN_ATTR = "_netcompare_notes_unavailable"  # on the ScriptRunContext: (this run's marker, why)


def _this_run() -> tuple[object, object] | None:
    """The run's context and a marker unique to this run (Streamlit makes a new ``cursors``
    dict at the start of every run; holding the old one keeps its identity unique)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    marker = getattr(ctx, "cursors", None)  # None outside a script run: warn every time
    return None if ctx is None or marker is None else (ctx, marker)


def warn_notes_unavailable(reason: object) -> None:
    """Say "Notes unavailable" and why — once per run of a page, however many reads failed —
    and make :func:`notes_available` False for the rest of the run."""
    run = _this_run()
    if run is not None:
        ctx, marker = run
        seen = getattr(ctx, _RUN_ATTR, None)
        if seen is not None and seen[0] is marker:
            return
        setattr(ctx, _RUN_ATTR, (marker, str(reason)))
    st.warning(
        literal(
            mask_secrets(f"{UNAVAILABLE} {reason} Counts are not shown until it answers again.")
        ),
        icon=":material/warning:",
    )


def notes_available() -> bool:
    """False once a notes read or the store's opening has failed in this run of the page."""
    run = _this_run()
    if run is None:
        return True
    ctx, marker = run
    seen = getattr(ctx, _RUN_ATTR, None)
    return not (seen is not None and seen[0] is marker)


def notes_store(*, warn: bool = True) -> NotesRepository | None:
    """The notes store for :func:`notes_db_url`, opened (and upgraded) once per process.

    None if it cannot be used; with ``warn``, :func:`warn_notes_unavailable` says why.
    """
    if warn and not notes_available():
        return None  # already said on this run, and waited on at most once
    try:
        return _open(notes_db_url())
    except NotesUnavailable as exc:
        if warn:
            warn_notes_unavailable(exc)
        return None


def clear_notes_cache() -> None:
    """Forget cached counts and lists (called after every write)."""
    _counts_cached.clear()
    _notes_cached.clear()
    _tags_cached.clear()
    _actions_cached.clear()
    _interventions_cached.clear()


# -- cached reads ------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL_S, max_entries=256, show_spinner=False)
def _counts_cached(
    url: str,
    practice_ids: tuple[str, ...] | None,
    indicator_id: str | None,
    include_general: bool,
) -> pl.DataFrame:
    return _open(url).note_counts(
        practice_ids, indicator_id=indicator_id, include_general=include_general
    )


def note_counts(
    practice_ids: Iterable[str] | None = None,
    *,
    indicator_id: str | None = None,
    include_general: bool = True,
) -> pl.DataFrame:
    """``practice_id``, ``n_notes``, ``n_open_questions``.

    With ``practice_ids``, one row per id in that order; see
    :meth:`~netcompare.notes.NotesRepository.note_counts`. Join onto a table with
    :func:`netcompare.notes.with_note_counts`. Do not mutate the returned frame.
    If notes are unavailable, the counts are null (unknown, never 0) and the page is warned
    once (:func:`warn_notes_unavailable`).

    Signed in, the counts are of the notes this viewer may read (:func:`readable`): "3 notes"
    beside a practice opens three notes, and a viewer in no network counts none.
    """
    ids = None if practice_ids is None else tuple(dict.fromkeys(practice_ids))
    unknown = pl.DataFrame(
        {"practice_id": list(ids or ()), "n_notes": None, "n_open_questions": None},
        schema=COUNTS_SCHEMA,
    )
    if not notes_available():  # one wait per run at most: it already failed on this run
        return unknown
    if not notes_kept_here():
        return count_notes([], ids or ())
    if current_viewer().signed_in:
        found = find_notes(
            practice_ids=ids,
            indicator_ids=indicator_id,
            include_general=include_general,
            limit=None,
        )  # already only the readable ones
        if not notes_available():
            return unknown
        filed = ids if ids is not None else sorted({n.practice_id for n in found if n.practice_id})
        return count_notes(found, filed)
    try:
        return _counts_cached(notes_db_url(), ids, indicator_id, include_general)
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return unknown


def note_count_map(
    practice_ids: Iterable[str] | None = None, *, indicator_id: str | None = None
) -> dict[str, int]:
    """``{practice_id: n_notes}``, from :func:`note_counts` ({} if notes are unavailable)."""
    counts = note_counts(practice_ids, indicator_id=indicator_id).drop_nulls("n_notes")
    return dict(zip(counts["practice_id"].to_list(), counts["n_notes"].to_list(), strict=True))


@st.cache_data(ttl=CACHE_TTL_S, max_entries=256, show_spinner=False)
def _notes_cached(
    url: str,
    practice_ids: tuple[str, ...] | None,
    network_ids: tuple[str, ...] | None,
    indicator_ids: tuple[str, ...] | None,
    include_general: bool,
    tags: tuple[str, ...] | None,
    kinds: tuple[str, ...] | None,
    text: str | None,
    limit: int | None,
) -> list[Note]:
    return _open(url).list_notes(
        practice_ids=practice_ids,
        network_ids=network_ids,
        indicator_ids=indicator_ids,
        include_general=include_general,
        tags=tags,
        kinds=kinds,
        text=text,
        limit=limit,
    )


def _tuple(values: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return (values,)
    return tuple(sorted(set(values)))


def readable(notes: Sequence[Note]) -> list[Note]:
    """Of ``notes``, those this session's viewer may read (every note without sign-in; see
    :func:`netcompare.views.notes.visible_notes`). With sign-in on and no view drawn, none."""
    from netcompare.ui.context import view_if_any

    view = view_if_any()
    if view is None:
        return [] if current_viewer().signed_in else list(notes)
    if not notes_kept_here():
        return []
    return visible_notes(notes, view.data, view.filters.view_options())


NOT_FOR_UPLOADS = (
    "Peer notes are kept with the server's own data sets. Your upload is yours alone, so it "
    "has no notes and none can be added to it."
)


def notes_kept_here() -> bool:
    """Whether the peer notes go with this session's data set: always on a laptop; on a
    shared server, not for an upload. An upload is the visitor's own tables: which network
    a practice is in there, and whether it shares its name, is whatever they wrote, so the
    shared notes store must neither be read nor written through it (the access rules
    decide on the operator's data sets)."""
    from netcompare.config import settings
    from netcompare.ui.context import view_if_any
    from netcompare.ui.dataset import CUSTOM

    view = view_if_any()
    return not (settings().shared and view is not None and view.filters.dataset_key == CUSTOM)


def find_notes(
    *,
    practice_ids: Iterable[str] | str | None = None,
    network_ids: Iterable[str] | str | None = None,
    indicator_ids: Iterable[str] | str | None = None,
    include_general: bool = False,
    tags: Iterable[str] | str | None = None,
    kinds: Iterable[str] | str | None = None,
    text: str | None = None,
    limit: int | None = 500,
) -> list[Note]:
    """Notes matching the filters, newest first (cached; [] if notes are unavailable, and
    the page is warned once: check :func:`notes_available` before saying "no notes").

    Filters as :meth:`~netcompare.notes.NotesRepository.list_notes`; answers are included
    when they match, so group them under their question with :func:`thread_notes`.
    """
    if not notes_available():
        return []
    try:
        found = _notes_cached(
            notes_db_url(),
            _tuple(practice_ids),
            _tuple(network_ids),
            _tuple(indicator_ids),
            include_general,
            _tuple(tags),
            _tuple(kinds),
            text.strip() if text and text.strip() else None,
            limit,
        )
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return []
    return readable(found)


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner=False)
def _tags_cached(url: str) -> list[str]:
    return _open(url).tag_counts()["tag"].to_list()


def known_tags() -> list[str]:
    """Tags in use, most used first (for a tag filter); [] if notes are unavailable."""
    if not notes_available():
        return []
    try:
        return _tags_cached(notes_db_url())
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return []


@st.cache_data(ttl=CACHE_TTL_S, max_entries=128, show_spinner=False)
def _actions_cached(
    url: str, network_ids: tuple[str, ...] | None, statuses: tuple[str, ...] | None
) -> list[Note]:
    return _open(url).list_actions(network_ids=network_ids, statuses=statuses)


def find_actions(
    *,
    network_ids: Iterable[str] | str | None = None,
    statuses: Iterable[str] | str | None = None,
) -> list[Note]:
    """Actions of these networks (every network if None) with these statuses (any if None),
    by due date (cached; [] if notes are unavailable, and the page is warned once)."""
    if not notes_available():
        return []
    try:
        return readable(_actions_cached(notes_db_url(), _tuple(network_ids), _tuple(statuses)))
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return []


@st.cache_data(ttl=CACHE_TTL_S, max_entries=256, show_spinner=False)
def _interventions_cached(
    url: str, network_id: str, indicator_id: str, practice_id: str | None
) -> list[Note]:
    return _open(url).list_interventions(
        network_id=network_id, indicator_id=indicator_id, practice_id=practice_id
    )


def find_interventions(network_id: str, indicator_id: str, practice_id: str | None) -> list[Note]:
    """The dated actions and practice notes to draw on a practice's (or, ``practice_id``
    None, the network's) charts of an indicator, oldest first (cached; [] if notes are
    unavailable, and the page is warned once)."""
    if not notes_available():
        return []
    try:
        return readable(
            _interventions_cached(notes_db_url(), network_id, indicator_id, practice_id)
        )
    except NotesUnavailable as exc:
        warn_notes_unavailable(exc)
        return []


def practice_notes(practice_id: str, indicator_id: str | None = None) -> list[Note]:
    """One practice's notes, newest first: about ``indicator_id`` plus its general notes
    (every note of the practice if ``indicator_id`` is None)."""
    return find_notes(
        practice_ids=[practice_id],
        indicator_ids=None if indicator_id is None else [indicator_id],
        include_general=True,
    )


def thread_notes(notes: Sequence[Note]) -> list[tuple[Note, list[Note]]]:
    """``(note, answers)`` pairs: each answer under its question (oldest answer first);
    answers whose question is not in ``notes`` stand on their own. Order of ``notes`` kept."""
    uids = {n.note_uid for n in notes}
    answers: dict[str, list[Note]] = {}
    for n in notes:
        if n.parent_uid and n.parent_uid in uids:
            answers.setdefault(n.parent_uid, []).append(n)
    return [
        (n, sorted(answers.get(n.note_uid, []), key=lambda a: a.created_at))
        for n in notes
        if not (n.parent_uid and n.parent_uid in uids)
    ]


# -- showing notes -------------------------------------------------------------------------


NOTES_ICON = ":material/forum:"


def notes_count_label(n_notes: int | None, n_open_questions: int | None = 0) -> str:
    """A short label for a notes button (shown with :data:`NOTES_ICON`, a Material icon that
    needs no emoji font): ``"3 notes"``, ``"1 note · 2 open questions"``; ``"Notes
    unavailable"`` when the count is unknown (None), never "0 notes"."""
    if n_notes is None:
        return "Notes unavailable"
    label = f"{n_notes} note" + ("" if n_notes == 1 else "s")
    if n_open_questions:
        questions = "question" if n_open_questions == 1 else "questions"
        label += f" · {n_open_questions} open {questions}"
    return label


def render_note(
    note: Note,
    *,
    practice_label: str | None = None,
    indicator_label: str | None = None,
    show_practice: bool = False,
) -> None:
    """Show one note safely: an escaped Markdown header, the body as plain text."""
    st.markdown(
        note_header_markdown(
            note,
            practice_name=practice_label,
            indicator_name=indicator_label,
            show_practice=show_practice,
        )
    )
    st.text(note.body)


def _flash(form_key: str, level: str, message: str) -> None:
    st.session_state[f"{form_key}__flash"] = (level, message)


def _show_flash(form_key: str) -> None:
    flash = st.session_state.pop(f"{form_key}__flash", None)
    if flash is None:
        return
    level, message = flash
    # As text: a message quotes what someone typed (an action's text, a refused value).
    {"success": st.success, "error": st.error}.get(level, st.warning)(literal(message))


def _remember_author(form_key: str) -> None:
    author_key = f"{form_key}_author"
    if author_key not in st.session_state:
        st.session_state[author_key] = st.session_state.get(AUTHOR_KEY, "")


KEPT_FIELDS = ("body", "author", "tags", "kind", "network", "started")


def _keep_typed(form_key: str, fields: Sequence[str] = KEPT_FIELDS) -> None:
    """Keep what was typed in a form whose save failed, outside the widgets' own state:
    Streamlit forgets a widget's value on a run that does not draw it (a page drawn while
    the store is unavailable), and :func:`_restore_typed` puts it back. ``fields``: the
    form's widgets (keys ``{form_key}_{field}``)."""
    state = st.session_state
    state[f"{form_key}__kept"] = {
        f: state[f"{form_key}_{f}"] for f in fields if f"{form_key}_{f}" in state
    }


def _restore_typed(form_key: str) -> None:
    """Before drawing a form: put back text kept by :func:`_keep_typed` into fields
    Streamlit has forgotten."""
    state = st.session_state
    for name, value in state.get(f"{form_key}__kept", {}).items():
        if f"{form_key}_{name}" not in state:  # the widget was not drawn on the last run
            state[f"{form_key}_{name}"] = value


def _forget_typed(form_key: str) -> None:
    st.session_state.pop(f"{form_key}__kept", None)


EARLIEST_DATE = date(2000, 1, 1)  # the earliest date a date field offers
NOT_SAVED_KEPT = "your text is kept in the form: save it again when notes are back."


def _save_note(
    form_key: str,
    practice_id: str,
    network_id: str | None,
    indicator_id: str | None,
    period: date | None,
) -> None:
    """Form callback: runs before the rerun, so the new note shows on the same rerun."""
    state = st.session_state
    if not notes_kept_here():  # the form is not offered; nor is a write taken
        _flash(form_key, "error", NOT_FOR_UPLOADS)
        return
    store = notes_store(warn=False)
    if store is None:
        _keep_typed(form_key)
        _flash(form_key, "warning", f"{UNAVAILABLE} The note was not saved; {NOT_SAVED_KEPT}")
        return
    kind = state.get(f"{form_key}_kind", "practice_note")
    # Only a "what we do" note is dated as an intervention (a question has no start).
    started = state.get(f"{form_key}_started") if kind == "practice_note" else None
    try:
        note = store.add_note(
            actor=acting(),
            practice_id=practice_id,
            network_id=network_id or state.get(f"{form_key}_network", ""),
            kind=kind,
            body=state.get(f"{form_key}_body", ""),
            author=state.get(f"{form_key}_author", ""),
            tags=state.get(f"{form_key}_tags", ""),
            indicator_id=indicator_id,
            period=period,
            intervention_date=started,
        )
    except NoteValidationError as exc:
        _flash(form_key, "error", f"Not saved: {exc}.")
        return
    except UserError as exc:
        _keep_typed(form_key)
        _flash(form_key, "warning", mask_secrets(f"Not saved. {exc} Also, {NOT_SAVED_KEPT}"))
        return
    _forget_typed(form_key)
    clear_notes_cache()
    state[AUTHOR_KEY] = note.author
    state[f"{form_key}_body"] = ""
    state[f"{form_key}_tags"] = ""
    state[f"{form_key}_started"] = None
    _flash(form_key, "success", f"Saved: {note.kind_label.lower()} for {practice_id}.")


def author_input(form_key: str, *, where: Any = st) -> None:
    """The "Your name and role" box, or, signed in, who the note will be signed by (the
    signed-in identity: nobody signs a note with another name)."""
    viewer = current_viewer()
    if viewer.signed_in:
        where.caption(literal(f"Signed as {viewer.name or viewer.email}"))
        return
    where.text_input("Your name and role", key=f"{form_key}_author", max_chars=MAX_AUTHOR_CHARS)


def acting() -> Viewer | None:
    """The actor to hand the notes store: the signed-in viewer, or None (no sign-in)."""
    viewer = current_viewer()
    return viewer if viewer.signed_in else None


def may_write(network_id: str | None, *, what: str = "notes") -> bool:
    """Whether this session's viewer may add ``what`` about ``network_id``; if not, say so
    (a caption where the form would be) and return False."""
    if not notes_kept_here():
        st.caption(literal(NOT_FOR_UPLOADS))
        return False
    viewer = current_viewer()
    if viewer.can_write(network_id):
        return True
    st.caption(
        literal(
            f"Only the network's members and lead add {what} here; you can read what they shared."
            if viewer.networks
            else f"You are not in a network, so you cannot add {what}."
        )
    )
    return False


def may_change(note: Note) -> bool:
    """Whether this session's viewer may edit, delete or close ``note`` (its author, the
    network's lead or an admin; anyone without sign-in)."""
    return notes_kept_here() and current_viewer().can_change(
        getattr(note, "author_id", None), note.network_id
    )


def note_form(
    *,
    practice_id: str,
    network_id: str | None,
    key: str,
    indicator_id: str | None = None,
    period: date | None = None,
    kinds: Sequence[str] = NOTE_KINDS_IN_FORM,
    practice_label: str | None = None,
) -> None:
    """A form to add a note ("what we do", optionally with the date the practice started
    doing it) or a question to one practice. (Actions: :func:`netcompare.ui.actions.action_form`.)

    Saved (validated, length-limited) in a callback; errors show above the form and the text
    typed is kept. ``network_id`` None adds a network field. ``key`` must be unique on the page.
    """
    if not may_write(network_id):
        return
    form_key = f"notes_form_{key}"
    _restore_typed(form_key)
    _remember_author(form_key)
    _show_flash(form_key)
    with st.form(form_key, clear_on_submit=False):
        st.radio(
            "Kind",
            list(kinds),
            format_func=lambda k: literal(KIND_LABELS.get(k, k)),
            key=f"{form_key}_kind",
            horizontal=True,
        )
        if network_id is None:
            st.text_input("Network", key=f"{form_key}_network", max_chars=64)
        st.text_area(
            literal(f"Note for {practice_label or practice_id}"),
            key=f"{form_key}_body",
            max_chars=MAX_BODY_CHARS,
            placeholder="What do you do that works? Or ask them: how do you …?",
        )
        author_input(form_key)
        st.text_input(
            "Tags (optional, comma separated)",
            key=f"{form_key}_tags",
            placeholder="recall, workforce, template, mdt",
        )
        st.date_input(
            "Started on (optional)",
            value=None,
            min_value=EARLIEST_DATE,
            key=f"{form_key}_started",
            format="DD/MM/YYYY",
            help="For a “What we do” note: when the practice started doing it. A dated note "
            "is drawn on the trend and SPC charts, and the page says whether it worked.",
        )
        st.form_submit_button(
            "Save note",
            on_click=_save_note,
            args=(form_key, practice_id, network_id, indicator_id, period),
        )


def _save_answer(form_key: str, question_uid: str) -> None:
    state = st.session_state
    if not notes_kept_here():  # the form is not offered; nor is a write taken
        _flash(form_key, "error", NOT_FOR_UPLOADS)
        return
    store = notes_store(warn=False)
    if store is None:
        _keep_typed(form_key)
        _flash(form_key, "warning", f"{UNAVAILABLE} The answer was not saved; {NOT_SAVED_KEPT}")
        return
    try:
        answer = store.answer_question(
            question_uid,
            actor=acting(),
            body=state.get(f"{form_key}_body", ""),
            author=state.get(f"{form_key}_author", ""),
        )
    except NoteValidationError as exc:
        _flash(form_key, "error", f"Not saved: {exc}.")
        return
    except UserError as exc:
        _keep_typed(form_key)
        _flash(form_key, "warning", mask_secrets(f"Not saved. {exc} Also, {NOT_SAVED_KEPT}"))
        return
    _forget_typed(form_key)
    clear_notes_cache()
    state[AUTHOR_KEY] = answer.author
    state[f"{form_key}_body"] = ""
    _flash(form_key, "success", "Answer saved.")


def answer_form(question: Note, *, key: str) -> None:
    """A small form to answer ``question``; ``key`` must be unique on the page."""
    if not may_write(question.network_id, what="answers"):
        return
    form_key = f"notes_answer_{key}_{question.note_uid}"
    _restore_typed(form_key)
    _remember_author(form_key)
    _show_flash(form_key)
    with st.form(form_key, clear_on_submit=False):
        st.text_area("Your answer", key=f"{form_key}_body", max_chars=MAX_BODY_CHARS)
        author_input(form_key)
        st.form_submit_button(
            "Save answer", on_click=_save_answer, args=(form_key, question.note_uid)
        )


def notes_panel(
    practice_id: str,
    indicator_id: str | None = None,
    *,
    network_id: str | None = None,
    period: date | None = None,
    practice_label: str | None = None,
    indicator_labels: dict[str, str] | None = None,
    key: str | None = None,
    show_form: bool = True,
    limit: int = 30,
) -> None:
    """One practice's notes — about ``indicator_id`` and general ones — with their answers,
    an answer form under each question and (``show_form``) a form to add a note.

    ``network_id`` is the practice's network (taken from its notes if None). If the store
    cannot be used, shows the "Notes unavailable" warning and only the form (so a note being
    typed stays there); the page carries on.
    """
    key = key or f"{practice_id}_{indicator_id or 'all'}"
    store = notes_store()
    notes = practice_notes(practice_id, indicator_id) if store is not None else []
    if store is None or not notes_available():
        if show_form:
            with st.expander("Add a note or ask a question", expanded=True):
                note_form(
                    practice_id=practice_id,
                    network_id=network_id,
                    key=key,
                    indicator_id=indicator_id,
                    period=period,
                    practice_label=practice_label,
                )
        return
    if network_id is None and notes:
        network_id = notes[0].network_id
    labels = indicator_labels or {}
    threads = thread_notes(notes)
    if not threads:
        st.caption(
            literal(
                f"No notes yet for {practice_label or practice_id}. What works here? "
                "Or ask them how they do it."
            )
        )
    for note, answers in threads[:limit]:
        with st.container(border=True):
            render_note(note, indicator_label=labels.get(note.indicator_id or ""))
            for answer in answers:
                with st.container(border=False):
                    render_note(answer)
            if note.kind == "question":
                with st.expander("Answer this question" if not answers else "Add an answer"):
                    answer_form(note, key=key)
    if len(threads) > limit:
        st.caption(
            literal(f"Showing the newest {limit} of {len(threads)}; see the Notes page for all.")
        )
    if show_form:
        with st.expander("Add a note or ask a question", expanded=not threads):
            note_form(
                practice_id=practice_id,
                network_id=network_id,
                key=key,
                indicator_id=indicator_id,
                period=period,
                practice_label=practice_label,
            )


def notes_popover(
    practice_id: str,
    indicator_id: str | None = None,
    *,
    network_id: str | None = None,
    period: date | None = None,
    practice_label: str | None = None,
    indicator_labels: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """A "n notes" button that opens :func:`notes_panel` for one practice.

    A popover's contents are built on every run, so use it for one practice (a trend page, a
    selected row), not once per row of a long table.
    """
    counts = note_counts([practice_id], indicator_id=indicator_id)
    n_notes, n_open = counts.row(0)[1:3]  # None (unknown) if notes are unavailable
    with st.popover(
        literal(notes_count_label(n_notes, n_open)),
        icon=NOTES_ICON,
        help="Peer notes and questions",
    ):
        notes_panel(
            practice_id,
            indicator_id,
            network_id=network_id,
            period=period,
            practice_label=practice_label,
            indicator_labels=indicator_labels,
            key=key or f"pop_{practice_id}_{indicator_id or 'all'}",
        )


def export_buttons(
    notes: Sequence[Note],
    *,
    key: str,
    file_stem: str = "peer-notes",
    practice_names: dict[str, str] | None = None,
    indicator_names: dict[str, str] | None = None,
) -> None:
    """Download buttons: the notes as CSV (every field) and as Markdown for minutes."""
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        # Without the authors' sign-in emails: a download shows who wrote a note by name.
        notes_to_csv(dataclasses.replace(n, author_id=None) for n in notes),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    right.download_button(
        "Download Markdown (minutes)",
        notes_to_markdown(notes, practice_names=practice_names, indicator_names=indicator_names),
        file_name=f"{file_stem}.md",
        mime="text/markdown",
        key=f"{key}_md",
        on_click="ignore",
    )
