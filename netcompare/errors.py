"""Errors a user can act on.

Anything raised as :class:`UserError` is shown to the user as one readable message (the CLI
prints it and exits 2; the app shows it with ``st.error``) and never as a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input: a file, a column, a value or an option.

    The message must name what is wrong and where (file, row, practice/indicator/period,
    option) so the user can fix it without reading code.
    """
