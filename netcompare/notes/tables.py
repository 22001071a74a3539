"""Notes and note counts as polars frames, for tables and for joining onto other tables."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from netcompare.notes.note import Note
from netcompare.notes.repository import COUNTS_SCHEMA

NOTES_SCHEMA = pl.Schema(
    {
        "note_uid": pl.String(),
        "practice_id": pl.String(),
        "network_id": pl.String(),
        "indicator_id": pl.String(),
        "period": pl.Date(),
        "kind": pl.String(),
        "parent_uid": pl.String(),
        "author": pl.String(),
        "body": pl.String(),
        "tags": pl.List(pl.String()),
        "created_at": pl.Datetime("us", "UTC"),
        "updated_at": pl.Datetime("us", "UTC"),
        "deleted_at": pl.Datetime("us", "UTC"),
        "intervention_date": pl.Date(),
        "owner": pl.String(),
        "due_date": pl.Date(),
        "status": pl.String(),
        "practice_ids": pl.List(pl.String()),
    }
)


def notes_frame(notes: Iterable[Note]) -> pl.DataFrame:
    """Notes as a frame with :data:`NOTES_SCHEMA` (one row per note, tags and an action's
    practices as lists; ``practice_id`` is null for an action about a whole network)."""
    rows = [
        {
            "note_uid": n.note_uid,
            "practice_id": n.practice_id,
            "network_id": n.network_id,
            "indicator_id": n.indicator_id,
            "period": n.period,
            "kind": n.kind,
            "parent_uid": n.parent_uid,
            "author": n.author,
            "body": n.body,
            "tags": list(n.tags),
            "created_at": n.created_at,
            "updated_at": n.updated_at,
            "deleted_at": n.deleted_at,
            "intervention_date": n.intervention_date,
            "owner": n.owner,
            "due_date": n.due_date,
            "status": n.status,
            "practice_ids": list(n.practice_ids),
        }
        for n in notes
    ]
    return pl.DataFrame(rows, schema=NOTES_SCHEMA)


def with_note_counts(
    frame: pl.DataFrame, counts: pl.DataFrame, *, on: str = "practice_id"
) -> pl.DataFrame:
    """``frame`` with the count columns of ``counts`` (``n_notes``, …) joined on ``on``.

    ``counts`` is what :meth:`NotesRepository.note_counts` returns; practices without notes
    get 0. Row order of ``frame`` is kept.
    """
    count_cols = [c for c in counts.columns if c != "practice_id"]
    keyed = counts.rename({"practice_id": on}) if on != "practice_id" else counts
    joined = frame.drop([c for c in count_cols if c in frame.columns]).join(
        keyed.with_columns(pl.col(on).cast(frame.schema[on])),
        on=on,
        how="left",
        maintain_order="left",
    )
    return joined.with_columns(pl.col(count_cols).fill_null(0))


def count_notes(notes: Iterable[Note], practice_ids: Iterable[str]) -> pl.DataFrame:
    """``practice_id``, ``n_notes``, ``n_open_questions`` for ``practice_ids`` (in order),
    counted from ``notes`` as :meth:`NotesRepository.note_counts` counts in the database:
    a note counts for the practice it is filed under, deleted notes not at all, and a
    question is open while none of ``notes`` answers it. Used for a signed-in viewer, whose
    counts are of the notes they may read."""
    ids = list(dict.fromkeys(practice_ids))
    kept = [n for n in notes if n.deleted_at is None and n.practice_id is not None]
    answered = {n.parent_uid for n in kept if n.kind == "answer"}
    n_notes = dict.fromkeys(ids, 0)
    n_open = dict.fromkeys(ids, 0)
    for n in kept:
        if n.practice_id in n_notes:
            n_notes[n.practice_id] += 1
            n_open[n.practice_id] += n.kind == "question" and n.note_uid not in answered
    return pl.DataFrame(
        {
            "practice_id": ids,
            "n_notes": list(n_notes.values()),
            "n_open_questions": list(n_open.values()),
        },
        schema=COUNTS_SCHEMA,
    )
