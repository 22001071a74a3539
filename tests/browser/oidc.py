"""A real OpenID Connect provider and a Streamlit server that signs in with it, for tests.

:func:`oidc_provider` runs the PyPI package ``oidc-provider-mock`` (a Flask app built on
Authlib: discovery, authorization, token, userinfo, JWKS and end-session endpoints) in a
thread of the test process, on a free port of 127.0.0.1. It requires clients to register, so
the redirect URI Streamlit sends must be the one registered. Its authorization page is a form
with one "sub" box and an "Authorize" button; the claims of that subject (email, name) are
set beforehand with :meth:`OidcProvider.set_user`. Its end-session page has an "End session"
button that sends the browser back to the app's ``/oauth2callback``.

:func:`serve_script` runs ``streamlit run SCRIPT`` on a given port from a temporary working
directory whose ``.streamlit/`` holds the secrets given (Streamlit reads
``./.streamlit/secrets.toml``) and the repository's own ``config.toml`` (the theme the app is
checked for contrast with). :func:`auth_secrets` writes the ``[auth]`` table Streamlit's
``st.login`` reads, with a random ``cookie_secret`` each time.

Typical use::

    with oidc_provider() as provider:
        port = free_port()
        secrets = auth_secrets(provider, port)
        with serve_script(SCRIPT, secrets, tmp / "cwd", tmp / "log", port=port) as url:
            ...
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import oidc_provider_mock
import werkzeug.serving

from tests.browser.conftest import serve_streamlit

ROOT = Path(__file__).resolve().parents[2]
HTTP_TIMEOUT_S = 10


def free_port() -> int:
    """A port nobody listens on now (the OS's choice), on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class OidcProvider:
    """A running provider: its base URL, and the calls a test makes to it."""

    url: str

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def _send(self, method: str, path: str, body: object) -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return response.read()

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """Register a client (RFC 7591) allowed to return to ``redirect_uri`` only; its
        ``(client_id, client_secret)``."""
        answer = json.loads(
            self._send("POST", "/oauth2/clients", {"redirect_uris": [redirect_uri]})
        )
        return answer["client_id"], answer["client_secret"]

    def set_user(self, sub: str, **claims: object) -> None:
        """The claims (``email``, ``name``, …) the provider gives for subject ``sub``."""
        self._send("PUT", f"/users/{urllib.parse.quote(sub, safe='')}", claims)


@contextlib.contextmanager
def oidc_provider() -> Iterator[OidcProvider]:
    """Run an OpenID Connect provider on a free port of 127.0.0.1; stop it after."""
    app = oidc_provider_mock.app(require_client_registration=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield OidcProvider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def auth_secrets(provider: OidcProvider, port: int, extra: str = "") -> str:
    """A secrets.toml whose ``[auth]`` table signs in with ``provider`` for an app on
    ``http://127.0.0.1:PORT`` (a client registered now; a new random cookie secret).
    ``extra``: more TOML before the table (a ``[netcompare]`` table, for the real app)."""
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    client_id, client_secret = provider.register_client(redirect_uri)
    table = {
        "redirect_uri": redirect_uri,
        "cookie_secret": secrets.token_urlsafe(32),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": provider.metadata_url,
    }
    lines = [f"{key} = {_toml_string(value)}" for key, value in table.items()]
    return (extra.rstrip() + "\n\n" if extra.strip() else "") + "[auth]\n" + "\n".join(lines) + "\n"


@contextlib.contextmanager
def serve_script(
    script: Path,
    secrets_toml: str,
    workdir: Path,
    log: Path,
    *,
    port: int,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run ``streamlit run SCRIPT`` on ``port`` from ``workdir`` (created, with
    ``.streamlit/secrets.toml`` = ``secrets_toml`` and the repository's config.toml); yield
    its URL; stop it (by its PID) after. ``env``: more environment variables for the server.

    The server's output goes to ``log`` (a thread copies it and notes when the server prints
    its URL, or ends): the start-up wait is for that, then for ``/_stcore/health``.
    """
    folder = workdir / ".streamlit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets.toml").write_text(secrets_toml)
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / "config.toml")
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {"PYTHONPATH": pythonpath} | (env or {})
    with serve_streamlit(script, workdir, port, log, env) as url:
        yield url
