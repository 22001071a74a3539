"""Errors raised by the notes store, all of them :class:`~netcompare.errors.UserError`.

Each message names what is wrong (the field, the file and row, the database) so a user can fix
it; the CLI prints it as one line and the app shows it beside the form or as a warning.
"""

from __future__ import annotations

from netcompare.errors import UserError


class NoteValidationError(UserError):
    """A note (typed in a form or read from a file) breaks a rule: empty body, too long, …"""


class NotesUnavailable(UserError):
    """The notes database cannot be reached, opened, upgraded or written to.

    The rest of the app keeps working: pages show this message as a warning instead of notes.
    """


class NoteNotFound(UserError):
    """No note with the given id (or it was deleted, where that matters)."""


class NoteConflict(UserError):
    """Someone else changed the same note at the same time; reload and try again."""


class NotePermissionError(UserError):
    """The signed-in person may not make this change (a viewer adding a note, a member
    editing someone else's note, a lead of another network, …); the message says who may."""
