"""Alembic revisions of the notes store, oldest first (0001, 0002, …)."""
