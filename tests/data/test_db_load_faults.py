"""`db load` and reading a named data set against a frozen PostgreSQL (issue 16 point 3).

The server is a cluster of the test's own (:mod:`tests.notes.pg_cluster`, never the
machine's), frozen with SIGSTOP: the kernel still accepts connections and data, nothing
answers. With both timeouts at 2 s the deadline is 2 + 2 + 2 = 6 s after the last answer:
``db load`` (a real process) must end within it, exit 2 with one readable line (no traceback,
no password), and leave the version before it current.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from netcompare import dbwait
from netcompare.data import sqlstore
from netcompare.data.load import load_dataset
from netcompare.data.problems import DataValidationError
from netcompare.data.sqlstore import current_version, load_into_db
from netcompare.errors import UserError
from tests.notes.pg_cluster import TIMEOUT_S, PgCluster, wait_until

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
DEADLINE_S = TIMEOUT_S + TIMEOUT_S + dbwait.MARGIN_S
SLACK_S = 4.0  # a loaded 2-core machine
STARTUP_S = 15.0  # a new Python process: imports, reading and validating the data set
PASSWORD = "dbload-fault-secret"

pytestmark = pytest.mark.postgres


def new_database(cluster: PgCluster) -> str:
    url = cluster.create_database(f"dbload_{uuid.uuid4().hex[:10]}")
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def start_db_load(folder: Path | str, url: str, name: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["NETCOMPARE_DB_CONNECT_TIMEOUT"] = str(TIMEOUT_S)
    env["NETCOMPARE_DB_STATEMENT_TIMEOUT"] = str(TIMEOUT_S)
    cmd = [sys.executable, "-m", "netcompare", "db", "load", str(folder), "--url", url]
    return subprocess.Popen(
        [*cmd, "--name", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_readable_failure(proc: subprocess.Popen[str], out: str, err: str, *says: str) -> None:
    """Exit 2, one line on stderr saying one of ``says``, the password masked."""
    assert proc.returncode == 2, (out, err)
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert any(s in err for s in says), err
    assert "Traceback" not in err and PASSWORD not in out + err
    assert "postgres:***@127.0.0.1" in err


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated data set of 1,000 practices × 14 indicators × 36 months (504,000 values):
    its values go in as two COPY statements, a few seconds in which to freeze the server."""
    folder = tmp_path_factory.mktemp("medium") / "data"
    subprocess.run(
        [sys.executable, "-m", "netcompare", "sample", "--out", str(folder), "--seed", "3",
         "--practices", "1000", "--networks", "150", "--indicators", "14", "--months", "36",
         "--format", "parquet"],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder


def test_db_load_to_a_server_frozen_before_it_connects_exits_2_within_the_deadline(cluster):
    url = new_database(cluster)
    cluster.freeze()
    start = time.monotonic()
    proc = start_db_load(SAMPLE, url, "borough")
    out, err = proc.communicate(timeout=STARTUP_S + DEADLINE_S + 30)
    elapsed = time.monotonic() - start
    # libpq's connect timeout ends it: the kernel took the connection, the server never spoke
    assert_readable_failure(proc, out, err, "cannot use the database")
    assert "connection timeout expired" in err
    assert elapsed < STARTUP_S + DEADLINE_S + SLACK_S
    cluster.thaw()
    assert load_into_db(SAMPLE, url, "borough").version == 1  # and it works again


def test_db_load_frozen_mid_copy_exits_2_within_the_deadline_and_keeps_the_old_version(
    cluster, medium: Path
):
    url = new_database(cluster)
    load_into_db(SAMPLE, url, "borough")
    watcher = sa.create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    database = sa.make_url(url).database

    def copying() -> bool:
        with watcher.connect() as conn:
            return bool(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                        "AND query LIKE 'COPY %' AND state = 'active'"
                    ),
                    {"db": database},
                ).scalar_one()
            )

    try:
        proc = start_db_load(medium, url, "borough")
        wait_until(lambda: copying() or proc.poll() is not None, 120, "the load's COPY")
        assert proc.poll() is None, "the load ended before the server could be frozen"
        cluster.freeze()
        frozen_at = time.monotonic()
        out, err = proc.communicate(timeout=DEADLINE_S + 60)
        elapsed = time.monotonic() - frozen_at
    finally:
        cluster.thaw()
        watcher.dispose()
    # the deadline, or first the kernel's tcp_user_timeout (connect + statement timeouts:
    # the COPY's data unacknowledged that long) saying the connection is lost
    assert_readable_failure(
        proc, out, err, f"did not answer within {DEADLINE_S:g} s", "the connection is lost"
    )
    assert elapsed < DEADLINE_S + SLACK_S
    # the load's transaction never committed: version 1 is current, and the next load works
    assert current_version(url, "borough") == "1"
    assert load_into_db(SAMPLE, url, "borough").version == 2


@pytest.mark.parametrize("when", ["before connecting", "after connecting"])
def test_reading_rows_from_a_frozen_server_is_a_readable_error_within_the_deadline(
    cluster, monkeypatch: pytest.MonkeyPatch, when: str
):
    """The catalogue answered, then the server froze: the rows' read (through ADBC, a C
    library waiting on the socket) fails at libpq's connect timeout, or, once connected, is
    given up on at the deadline; the data set is refused with the reason."""
    url = new_database(cluster)
    load_into_db(SAMPLE, url, "borough")
    current = sqlstore._current(sa.make_url(url), "borough")
    monkeypatch.setattr(sqlstore, "_current", lambda _url, _name: current)
    monkeypatch.setattr(sqlstore, "_read_snapshot", lambda *args: None)  # the rows' read
    if when == "before connecting":
        cluster.freeze()
        says = "timeout expired"
    else:
        tables = sqlstore._adbc_tables

        def frozen_first(*args):  # type: ignore[no-untyped-def]
            cluster.freeze()
            return tables(*args)

        monkeypatch.setattr(sqlstore, "_adbc_tables", frozen_first)
        says = f"did not answer within {DEADLINE_S:g} s"
    start = time.monotonic()
    with pytest.raises(DataValidationError) as err:
        load_dataset(f"{url}#borough")
    elapsed = time.monotonic() - start
    message = str(err.value)
    assert "cannot read the database" in message and says in message, message
    assert PASSWORD not in message
    assert elapsed < DEADLINE_S + SLACK_S
    cluster.thaw()
    monkeypatch.undo()
    assert load_dataset(f"{url}#borough").practices.height == 36


def test_reading_the_snapshot_from_a_frozen_server_is_a_readable_error_within_the_deadline(
    cluster, monkeypatch: pytest.MonkeyPatch
):
    """The catalogue answered, then the server froze before the snapshot's parts came: the
    data set is refused with the reason, within the deadline, no password in the message."""
    url = new_database(cluster)
    load_into_db(SAMPLE, url, "borough")
    current = sqlstore._current(sa.make_url(url), "borough")
    monkeypatch.setattr(sqlstore, "_current", lambda _url, _name: current)
    cluster.freeze()
    start = time.monotonic()
    with pytest.raises(UserError) as err:
        load_dataset(f"{url}#borough")
    elapsed = time.monotonic() - start
    message = str(err.value)
    assert "cannot use the database" in message or "did not answer" in message, message
    assert PASSWORD not in message
    assert elapsed < DEADLINE_S + SLACK_S
    cluster.thaw()
