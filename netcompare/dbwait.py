"""Bounded waits on every database: engines with timeouts, and a deadline on every call.

Used by the notes store (:mod:`netcompare.notes.engine`, :mod:`netcompare.notes.repository`)
and by SQL data sets (:mod:`netcompare.data.read`, :mod:`netcompare.data.load`). The two
timeouts come from :func:`netcompare.config.db_timeouts` (``NETCOMPARE_DB_CONNECT_TIMEOUT``,
``NETCOMPARE_DB_STATEMENT_TIMEOUT``, 5 s each by default).

Three layers, because each one alone leaves a way to hang:

1. **Connect timeout.** PostgreSQL (psycopg, psycopg2) gets libpq's ``connect_timeout``
   ("maximum time to wait while connecting, in seconds … values below 2 are treated as 2",
   libpq "Parameter Key Words"); SQLite gets ``timeout``, its busy timeout (how long to wait
   for another writer's lock, Python ``sqlite3.connect``). TCP keepalives and
   ``tcp_user_timeout`` (libpq, the same page: how long sent data may stay unacknowledged
   before the kernel drops the connection) let a real network partition end a hung call
   rather than leave it waiting for the operating system's default of many minutes.
2. **Statement timeout, on the server.** PostgreSQL gets ``options=-c statement_timeout=<ms>``
   (libpq ``options``: command-line options sent to the server at connection start;
   ``statement_timeout``: "abort any statement that takes more than the specified amount of
   time", PostgreSQL "Client Connection Defaults"). SQLite's busy timeout is the statement
   timeout, and a progress handler (``sqlite3.Connection.set_progress_handler``) interrupts
   a statement still running after it.
3. **A deadline in the app.** A server frozen with SIGSTOP (or a host whose kernel still
   answers while PostgreSQL does not) accepts the TCP connection and acknowledges every byte,
   so neither the connect timeout (the connection is already open, in the pool) nor the
   statement timeout (the server is not running to enforce it) nor TCP keepalives ever fire,
   and SQLAlchemy's ``pool_pre_ping`` waits forever on its ping. So :func:`bounded_call`
   runs each database call in a worker thread and waits at most :func:`deadline_s` seconds
   (connect + statement + :data:`MARGIN_S`) for it; then it raises :class:`DatabaseTimeout`
   and leaves the worker to finish (or fail) on its own once the server answers.

Engines also get ``pool_pre_ping=True`` (SQLAlchemy "Dealing with Disconnects": a stale pooled
connection is replaced before use, so the app recovers by itself when a restarted server is
back) and a ``pool_timeout`` of the connect timeout (SQLAlchemy ``QueuePool``: how long to
wait for a pooled connection when all are checked out).

The workers are plain daemon threads, at most :data:`MAX_WORKERS` per database: a
:class:`concurrent.futures.ThreadPoolExecutor` joins its threads at interpreter exit, so one
call hung on a frozen server would keep the app from shutting down. When every worker of a
database is hung, further calls fail at once instead of queueing behind them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from netcompare.config import db_timeouts
from netcompare.errors import UserError
from netcompare.redact import mask_secrets

T = TypeVar("T")

MARGIN_S = 2.0  # on top of connect + statement timeouts: the driver's own bookkeeping
MAX_WORKERS = 8  # per database: calls running (or hung) at once
MAX_RUNNERS = 32  # databases with a worker budget of their own (least recently used dropped)
PG_DRIVERS = ("psycopg", "psycopg2")
PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock


class DatabaseTimeout(UserError):
    """A database did not answer within the deadline (the message names it, password masked).

    ``seconds`` is the deadline that passed.
    """

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(mask_secrets(message))
        self.seconds = seconds


def deadline_s(connect_s: float | None = None, statement_s: float | None = None) -> float:
    """The longest a page waits on one database call: connect + statement + margin."""
    conf_connect, conf_statement = db_timeouts()
    connect_s = conf_connect if connect_s is None else connect_s
    statement_s = conf_statement if statement_s is None else statement_s
    return connect_s + statement_s + MARGIN_S


def _pg_connect_args(url: URL, connect_s: float, statement_s: float) -> dict[str, object]:
    """libpq parameters: connect timeout, server-side statement timeout, keepalives."""
    options = str(url.query.get("options", "") or "")
    statement = f"-c statement_timeout={int(statement_s * 1000)}"
    return {
        # libpq takes whole seconds and treats anything under 2 as 2
        "connect_timeout": max(2, math.ceil(connect_s)),
        "options": f"{options} {statement}".strip(),
        "keepalives": 1,
        "keepalives_idle": max(1, math.ceil(connect_s)),
        "keepalives_interval": max(1, math.ceil(connect_s / 2)),
        "keepalives_count": 3,
        "tcp_user_timeout": int((connect_s + statement_s) * 1000),
        "application_name": str(url.query.get("application_name", "") or "netcompare"),
    }


def _sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def engine_kwargs(
    url: URL, *, connect_s: float | None = None, statement_s: float | None = None
) -> dict[str, Any]:
    """``create_engine`` keyword arguments bounding every wait on ``url``'s database."""
    conf_connect, conf_statement = db_timeouts()
    connect_s = conf_connect if connect_s is None else connect_s
    statement_s = conf_statement if statement_s is None else statement_s
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": statement_s, "check_same_thread": False}
        if _sqlite_memory(url):
            return kwargs  # a SingletonThreadPool: no pool_timeout
    elif backend == "postgresql" and url.get_driver_name() in PG_DRIVERS:
        kwargs["connect_args"] = _pg_connect_args(url, connect_s, statement_s)
    kwargs["pool_timeout"] = connect_s
    return kwargs


def bound_sqlite_statements(engine: Engine, statement_s: float) -> None:
    """Interrupt any SQLite statement still running ``statement_s`` seconds after it began.

    A progress handler (called every :data:`PROGRESS_STEPS` virtual-machine steps) returns
    non-zero once the running statement's time is up, which makes SQLite abandon it with
    "interrupted" (``sqlite3_progress_handler``). Waiting for another writer's lock is the
    busy timeout's job, not this one's.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        running: dict[str, float | None] = {"until": None}
        record.info["netcompare_statement"] = running

        def over_time() -> int:
            until = running["until"]
            return int(until is not None and time.monotonic() > until)

        dbapi_conn.set_progress_handler(over_time, PROGRESS_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, *_args) -> None:  # type: ignore[no-untyped-def]
        running = conn.connection.info.get("netcompare_statement")
        if running is not None:
            running["until"] = time.monotonic() + statement_s

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, *_args) -> None:  # type: ignore[no-untyped-def]
        running = conn.connection.info.get("netcompare_statement")
        if running is not None:
            running["until"] = None


def make_engine(
    url: str | URL, *, connect_s: float | None = None, statement_s: float | None = None
) -> Engine:
    """A new engine for ``url`` with every wait bounded (see the module docstring)."""
    parsed = url if isinstance(url, URL) else make_url(url)
    conf_connect, conf_statement = db_timeouts()
    connect_s = conf_connect if connect_s is None else connect_s
    statement_s = conf_statement if statement_s is None else statement_s
    engine = create_engine(
        parsed, **engine_kwargs(parsed, connect_s=connect_s, statement_s=statement_s)
    )
    if parsed.get_backend_name() == "sqlite":
        bound_sqlite_statements(engine, statement_s)
    return engine


# -- the deadline ---------------------------------------------------------------------------

_worker = threading.local()  # .active: this thread is a worker (nested calls run inline)


class Heartbeat:
    """Progress of a long call made of many statements: each :meth:`beat` (after one
    statement) gives the call another full deadline, so the deadline bounds the wait for any
    one answer rather than the whole read."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def beat(self) -> None:
        self.last = time.monotonic()


class _Runner:
    """The worker budget of one database."""

    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self._slots = threading.BoundedSemaphore(max_workers)
        self._lock = threading.Lock()
        self.abandoned = 0  # calls given up on that are still running

    def call(
        self, fn: Callable[[], T], timeout: float, heartbeat: Heartbeat | None, what: str
    ) -> T:
        start = time.monotonic()
        with self._lock:
            if self.abandoned >= self.max_workers:
                raise DatabaseTimeout(
                    f"{what} did not answer within {timeout:g} s "
                    f"({self.abandoned} earlier calls are still waiting on it)",
                    timeout,
                )
        if not self._slots.acquire(timeout=timeout):
            raise DatabaseTimeout(
                f"{what} did not answer within {timeout:g} s (every connection is busy)",
                timeout,
            )
        future: Future[T] = Future()
        abandoned = [False]

        def work() -> None:
            _worker.active = True
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn()
                    except BaseException as exc:  # handed to the waiting caller
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
            finally:
                self._slots.release()
                with self._lock:
                    if abandoned[0]:
                        self.abandoned -= 1

        threading.Thread(target=work, name="netcompare-db", daemon=True).start()
        heartbeat = heartbeat or Heartbeat()
        heartbeat.last = max(heartbeat.last, start)
        while True:
            remaining = heartbeat.last + timeout - time.monotonic()
            try:
                return future.result(timeout=max(remaining, 0.0))
            except FutureTimeout:
                if heartbeat.last + timeout > time.monotonic():
                    continue  # a statement finished meanwhile: wait for the next one
                with self._lock:
                    if not future.done():
                        abandoned[0] = True
                        self.abandoned += 1
                if future.done():
                    return future.result()
                raise DatabaseTimeout(
                    f"{what} did not answer within {timeout:g} s", timeout
                ) from None


_runners: OrderedDict[str, _Runner] = OrderedDict()
_runners_lock = threading.Lock()


def _runner(key: str) -> _Runner:
    with _runners_lock:
        runner = _runners.pop(key, None) or _Runner(MAX_WORKERS)
        _runners[key] = runner
        while len(_runners) > MAX_RUNNERS:
            _runners.popitem(last=False)
        return runner


def runner_key(url: str | URL) -> str:
    """Calls to the same database share one worker budget (password left out of the key)."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:
        return mask_secrets(url)
    return parsed.render_as_string(hide_password=True)


def _in_memory(url: str | URL) -> bool:
    # An in-memory SQLite database lives in one thread's connection (SingletonThreadPool):
    # a worker thread would see an empty database of its own, and nothing can freeze it.
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:
        return False
    return parsed.get_backend_name() == "sqlite" and _sqlite_memory(parsed)


def bounded_call(
    fn: Callable[[], T],
    *,
    url: str | URL,
    timeout: float | None = None,
    what: str = "The database",
    heartbeat: Heartbeat | None = None,
) -> T:
    """``fn()``, run in a worker thread, waiting at most ``timeout`` seconds for it
    (default :func:`deadline_s`; with ``heartbeat``, at most that long after its last beat).

    Raises :class:`DatabaseTimeout` ("<what> did not answer within N s", password masked) if
    it has not finished by then, and at once if every worker for ``url`` is already hung.
    Whatever ``fn`` raises is raised here. Called from inside a worker (a bounded method
    calling another), ``fn`` runs inline under the outer call's deadline.
    """
    if getattr(_worker, "active", False) or _in_memory(url):
        return fn()
    timeout = deadline_s() if timeout is None else timeout
    return _runner(runner_key(url)).call(fn, timeout, heartbeat, what)


def abandoned_calls(url: str | URL) -> int:
    """How many calls to ``url``'s database were given up on and are still running."""
    with _runners_lock:
        runner = _runners.get(runner_key(url))
    return 0 if runner is None else runner.abandoned
