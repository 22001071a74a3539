"""Database faults (issue 13, point 5): a notes store or SQL data set whose server is stopped,
frozen (SIGSTOP: the kernel still accepts the connection, nothing answers) or restarted, on a
PostgreSQL cluster of the test's own (:mod:`tests.notes.pg_cluster`; never the machine's).

With both timeouts at 2 s the deadline is 2 + 2 + 2 = 6 s: every call that cannot be answered
must fail readably within it (the asserts allow a little over for a loaded machine), and the
same store must work again as soon as the server does, without being reopened.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import pytest
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.data.load import load_dataset, write_dataset_sql
from netcompare.data.problems import DataValidationError
from netcompare.notes import NotesUnavailable, open_notes_store
from netcompare.notes.engine import make_engine
from tests.app.tiny_datasets import tiny_tables

from .pg_cluster import TIMEOUT_S, PgCluster, wait_until

T = TypeVar("T")
DEADLINE_S = TIMEOUT_S + TIMEOUT_S + dbwait.MARGIN_S
SLACK_S = 3.0  # a loaded 2-core machine
HUNG_S = 30.0  # a call still running after this is hung: today's code, without deadlines
PASSWORD = "fault-test-secret"


def new_database(cluster: PgCluster) -> str:
    """A new database on the cluster; its URL with a password (trust auth ignores it), so
    every message can be checked for the password."""
    url = cluster.create_database(f"faults_{uuid.uuid4().hex[:10]}")
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def within(seconds: float, fn: Callable[[], T]) -> tuple[T | BaseException, float]:
    """``fn()``'s result (or exception) and how long it took; fails the test if it is still
    running after ``seconds`` (it would hang the test run otherwise)."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:
            out.append(exc)

    start = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    elapsed = time.monotonic() - start
    if not out:
        pytest.fail(f"still waiting on the database after {seconds:.0f} s: no deadline")
    return out[0], elapsed  # type: ignore[return-value]


def at_once(*calls: Callable[[], object]) -> list[tuple[object, float]]:
    """:func:`within` for each call, all started together; in the order given."""
    out: dict[int, tuple[object, float]] = {}
    threads = [
        threading.Thread(target=lambda i=i, fn=fn: out.__setitem__(i, within(HUNG_S, fn)))
        for i, fn in enumerate(calls)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == len(calls), "a call never finished"
    return [out[i] for i in range(len(calls))]


def unavailable(outcome: object) -> str:
    assert isinstance(outcome, NotesUnavailable), f"expected NotesUnavailable, got {outcome!r}"
    message = str(outcome)
    assert PASSWORD not in message
    return message


def add(store) -> None:
    store.add_note(practice_id="P001", network_id="N1", body="Recall every Friday", author="A")


def pool_two_connections(store) -> None:
    """Leave two open connections in the store's pool, so two calls on a frozen server each
    take one (and hang on it) instead of the second opening a new one (the connect timeout)."""
    with store.engine.connect() as a, store.engine.connect() as b:
        a.exec_driver_sql("SELECT 1")
        b.exec_driver_sql("SELECT 1")


# -- the notes store -----------------------------------------------------------------------


def test_stopped_server_then_restarted_the_same_store_recovers(cluster):
    url = new_database(cluster)
    store = open_notes_store(url, seed=False)
    try:
        add(store)
        cluster.stop()
        outcome, elapsed = within(HUNG_S, store.count)
        assert "cannot be reached" in unavailable(outcome)
        assert elapsed < DEADLINE_S + SLACK_S
        outcome, _ = within(HUNG_S, lambda: open_notes_store(url, seed=False))
        assert "cannot be reached" in unavailable(outcome)

        cluster.start()  # same port, same data: the pooled store reconnects by itself
        assert within(HUNG_S, store.count)[0] == 1
    finally:
        store.close()


def test_frozen_server_a_read_on_an_open_store_fails_within_the_deadline_then_recovers(cluster):
    url = new_database(cluster)
    store = open_notes_store(url, seed=False)
    try:
        add(store)
        pool_two_connections(store)  # open connections to live backends, then freeze them
        cluster.freeze()
        # a read and a write at once, each on one of the pooled (now frozen) connections
        [(read, read_s), (write, write_s)] = at_once(store.list_notes, lambda: add(store))
        message = unavailable(read)
        assert f"did not answer within {DEADLINE_S:g} s" in message
        assert "Could not read the notes" in message
        assert read_s < DEADLINE_S + SLACK_S
        # a write says it may still land once the server answers
        assert "may still be saved" in unavailable(write)
        assert write_s < DEADLINE_S + SLACK_S

        cluster.thaw()
        notes, _ = within(HUNG_S, store.list_notes)
        assert isinstance(notes, list), notes
        assert "Recall every Friday" in {n.body for n in notes}
        # the abandoned calls finish once the server answers, freeing their workers
        wait_until(lambda: dbwait.abandoned_calls(store.engine.url) == 0, 20, "workers freed")
    finally:
        store.close()


def test_frozen_server_opening_a_store_fails_within_the_connect_timeout(cluster):
    url = new_database(cluster)
    cluster.freeze()
    outcome, elapsed = within(HUNG_S, lambda: open_notes_store(url, seed=False))
    unavailable(outcome)
    assert elapsed < DEADLINE_S + 1.0
    cluster.thaw()
    store = open_notes_store(url, seed=False)
    assert store.count() == 0
    store.close()


def test_when_every_worker_is_hung_calls_fail_at_once(cluster, monkeypatch):
    monkeypatch.setattr(dbwait, "MAX_WORKERS", 2)  # a new database: a new worker budget
    url = new_database(cluster)
    store = open_notes_store(url, seed=False)
    try:
        pool_two_connections(store)
        cluster.freeze()
        results = [r for r, _ in at_once(store.count, store.count)]
        assert all(isinstance(r, NotesUnavailable) for r in results), results
        assert dbwait.abandoned_calls(store.engine.url) == 2

        outcome, elapsed = within(HUNG_S, store.count)
        assert "earlier calls are still waiting" in unavailable(outcome)
        assert elapsed < 1.0  # no third wait behind two hung calls

        cluster.thaw()
        wait_until(lambda: dbwait.abandoned_calls(store.engine.url) == 0, 20, "workers freed")
        assert store.count() == 0
    finally:
        store.close()


def test_a_statement_longer_than_the_statement_timeout_is_cancelled(cluster):
    url = new_database(cluster)
    engine = make_engine(url)
    try:

        def sleep() -> object:
            with engine.connect() as conn:
                return conn.execute(sa.text("SELECT pg_sleep(20)")).scalar()

        outcome, elapsed = within(HUNG_S, sleep)
        assert isinstance(outcome, sa.exc.OperationalError), outcome
        assert "statement timeout" in str(outcome)
        assert elapsed < TIMEOUT_S + SLACK_S
    finally:
        engine.dispose()


def test_a_long_sqlite_statement_is_interrupted(tmp_path, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_STATEMENT_TIMEOUT", "1")
    engine = make_engine(f"sqlite:///{tmp_path / 'notes.db'}")
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    try:

        def run() -> object:
            with engine.connect() as conn:
                return conn.exec_driver_sql(endless).scalar()

        outcome, elapsed = within(HUNG_S, run)
        assert isinstance(outcome, sa.exc.OperationalError), outcome
        assert "interrupted" in str(outcome)
        assert elapsed < 1 + SLACK_S
    finally:
        engine.dispose()


# -- SQL data sets -------------------------------------------------------------------------


def test_sql_data_set_on_a_frozen_server_is_a_readable_error_then_loads_again(cluster):
    url = new_database(cluster)
    write_dataset_sql(url, tiny_tables())
    assert load_dataset(url).practices.height == 6
    cluster.freeze()
    outcome, elapsed = within(HUNG_S, lambda: load_dataset(url))
    assert isinstance(outcome, DataValidationError), outcome
    message = str(outcome)
    assert "cannot read the database" in message
    assert PASSWORD not in message
    assert elapsed < DEADLINE_S + SLACK_S
    cluster.thaw()
    assert load_dataset(url).practices.height == 6


def test_sql_data_set_on_a_stopped_server_is_a_readable_error(cluster):
    url = new_database(cluster)
    cluster.stop()
    outcome, elapsed = within(HUNG_S, lambda: load_dataset(url))
    assert isinstance(outcome, DataValidationError), outcome
    assert PASSWORD not in str(outcome)
    assert elapsed < DEADLINE_S + SLACK_S


# -- the deadline itself -------------------------------------------------------------------


def test_a_heartbeat_renews_the_deadline_and_silence_ends_it():
    url = f"sqlite:///deadline-{uuid.uuid4().hex}.db"  # a key only: nothing connects
    beat = dbwait.Heartbeat()
    steps = threading.Semaphore(0)

    def slow_but_alive() -> str:
        for _ in range(6):  # 6 x 0.2 s: longer than the 0.5 s deadline, never silent 0.5 s
            steps.acquire(timeout=0.2)
            beat.beat()
        return "done"

    assert dbwait.bounded_call(slow_but_alive, url=url, timeout=0.5, heartbeat=beat) == "done"

    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(dbwait.DatabaseTimeout, match=r"did not answer within 0\.3 s"):
        dbwait.bounded_call(release.wait, url=url, timeout=0.3, what="The database")
    assert time.monotonic() - start < 0.3 + SLACK_S
    release.set()
    wait_until(lambda: dbwait.abandoned_calls(url) == 0, 5, "the worker finished")
