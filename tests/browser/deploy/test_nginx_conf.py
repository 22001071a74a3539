"""deploy/nginx.py renders a configuration Debian's nginx accepts (``nginx -t``), with
everything it writes under the run folder, and refuses addresses it would misread; and
``deploy/run-instances`` reports a run folder with nothing started. No browser, no server."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.nginx import ROUTE_COOKIE, nginx_command, prepare_run_dir, render_nginx_conf

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def test_the_rendered_configuration_passes_nginx_t(tmp_path: Path) -> None:
    run = tmp_path / "run"
    prepare_run_dir(run)
    conf = run / "nginx.conf"
    conf.write_text(
        render_nginx_conf(run, "127.0.0.1:18080", ["127.0.0.1:18501", "localhost:18502"])
    )
    checked = subprocess.run(
        [*nginx_command(NGINX, conf, run), "-t"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_everything_nginx_writes_is_under_the_run_folder(tmp_path: Path) -> None:
    text = render_nginx_conf(tmp_path, "8080", ["127.0.0.1:8501", "127.0.0.1:8502"])
    assert "{{" not in text
    for directive in (
        "pid",
        "error_log",
        "access_log",
        *(f"{t}_temp_path" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ):
        [line] = [
            ln
            for ln in text.splitlines()
            if ln.strip().startswith(f"{directive} ") and not ln.strip().endswith(" off;")
        ]
        assert f" {tmp_path.resolve()}/" in line, line
    assert not re.search(r"^\s*user\s", text, re.M)  # runs as whoever starts it


def test_sticky_websocket_and_failover_settings(tmp_path: Path) -> None:
    text = render_nginx_conf(tmp_path, "8080", ["10.0.0.5:8501", "10.0.0.6:8501"])
    assert "hash $netcompare_route consistent;" in text
    assert f"$cookie_{ROUTE_COOKIE}" in text
    assert "server 10.0.0.5:8501 max_fails=1 fail_timeout=10s;" in text
    assert "server 10.0.0.6:8501 max_fails=1 fail_timeout=10s;" in text
    stream = text.split("location /_stcore/stream {", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert "proxy_set_header Host $http_host;" in stream
    assert "proxy_read_timeout 1d;" in stream
    assert "location = /_stcore/health {" in text
    assert "proxy_next_upstream error timeout" in text
    assert "client_max_body_size 200m;" in text
    assert "Secure" not in text
    assert "SameSite=Lax; Secure" in render_nginx_conf(
        tmp_path, "8080", ["a:1"], secure_cookie=True
    )


@pytest.mark.parametrize(
    ("listen", "servers"),
    [
        ("8080; include /etc/passwd", ["a:1"]),
        ("8080", ["a:1 backup"]),
        ("8080", ["a"]),
        ("8080", []),
    ],
)
def test_an_address_nginx_would_misread_is_refused(
    tmp_path: Path, listen: str, servers: list[str]
) -> None:
    with pytest.raises(ValueError):
        render_nginx_conf(tmp_path, listen, servers)


def test_a_run_folder_with_a_space_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="misread"):
        render_nginx_conf(tmp_path / "my run", "8080", ["a:1"])


def _run_instances(run_dir: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "run-instances"),
            "--run-dir",
            str(run_dir),
            command,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_run_instances_status_of_nothing_started(tmp_path: Path) -> None:
    done = _run_instances(tmp_path, "status")
    assert done.returncode == 1
    assert "nothing started" in done.stdout
    stopped = _run_instances(tmp_path, "stop")
    assert stopped.returncode == 0 and "nothing was running" in stopped.stdout


def test_the_compose_configuration_is_the_rendered_template() -> None:
    """deploy/compose-nginx.conf (mounted by compose.yaml) is what the template renders for
    the compose services, so a change to the template cannot leave it behind."""
    committed = (ROOT / "deploy" / "compose-nginx.conf").read_text()
    assert committed == render_nginx_conf(
        Path("/tmp/netcompare-nginx"), "8080", ["app1:8501", "app2:8501"]
    )
    compose = (ROOT / "compose.yaml").read_text()
    assert "./deploy/compose-nginx.conf:/etc/netcompare/nginx.conf:ro" in compose
    assert "-p /tmp/netcompare-nginx" in compose
