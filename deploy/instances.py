"""Start and stop several netcompare instances and nginx in front of them, by their PIDs.

What ``deploy/run-instances`` does, and what tests/browser/deploy drives: N ``streamlit run app.py``
servers on N ports, all with the same environment (``NETCOMPARE_MODE=shared``, one
PostgreSQL for notes and data sets, the same named data sets), and nginx on one port in
front of them (:mod:`deploy.nginx`). Everything lives in one run folder::

    RUN/instance-1.pid   RUN/logs/instance-1.log   (one pair per instance)
    RUN/nginx.pid        RUN/logs/access.log  RUN/logs/error.log  RUN/nginx.conf  RUN/temp/
    RUN/cookie-secret    (Streamlit's server.cookieSecret, shared by the instances; 0600)

Every process runs in its own session (it outlives the command that started it) and is
stopped by the PID in its file, after checking that the PID is still that program. Waits
are on conditions (a health check answering, a process gone), each with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.nginx import nginx_command, prepare_run_dir, render_nginx_conf

ROOT = Path(__file__).resolve().parents[1]  # the project: app.py is here
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
POLL_S = 0.1  # how often a wait looks at its condition


class DeployError(RuntimeError):
    """An instance or nginx did not start or stop; the message says which and why."""


@dataclass(frozen=True)
class Process:
    """One process of a deployment: its name (``instance-1``, ``nginx``), PID and port."""

    name: str
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Deployment:
    """What :func:`start` started: the instances, nginx, and the run folder."""

    run_dir: Path
    instances: tuple[Process, ...]
    nginx: Process

    @property
    def url(self) -> str:
        """nginx's address, where browsers go."""
        return self.nginx.url


def _pid_file(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.pid"


def _read_pid(path: Path) -> int | None:
    """The PID in ``path``; None if there is no such file or it holds no number (``nginx
    -t`` leaves an empty one)."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    # A zombie (ended, not yet reaped by its parent) is not serving anything.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return False
    return True


def _is_ours(pid: int, program: str) -> bool:
    """True if ``pid`` is alive and its command line names ``program`` (a PID file outlives
    its process, and the PID may since belong to something else)."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True  # no /proc (not Linux): trust the PID file
    return program.encode() in cmdline


def health(url: str, timeout: float = 2.0) -> bool:
    """True if ``URL/_stcore/health`` answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_until(condition, deadline_s: float, what: str, log: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    """Poll ``condition()`` until it is true; :class:`DeployError` naming ``what`` (and the
    end of ``log``) when ``deadline_s`` seconds pass first."""
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            tail = ""
            if log is not None and log.is_file():
                tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise DeployError(f"{what}: not within {deadline_s:.0f} s{tail}")
        time.sleep(POLL_S)


def _cookie_secret(run_dir: Path, env: Mapping[str, str]) -> str:
    """Streamlit's cookie secret, the same for every instance (its XSRF cookie then holds
    on whichever instance a browser reaches after a failover): the environment's if set,
    else one made once and kept in RUN/cookie-secret."""
    given = env.get("STREAMLIT_SERVER_COOKIE_SECRET", "").strip()
    if given:
        return given
    path = run_dir / "cookie-secret"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def instance_command(
    port: int, address: str, python: str = sys.executable, secrets_file: Path | None = None
) -> list[str]:
    """``streamlit run app.py`` on ``address:port``, headless, no file watcher; with
    ``secrets_file``, Streamlit's secrets come from that file only (``secrets.files``)."""
    secrets_option = [f"--secrets.files={secrets_file}"] if secrets_file is not None else []
    return [
        python,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={address}",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",  # no "Deploy" button or developer menu for visitors
        *secrets_option,
    ]


def _spawn(command: Sequence[str], log: Path, env: Mapping[str, str], cwd: Path) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the starter; a terminal's Ctrl-C stays there
        )
    return proc.pid


def start_instance(
    run_dir: Path,
    number: int,
    port: int,
    env: Mapping[str, str],
    *,
    address: str = "127.0.0.1",
    app_dir: Path = ROOT,
    secrets_file: Path | None = None,
) -> Process:
    """Start instance ``number`` on ``port``; return once it answers its health check."""
    name = f"instance-{number}"
    pid_file = _pid_file(run_dir, name)
    old = _read_pid(pid_file)
    if old is not None and _is_ours(old, "streamlit"):
        return Process(name, old, port)  # left as it is: `start` again restarts what stopped
    log = run_dir / "logs" / f"{name}.log"
    command = instance_command(port, address, secrets_file=secrets_file)
    pid = _spawn(command, log, env, app_dir)
    pid_file.write_text(f"{pid}\n")
    process = Process(name, pid, port)
    host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    wait_until(
        lambda: not _alive(pid) or health(f"http://{host}:{port}"),
        START_TIMEOUT_S,
        f"{name} on port {port} to answer /_stcore/health",
        log,
    )
    if not _alive(pid):
        raise DeployError(f"{name} ended at start:\n{log.read_text(errors='replace')[-3000:]}")
    return process


def start_nginx(
    run_dir: Path,
    listen: str,
    servers: Sequence[str],
    *,
    nginx: str | None = None,
    secure_cookie: bool = False,
    max_body_mb: int | None = None,
) -> Process:
    """Render RUN/nginx.conf, check it (``nginx -t``), start nginx; return once a health
    check through it answers."""
    program = nginx or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(program).exists():
        raise DeployError("nginx is not installed (Debian: apt-get install -y nginx)")
    prepare_run_dir(run_dir)
    conf = run_dir / "nginx.conf"
    options = {"max_body_mb": max_body_mb} if max_body_mb else {}
    conf.write_text(
        render_nginx_conf(run_dir, listen, servers, secure_cookie=secure_cookie, **options)
    )
    command = nginx_command(program, conf, run_dir)
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise DeployError(f"nginx -t refused {conf}:\n{check.stderr}")
    pid_file = _pid_file(run_dir, "nginx")
    old = _read_pid(pid_file)
    if old is not None and _is_ours(old, "nginx"):
        return Process("nginx", old, int(listen.rsplit(":", 1)[-1]))  # left as it is
    pid_file.unlink(missing_ok=True)
    error_log = run_dir / "logs" / "error.log"
    # nginx writes RUN/nginx.pid itself (the pid directive); with daemon off it is this PID.
    pid = _spawn(command, run_dir / "logs" / "nginx.out", os.environ, run_dir)
    port = int(listen.rsplit(":", 1)[-1])
    wait_until(
        lambda: not _alive(pid) or health(f"http://127.0.0.1:{port}"),
        START_TIMEOUT_S,
        f"nginx on port {port} to pass /_stcore/health on",
        error_log,
    )
    if not _alive(pid):
        raise DeployError(f"nginx ended at start:\n{error_log.read_text(errors='replace')}")
    wait_until(
        lambda: _read_pid(pid_file) == pid, STOP_TIMEOUT_S, "nginx to write its PID", error_log
    )
    return Process("nginx", pid, port)


def start(
    run_dir: Path,
    ports: Sequence[int],
    proxy_port: int,
    env: Mapping[str, str] | None = None,
    *,
    address: str = "127.0.0.1",
    proxy_address: str = "127.0.0.1",
    app_dir: Path = ROOT,
    nginx: str | None = None,
    secure_cookie: bool = False,
    secrets_file: Path | None = None,
) -> Deployment:
    """Start one instance per port (in turn: each upgrades the notes schema if it must, under
    its lock), then nginx on ``proxy_port`` in front of them. ``env``: the instances'
    environment (default this process's); ``secrets_file``: their secrets.toml (default
    Streamlit's own places: ``.streamlit/secrets.toml`` in ``app_dir``, then the home
    folder's). If anything fails to start, what was started is
    stopped again and :class:`DeployError` says why.

    What is already running is left running: after one instance has stopped, ``start``
    again starts only that one (and nginx, if it is the one that stopped), so the others
    keep serving."""
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ if env is None else env)
    base.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    base["STREAMLIT_SERVER_COOKIE_SECRET"] = _cookie_secret(run_dir, base)
    before = {name for name, pid in running(run_dir).items() if pid is not None}
    started: list[Process] = []
    try:
        for number, port in enumerate(ports, start=1):
            started.append(
                start_instance(
                    run_dir,
                    number,
                    port,
                    base,
                    address=address,
                    app_dir=app_dir,
                    secrets_file=secrets_file,
                )
            )
        host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
        proxy = start_nginx(
            run_dir,
            f"{proxy_address}:{proxy_port}",
            [f"{host}:{p.port}" for p in started],
            nginx=nginx,
            secure_cookie=secure_cookie,
        )
    except BaseException:
        mine = [name for name in running(run_dir) if name not in before]
        stop(run_dir, mine)  # what this call started; what was running keeps serving
        raise
    return Deployment(run_dir, tuple(started), proxy)


def stop_pid(pid: int, sig: int = signal.SIGTERM, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Send ``sig`` to ``pid`` and wait until it is gone; SIGKILL if it outstays
    ``timeout_s``."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    end = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > end:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            end = time.monotonic() + timeout_s
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child
        time.sleep(POLL_S)


def running(run_dir: Path) -> dict[str, int | None]:
    """{name: PID if running else None} for every PID file in ``run_dir``."""
    out: dict[str, int | None] = {}
    for pid_file in sorted(Path(run_dir).glob("*.pid")):
        name = pid_file.stem
        pid = _read_pid(pid_file)
        if pid is None:
            out[name] = None
            continue
        out[name] = pid if _is_ours(pid, "nginx" if name == "nginx" else "streamlit") else None
    return out


def stop(run_dir: Path, names: Sequence[str] | None = None) -> list[str]:
    """Stop nginx and the instances of ``run_dir`` (or only ``names``) by their PID files;
    return the names stopped. A PID file whose process has gone is removed."""
    stopped = []
    processes = running(run_dir)
    order = sorted(processes, key=lambda n: n != "nginx")  # nginx first: no new requests
    for name in order:
        if names is not None and name not in names:
            continue
        pid = processes[name]
        if pid is not None:
            stop_pid(pid)
            stopped.append(name)
        _pid_file(Path(run_dir), name).unlink(missing_ok=True)
    return stopped
