"""The nginx configuration in front of several netcompare instances, rendered from
``deploy/nginx.conf.template``.

``python -m deploy.nginx --run-dir DIR --listen 0.0.0.0:8080 --server 10.0.0.5:8501 --server
10.0.0.6:8501 [--out FILE]`` prints (or writes) a configuration; ``deploy/run-instances start``
renders one for the instances it starts, and compose.yaml mounts one rendered for its services.
See docs/deployment.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
ROUTE_COOKIE = "netcompare_route"
DEFAULT_MAX_BODY_MB = 200  # Streamlit's own server.maxUploadSize default
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# nginx's own temporary folders, created under the run folder before nginx starts.
TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
_ADDRESS = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$|^[0-9]{1,5}$")


def _check_address(address: str, what: str) -> str:
    text = address.strip()
    if not _ADDRESS.match(text):
        raise ValueError(f"{what} must be HOST:PORT or PORT, not {address!r}")
    return text


def render_nginx_conf(
    run_dir: Path,
    listen: str,
    servers: Sequence[str],
    *,
    max_body_mb: int = DEFAULT_MAX_BODY_MB,
    secure_cookie: bool = False,
    fail_timeout_s: int = 10,
) -> str:
    """The configuration text: nginx listening on ``listen`` (``HOST:PORT`` or ``PORT``),
    sending each browser to one of ``servers`` (``HOST:PORT`` of Streamlit instances), with
    its pid file, logs and temporary files under ``run_dir``.

    ``secure_cookie``: mark the route cookie ``Secure`` (when nginx, or a proxy in front of
    it, serves HTTPS). ``fail_timeout_s``: how long a server that refused a connection is
    left out before nginx tries it again.
    """
    if not servers:
        raise ValueError("at least one server is needed")
    if max_body_mb < 1:
        raise ValueError("max_body_mb must be at least 1")
    folder = Path(run_dir).resolve()
    if re.search(r"[\s;{}'\"]", str(folder)):
        raise ValueError(f"the run folder {folder} has a character nginx would misread")
    values = {
        "run_dir": str(folder),
        "listen": _check_address(listen, "listen"),
        "servers": "\n".join(
            f"        server {_check_address(s, 'a server')} max_fails=1 "
            f"fail_timeout={int(fail_timeout_s)}s;"
            for s in servers
        ),
        "cookie": ROUTE_COOKIE,
        "cookie_flags": "; Secure" if secure_cookie else "",
        "max_body_mb": str(int(max_body_mb)),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    unknown = set(PLACEHOLDER.findall(text)) - set(values)
    if unknown:  # the template and this function disagree: a defect, not a user error
        raise RuntimeError(f"{TEMPLATE.name} has placeholders nothing fills: {sorted(unknown)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def prepare_run_dir(run_dir: Path) -> None:
    """Create the folders nginx writes to under ``run_dir``: logs/ and temp/*."""
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    for name in TEMP_FOLDERS:
        (run_dir / "temp" / name).mkdir(parents=True, exist_ok=True)


def nginx_command(nginx: str, conf: Path, run_dir: Path) -> list[str]:
    """The command line that starts nginx on ``conf`` with everything under ``run_dir``
    (``-e``: the error log nginx opens before it has read the configuration)."""
    return [nginx, "-c", str(conf), "-p", str(run_dir), "-e", str(run_dir / "logs" / "error.log")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.nginx", description="Render nginx.conf for netcompare instances."
    )
    parser.add_argument("--run-dir", type=Path, required=True, help="pid, logs, temp files")
    parser.add_argument("--listen", default="8080", help="HOST:PORT or PORT (default 8080)")
    parser.add_argument(
        "--server", action="append", required=True, help="HOST:PORT of an instance (repeat)"
    )
    parser.add_argument("--max-body-mb", type=int, default=DEFAULT_MAX_BODY_MB)
    parser.add_argument("--secure-cookie", action="store_true", help="HTTPS in front")
    parser.add_argument("--out", type=Path, help="write here instead of printing")
    args = parser.parse_args(argv)
    try:
        text = render_nginx_conf(
            args.run_dir,
            args.listen,
            args.server,
            max_body_mb=args.max_body_mb,
            secure_cookie=args.secure_cookie,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
