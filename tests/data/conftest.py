"""Fixtures: throwaway SQLite and PostgreSQL databases for the named-data-set tests, and a
PostgreSQL cluster of the tests' own to freeze (tests/notes/pg_cluster.py)."""

from tests.data.db_fixtures import any_db, pg_db, sqlite_db  # noqa: F401
from tests.notes.pg_cluster import cluster, own_pg  # noqa: F401
