"""A throw-away PostgreSQL cluster for fault tests: started, stopped, frozen and thawed by PID.

The fault tests (issue 13: a stopped, a frozen and a restarted notes database) need a server
they may break. This is never the machine's own PostgreSQL: :class:`PgCluster` runs
``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/<version>/bin`` on a data folder of its
own, listens only on 127.0.0.1 at a free port (never 5432) with its Unix socket in that
folder, and signals only the postmaster whose PID its own ``postmaster.pid`` names (and that
postmaster's child processes, so a frozen server's existing backends are frozen too).

We run the tests as root and PostgreSQL refuses to run as root, so the server runs as the
``postgres`` user (``runuser``). The folder is made with :func:`tempfile.mkdtemp` directly in
the temporary directory, because pytest's ``tmp_path`` sits under a folder only root may
enter.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

USER = "postgres"
NEVER_PORT = 5432  # the machine's own server: never ours


def pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's program ``name`` (initdb, pg_ctl, …)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if not found:
        raise RuntimeError(f"no /usr/lib/postgresql/*/bin/{name}: install postgresql")
    return found[-1]


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parts[4]
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (never 5432)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != NEVER_PORT:
            return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a postmaster's backends and helpers)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


class PgCluster:
    """One PostgreSQL cluster of our own: :meth:`start`, :meth:`stop`, :meth:`freeze`,
    :meth:`thaw`, :meth:`destroy`. ``url(db)`` is a psycopg URL to one of its databases."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="netcompare-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.pid: int | None = None
        self._frozen: list[int] = []
        pw = pwd.getpwnam(USER)
        self.socket_dir.mkdir()
        for path in (self.root, self.socket_dir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
        self._as_postgres(
            pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )

    def _as_postgres(self, *cmd: str) -> None:
        result = subprocess.run(
            ["runuser", "-u", USER, "--", *cmd],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server (on the same port as before) and wait until it accepts queries."""
        assert self.pid is None, "already running"
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.socket_dir} -c fsync=off "
            "-c max_connections=40 -c shared_buffers=16MB"
        )
        self._as_postgres(
            pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
            "-t", "60", "start",
        )  # fmt: skip
        pid_file = self.data / "postmaster.pid"
        self.pid = int(pid_file.read_text(encoding="ascii").splitlines()[0])
        assert _alive(self.pid)

    def _signal_all(self, sig: signal.Signals) -> list[int]:
        assert self.pid is not None, "not running"
        pids = [self.pid, *_children(self.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        return pids

    def freeze(self) -> None:
        """SIGSTOP the postmaster and its backends: the kernel still accepts connections and
        data, but nothing answers (like a server behind a network partition)."""
        self._frozen = self._signal_all(signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT every process :meth:`freeze` stopped (and the postmaster's children now)."""
        if self.pid is None:
            return
        for pid in {*self._frozen, *self._signal_all(signal.SIGCONT)}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self._frozen = []

    def stop(self) -> None:
        """Fast shutdown (SIGINT to our postmaster), waiting until it has exited."""
        if self.pid is None:
            return
        self.thaw()
        pid, self.pid = self.pid, None
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        wait_until(lambda: not _alive(pid), 30, f"PostgreSQL {pid} stopping")
        wait_until(
            lambda: not (self.data / "postmaster.pid").exists(), 10, "postmaster.pid removed"
        )

    def destroy(self) -> None:
        """Stop (even if frozen) and remove the cluster's folder."""
        try:
            if self.pid is not None:
                self.thaw()
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create database ``name``; its URL."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()
        return self.url(name)


@contextlib.contextmanager
def own_cluster() -> Iterator[PgCluster]:
    """A started cluster of our own, thawed, stopped and removed afterwards whatever happens."""
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@contextlib.contextmanager
def running_again(cluster: PgCluster) -> Iterator[PgCluster]:
    """The cluster, running; thawed and running again afterwards, even if the block failed
    half way through a fault."""
    if cluster.pid is None:
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.thaw()
        if cluster.pid is None:
            cluster.start()


TIMEOUT_S = 2  # connect and statement timeouts in the fault tests


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PgCluster]:
    """One cluster of our own for a test module (started once, stopped by its PID after)."""
    with own_cluster() as cluster:
        yield cluster


@pytest.fixture
def cluster(own_pg: PgCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[PgCluster]:
    """The module's cluster, running, with 2 s timeouts; thawed and running after the test."""
    monkeypatch.setenv("NETCOMPARE_DB_CONNECT_TIMEOUT", str(TIMEOUT_S))
    monkeypatch.setenv("NETCOMPARE_DB_STATEMENT_TIMEOUT", str(TIMEOUT_S))
    with running_again(own_pg) as cluster:
        yield cluster
