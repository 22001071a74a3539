"""Alembic environment of the notes store; run through :mod:`netcompare.notes.store`."""
