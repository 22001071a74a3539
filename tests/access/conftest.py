"""Fixtures: throwaway SQLite and PostgreSQL databases for the access-rule tests."""

from tests.data.db_fixtures import any_db, pg_db, sqlite_db  # noqa: F401
