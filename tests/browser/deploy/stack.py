"""A whole deployment for a test or a benchmark: a fresh PostgreSQL database, two netcompare
instances in shared mode on it and nginx in front, started with deploy/instances.py (what
``deploy/run-instances`` runs), on free ports, and removed after.

Which instance served a request is read from nginx's access log (``upstream=`` and the
browser's ``route=`` cookie), and a browser is sent to a chosen instance through nginx by
giving it a route cookie that nginx hashes to that instance (:meth:`Stack.route_to`).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from deploy.instances import Deployment, start, stop
from deploy.nginx import ROUTE_COOKIE

ROOT = Path(__file__).resolve().parents[3]
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DATASET_KEY = "ics"  # the key links carry (?data=ics)
DATASET_NAME = "borough"  # the named data set in the database (db load --name)
_LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d+) .*upstream=(?P<up>\S+(?:, \S+)*) '
    r"route=(?P<route>\S+)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fresh_database(prefix: str = "nc_deploy") -> Iterator[str]:
    """``CREATE DATABASE <prefix>_<random>`` on the local PostgreSQL; yield its URL; drop it
    after (``WITH (FORCE)``: connections an instance left behind do not stop the drop)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def db_load(folder: Path | str, url: str, name: str = DATASET_NAME) -> str:
    """``python -m netcompare db load FOLDER --url URL --name NAME``, as an operator runs it;
    its output (a failure raises with the output in the message)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "netcompare",
            "db",
            "load",
            str(folder),
            "--url",
            url,
            "--name",
            name,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"db load failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Stack:
    """A running deployment and its database."""

    deployment: Deployment
    db_url: str
    env: Mapping[str, str]
    _probes: int = field(default=0)

    @property
    def url(self) -> str:
        return self.deployment.url

    @property
    def access_log(self) -> Path:
        return self.deployment.run_dir / "logs" / "access.log"

    def upstreams(self, route: str) -> list[str]:
        """Every upstream nginx tried for requests with this route cookie, in order (a
        failed-over request lists both, ``a, b``: each is given)."""
        out = []
        for line in self.access_log.read_text().splitlines():
            m = _LOG_LINE.search(line)
            if m and m.group("route") == route:
                out += [u.strip() for u in m.group("up").split(",")]
        return out

    def served_by(self, route: str) -> set[str]:
        """The upstreams that answered requests with this route cookie (the last one
        nginx tried for each request)."""
        out = set()
        for line in self.access_log.read_text().splitlines():
            m = _LOG_LINE.search(line)
            if m and m.group("route") == route:
                out.add(m.group("up").split(",")[-1].strip())
        return out

    def route_to(self, number: int, tries: int = 64) -> str:
        """A route cookie value nginx sends to instance ``number`` (1-based): made-up values
        are tried with a request each until the access log shows one served there."""
        target = f"127.0.0.1:{self.deployment.instances[number - 1].port}"
        for _ in range(tries):
            self._probes += 1
            route = f"probe{self._probes}x{uuid.uuid4().hex[:8]}"
            request = urllib.request.Request(
                f"{self.url}/", headers={"Cookie": f"{ROUTE_COOKIE}={route}"}
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                reply.read()
            if self.served_by(route) == {target}:
                return route
        raise RuntimeError(f"no route to {target} in {tries} tries")

    def route_cookie(self, route: str) -> dict[str, str]:
        """The cookie for Playwright's ``context.add_cookies``."""
        return {"name": ROUTE_COOKIE, "value": route, "url": self.url}


@contextlib.contextmanager
def deployed(
    run_dir: Path,
    data: Path | str = "sample",
    *,
    extra_env: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
    instances: int = 2,
    proxy_port: int | None = None,
) -> Iterator[Stack]:
    """A fresh database holding ``data`` as the named data set ``borough`` (version 1),
    ``instances`` instances in shared mode on it (notes there too, the data set served as
    ``?data=ics``, built-ins off) and nginx; all stopped and the database dropped after.

    ``extra_env`` and ``secrets_file``: more for the instances (sign-in: its ``[auth]``
    secrets and ``NETCOMPARE_ACCESS=sign-in``). By default access is open. ``proxy_port``:
    nginx's port (sign-in needs it before the start, for its redirect URI).
    """
    with fresh_database() as db_url:
        db_load(data, db_url)
        env = {
            **os.environ,
            "NETCOMPARE_MODE": "shared",
            "NETCOMPARE_ACCESS": "open",
            "NETCOMPARE_DB_URL": db_url,
            "NETCOMPARE_DATASETS": f"{DATASET_KEY}={db_url}#{DATASET_NAME}",
            "NETCOMPARE_BUILTIN_DATASETS": "false",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            **(extra_env or {}),
        }
        ports = [free_port() for _ in range(instances)]
        deployment = start(
            run_dir, ports, proxy_port or free_port(), env, secrets_file=secrets_file
        )
        try:
            yield Stack(deployment, db_url, env)
        finally:
            stop(run_dir)
