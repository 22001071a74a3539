"""The notes a meeting pack reads from the store (every read bounded, as the store's are)."""

from __future__ import annotations

from netcompare.notes.note import Note
from netcompare.notes.repository import NotesRepository

# Notes read for a pack: the network's own, and what practices elsewhere say they do.
NOTES_LIMIT = 5_000


def pack_notes(store: NotesRepository, network_id: str) -> list[Note]:
    """The network's notes, questions, answers and actions, and every practice's "what we
    do" notes (a practice doing well may be in another network), oldest first."""
    mine = store.list_notes(network_ids=[network_id], newest_first=False, limit=NOTES_LIMIT)
    elsewhere = store.list_notes(kinds=["practice_note"], newest_first=False, limit=NOTES_LIMIT)
    seen = {n.note_uid for n in mine}
    return mine + [n for n in elsewhere if n.note_uid not in seen]
