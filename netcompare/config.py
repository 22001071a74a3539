"""netcompare's configuration, in one place: environment variables, then Streamlit secrets.

Every setting is read by :func:`settings` from an environment variable first, then from the
``[netcompare]`` table of Streamlit's ``secrets.toml`` (``.streamlit/secrets.toml`` next to the
app or ``~/.streamlit/secrets.toml``), then its default. The README's "Running it for a whole
network" section is the operator's guide; the names are:

=============================  =====================================  =======================
Environment variable           ``[netcompare]`` secret                Default
=============================  =====================================  =======================
``NETCOMPARE_MODE``            ``mode``                               ``local``
``NETCOMPARE_DATASETS``        ``[netcompare.datasets.<key>]``        none
``NETCOMPARE_BUILTIN_DATASETS`` ``builtin_datasets``                  ``true``
``NETCOMPARE_DATA``            ``data``                               the sample borough
``NETCOMPARE_DB_URL``          ``db_url`` (or top-level ``db_url``)   an SQLite file
``NETCOMPARE_DB_CONNECT_TIMEOUT`` ``db_connect_timeout``              ``5`` (seconds)
``NETCOMPARE_DB_STATEMENT_TIMEOUT`` ``db_statement_timeout``          ``5`` (seconds)
``NETCOMPARE_UPLOAD_MAX_MB``   ``upload_max_mb``                      ``50`` (MB per upload)
``NETCOMPARE_ACCESS``          ``access``                             ``open`` (local),
                                                                      ``sign-in`` (shared)
=============================  =====================================  =======================

``access``: ``sign-in`` (the default in shared mode) asks every visitor to sign in with
Streamlit's ``st.login`` (OpenID Connect, configured in the ``[auth]`` secrets table as
Streamlit documents) and applies the access rules kept in the notes database (``python -m
netcompare users …``, :mod:`netcompare.access`). ``open`` trusts every visitor as a laptop does:
the sidebar's network choice decides which names are shown. Shared mode with sign-in and no
``[auth]`` table is a configuration error, not an open server.

``local`` (a laptop) is today's behaviour: the Data page loads any folder or database URL the
user types. ``shared`` (one server for a whole network): the Data page offers only the
operator's named data sets; uploads are size-limited and kept per session in a private
temporary folder; nothing a visitor types reaches the file system or a database driver.

``NETCOMPARE_DATASETS`` names the operator's data sets as ``key=source`` pairs separated by
``;`` or new lines (``borough=/srv/netcompare/borough;ics=postgresql+psycopg://…``); the label
shown is the key. In secrets, each ``[netcompare.datasets.<key>]`` table has ``source`` and an
optional ``label``. Keys are short codes (letters, digits, ``-``, ``_``): they are what links
carry, never the source.

A named data set loaded into a database by ``python -m netcompare db load``
(:mod:`netcompare.data.sqlstore`) is configured by its database URL and its name: in secrets
``source = "postgresql+psycopg://…"`` and ``dataset = "england"``; in ``NETCOMPARE_DATASETS``
the URL followed by ``#`` and the name (``ics=postgresql+psycopg://u@db/nc#england``). The
app serves whichever version of it is current, and picks up a new one without a restart.

This module never imports streamlit at import time; it reads secrets only if Streamlit is
installed and a secrets file exists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from netcompare.errors import UserError

Mode = Literal["local", "shared"]
MODES: tuple[str, ...] = get_args(Mode)
Access = Literal["open", "sign-in"]
ACCESS: tuple[str, ...] = get_args(Access)

DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_STATEMENT_TIMEOUT_S = 5.0
DEFAULT_UPLOAD_MAX_MB = 50.0
# Keys the app uses itself: an operator's data set cannot take them.
RESERVED_KEYS = frozenset({"custom", "upload", "uploaded"})
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

ENV = {
    "mode": "NETCOMPARE_MODE",
    "datasets": "NETCOMPARE_DATASETS",
    "builtin_datasets": "NETCOMPARE_BUILTIN_DATASETS",
    "data": "NETCOMPARE_DATA",
    "db_url": "NETCOMPARE_DB_URL",
    "db_connect_timeout": "NETCOMPARE_DB_CONNECT_TIMEOUT",
    "db_statement_timeout": "NETCOMPARE_DB_STATEMENT_TIMEOUT",
    "upload_max_mb": "NETCOMPARE_UPLOAD_MAX_MB",
    "access": "NETCOMPARE_ACCESS",
}


class ConfigError(UserError):
    """The operator's configuration is not usable; the message names the setting."""


@dataclass(frozen=True)
class NamedDataset:
    """A data set the operator named: a short key (what links carry), a label, a source."""

    key: str
    label: str
    source: str
    dataset: str | None = None  # a named data set in the database ``source`` (db load)

    @property
    def location(self) -> str:
        """What the loader is given: the source, or ``URL#name`` for a named data set."""
        return named_source(self.source, self.dataset) if self.dataset else self.source


@dataclass(frozen=True)
class Settings:
    """Every setting, read once per call of :func:`settings`."""

    mode: Mode = "local"
    datasets: tuple[NamedDataset, ...] = ()
    builtin_datasets: bool = True
    data: str | None = None
    db_url: str | None = None
    db_connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    db_statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S
    upload_max_mb: float = DEFAULT_UPLOAD_MAX_MB
    access: Access = "open"

    @property
    def shared(self) -> bool:
        """True on a shared server: visitors never choose a server path or database."""
        return self.mode == "shared"

    @property
    def sign_in(self) -> bool:
        """True when every visitor signs in and the access rules decide what they see."""
        return self.access == "sign-in"

    @property
    def upload_max_bytes(self) -> int:
        return int(self.upload_max_mb * 1024 * 1024)

    def dataset(self, key: str) -> NamedDataset | None:
        """The operator's data set of that key, or None."""
        return next((d for d in self.datasets if d.key == key), None)


def _secrets() -> Mapping[str, Any]:
    """The ``[netcompare]`` secrets table plus the top-level ``db_url`` ({} if none)."""
    try:
        import streamlit as st

        if not st.secrets.load_if_toml_exists():
            return {}
        table = dict(st.secrets.get("netcompare", {}) or {})
        if "db_url" not in table:
            if str(st.secrets.get("db_url", "")).strip():
                table["db_url"] = st.secrets["db_url"]
            else:
                notes = st.secrets.get("notes")
                if notes is not None and str(notes.get("url", "")).strip():
                    table["db_url"] = notes["url"]
        return table
    except Exception:  # no streamlit, or an unreadable secrets file: environment only
        return {}


def configured_db_url() -> str | None:
    """The notes (and access rules) database as configured, for the app and the CLI alike:
    ``NETCOMPARE_DB_URL``, else the secrets' ``[netcompare] db_url``, top-level ``db_url`` or
    ``[notes] url`` (Streamlit's secrets files: ``./.streamlit/secrets.toml`` of the working
    folder, then ``~/.streamlit/secrets.toml``); None if none is set."""
    value = _raw("db_url", _secrets())
    return str(value).strip() if value and str(value).strip() else None


def _raw(name: str, secrets: Mapping[str, Any]) -> Any:
    env = os.environ.get(ENV[name], "").strip()
    if env:
        return env
    value = secrets.get(name)
    return value.strip() if isinstance(value, str) else value


def _number(name: str, secrets: Mapping[str, Any], default: float) -> float:
    value = _raw(name, secrets)
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0 or number == float("inf"):
        raise ConfigError(
            f"{ENV[name]} (or the secret {name}) must be a positive number, not {value!r}"
        )
    return number


def _flag(name: str, secrets: Mapping[str, Any], default: bool) -> bool:
    value = _raw(name, secrets)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{ENV[name]} (or the secret {name}) must be true or false, not {value!r}")


def named_source(url: str, name: str) -> str:
    """The one-string form of a named data set in a database: ``URL#name``."""
    return f"{url}#{name}"


def split_named_source(source: str) -> tuple[str, str | None]:
    """``(url, name)`` of ``URL#name``; ``(source, None)`` for any other source (a folder, a
    plain URL, or a URL whose text after its last ``#`` is not a data set name)."""
    text = str(source)
    if "://" not in text or "#" not in text:
        return text, None
    url, _, name = text.rpartition("#")
    if not KEY_PATTERN.match(name) or "://" not in url:
        return text, None
    return url, name


def _check_key(key: str, where: str) -> str:
    from netcompare.data.builtin import BUILTIN_DATASETS

    if not KEY_PATTERN.match(key):
        raise ConfigError(
            f"{where}: the data set key {key!r} must be 1-40 lower-case letters, digits, "
            "'-' or '_', starting with a letter or digit"
        )
    if key in RESERVED_KEYS or any(d.key == key for d in BUILTIN_DATASETS):
        raise ConfigError(f"{where}: the data set key {key!r} is taken by netcompare itself")
    return key


def parse_datasets(text: str, where: str = ENV["datasets"]) -> tuple[NamedDataset, ...]:
    """``key=source`` pairs separated by ``;`` or new lines, as in ``NETCOMPARE_DATASETS``."""
    found: dict[str, NamedDataset] = {}
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        key, sep, source = part.partition("=")
        key, source = key.strip(), source.strip()
        if not sep or not source:
            raise ConfigError(f"{where}: {part.split('=')[0]!r} needs key=source")
        _check_key(key, where)
        if key in found:
            raise ConfigError(f"{where}: the data set key {key!r} is named twice")
        url, name = split_named_source(source)
        found[key] = NamedDataset(key, key, url, name)
    return tuple(found.values())


def _secret_datasets(value: Any) -> tuple[NamedDataset, ...]:
    where = "secrets [netcompare.datasets]"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table of tables, each with a source")
    out = []
    for key, entry in value.items():
        _check_key(str(key), where)
        if not isinstance(entry, Mapping) or not str(entry.get("source", "")).strip():
            raise ConfigError(f"{where}.{key} needs a source (a folder or a database URL)")
        label = str(entry.get("label", "") or key).strip()
        source = str(entry["source"]).strip()
        name = str(entry.get("dataset", "") or "").strip() or None
        if name is not None:
            if "://" not in source:
                raise ConfigError(
                    f"{where}.{key}: a dataset name needs a database URL as its source"
                )
            if not KEY_PATTERN.match(name):
                raise ConfigError(
                    f"{where}.{key}: the dataset name {name!r} must be 1-40 lower-case "
                    "letters, digits, '-' or '_', starting with a letter or digit"
                )
        else:
            source, name = split_named_source(source)
        out.append(NamedDataset(str(key), label, source, name))
    return tuple(out)


def settings() -> Settings:
    """The settings now (environment first, then secrets, then defaults).

    Raises :class:`ConfigError` naming the setting if one is not usable.
    """
    secrets = _secrets()
    mode = str(_raw("mode", secrets) or "local").lower()
    if mode not in MODES:
        raise ConfigError(f"{ENV['mode']} must be local or shared, not {mode!r}")
    access = str(_raw("access", secrets) or ("sign-in" if mode == "shared" else "open")).lower()
    if access not in ACCESS:
        raise ConfigError(f"{ENV['access']} (or the secret access) must be open or sign-in")
    if access == "sign-in":
        from netcompare.ui.signin import auth_problem  # imports streamlit

        problem = auth_problem()
        if problem is not None:
            raise ConfigError(
                f"sign-in is on (the default in shared mode) but {problem}; configure it, or "
                f"set {ENV['access']}=open to trust every visitor"
            )
    env_sets = os.environ.get(ENV["datasets"], "").strip()
    if env_sets:
        datasets = parse_datasets(env_sets)
    elif secrets.get("datasets"):
        datasets = _secret_datasets(secrets["datasets"])
    else:
        datasets = ()
    data = _raw("data", secrets)
    db_url = _raw("db_url", secrets)
    return Settings(
        mode=mode,  # type: ignore[arg-type]
        datasets=datasets,
        builtin_datasets=_flag("builtin_datasets", secrets, True),
        data=str(data) if data else None,
        db_url=str(db_url) if db_url else None,
        db_connect_timeout_s=_number("db_connect_timeout", secrets, DEFAULT_CONNECT_TIMEOUT_S),
        db_statement_timeout_s=_number(
            "db_statement_timeout", secrets, DEFAULT_STATEMENT_TIMEOUT_S
        ),
        upload_max_mb=_number("upload_max_mb", secrets, DEFAULT_UPLOAD_MAX_MB),
        access=access,  # type: ignore[arg-type]
    )


def db_timeouts() -> tuple[float, float]:
    """(connect, statement) timeouts in seconds; the defaults if the configuration is bad."""
    try:
        s = settings()
    except ConfigError:
        return DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_STATEMENT_TIMEOUT_S
    return s.db_connect_timeout_s, s.db_statement_timeout_s
