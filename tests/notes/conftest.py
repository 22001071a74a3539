"""Fixtures for the notes tests: a temporary SQLite file and a fresh PostgreSQL database.

PostgreSQL tests use the real server on this machine (``NETCOMPARE_TEST_PG_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test gets its own new database,
dropped afterwards, so runs never collide. An unreachable server FAILS the test (it must not
be skipped: see CONVENTIONS.md).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from netcompare.notes import NotesRepository, open_notes_store
from tests.notes.pg_cluster import cluster, own_pg  # noqa: F401 (fixtures: own PostgreSQL for fault tests)

PG_ADMIN_URL = os.environ.get(
    "NETCOMPARE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'notes.db').as_posix()}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a brand-new PostgreSQL database, dropped after the test."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc.orig}); start it "
            "(e.g. `service postgresql start`) — PostgreSQL tests fail rather than skip",
            pytrace=False,
        )
    name = f"nc_notes_test_{uuid.uuid4().hex[:12]}"
    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Each test using this runs against SQLite and against PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def store(db_url) -> Iterator[NotesRepository]:
    repo = open_notes_store(db_url, seed=False)
    yield repo
    repo.close()


def make_note(store: NotesRepository, **overrides) -> object:
    """Add a note with sensible defaults; ``overrides`` replace any field."""
    fields = {
        "practice_id": "P003",
        "network_id": "N1",
        "indicator_id": "IMM_MMR1",
        "body": "Recall coordinator phones MMR defaulters every Friday",
        "author": "Shirin Begum, recall coordinator",
        "tags": ["recall"],
    }
    fields.update(overrides)
    return store.add_note(**fields)
