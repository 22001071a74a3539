"""A user's own data from the Data page: a typed folder or URL (local mode), or uploaded files.

Uploads (table files, or a checked import) are written to the session's private folder: a
folder made by :func:`tempfile.mkdtemp` (mode 0700) under one private root per server process,
named by nothing a visitor sends. File names only *select* which canonical table a file is
(``values.csv`` → ``values.csv``); they never become a path. The folder is removed when the
session ends: by a sweep of the folders whose session Streamlit has closed (about
``server.disconnectedSessionTTL``, 2 minutes, after its tab closed), run when any session
saves an upload and at most every :data:`SWEEP_EVERY_S` seconds on any session's run; when
Streamlit drops the session's state (a :func:`weakref.finalize` on the object that owns the
folder); and the whole root when the server exits.
"""

from __future__ import annotations

import atexit
import math
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

import streamlit as st

from netcompare.config import settings
from netcompare.data.load import load_dataset
from netcompare.data.schema import TABLE_NAMES
from netcompare.errors import UserError
from netcompare.redact import mask_secrets
from netcompare.text import literal
from netcompare.ui.dataset import (
    CUSTOM,
    CUSTOM_SOURCE_KEY,
    LoadedSource,
    cached_dataset,
    dataset_version,
    source_label,
)
from netcompare.ui.filters import PENDING_DATA_KEY

SESSION_FOLDER_KEY = "_netcompare_session_folder"
UPLOAD_SHOWN_AS = "your upload"
TABLE_SUFFIXES = (".csv", ".parquet")
METADATA_NAME = "dataset.json"

_root_lock = threading.Lock()
_root: Path | None = None


class SharedModeRefusal(UserError):
    """A visitor of a shared server asked for a server path or database URL."""


def _private_root() -> Path:
    """One private folder per server process for every session's uploads (removed at exit)."""
    global _root
    with _root_lock:
        if _root is None or not _root.is_dir():
            _root = Path(tempfile.mkdtemp(prefix="netcompare-sessions-"))
            atexit.register(shutil.rmtree, _root, True)
        return _root


class SessionFolder:
    """The session's private folder; removed when this object (kept in session state) is."""

    def __init__(self, session_id: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{_safe(session_id)}-", dir=_private_root()))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)

    def remove(self) -> None:
        self._finalizer()


def _safe(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() or ch == "-")[:40] or "session"


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "session"


def session_folder() -> Path:
    """The session's private folder (made on first use)."""
    owner: SessionFolder | None = st.session_state.get(SESSION_FOLDER_KEY)
    if owner is None or not owner.path.is_dir():
        owner = SessionFolder(_session_id())
        st.session_state[SESSION_FOLDER_KEY] = owner
    return owner.path


SWEEP_EVERY_S = 30.0
_last_sweep = 0.0


def sweep_now_and_then() -> None:
    """:func:`sweep_closed_sessions`, at most every :data:`SWEEP_EVERY_S` seconds per server
    (called by app.py on every run; a folder listing, so cheap)."""
    global _last_sweep
    now = time.monotonic()
    if _root is None or now - _last_sweep < SWEEP_EVERY_S:
        return
    _last_sweep = now
    sweep_closed_sessions()


def sweep_closed_sessions() -> int:
    """Remove the folders of sessions the server has closed; returns how many were removed.

    A folder's name starts with its session's id. A session that is only disconnected (its
    tab may reconnect) keeps its folder until Streamlit closes it.
    """
    try:
        from streamlit.runtime import Runtime

        manager = Runtime.instance()._session_mgr  # no public lookup of a session by id
        alive = manager.get_session_info
    except Exception:  # not in a running server (AppTest, the CLI): nothing to sweep
        return 0
    root = _private_root()
    removed = 0
    for folder in root.iterdir():
        session_id = folder.name.rsplit("-", 1)[0]
        if folder.is_dir() and alive(session_id) is None:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _refuse_in_shared_mode() -> None:
    if settings().shared:
        raise SharedModeRefusal(
            "This is a shared server: its data sets are chosen by its operator. "
            "Choose one in the sidebar, or upload your own tables."
        )


def use_source(source: str) -> bool:
    """Validate a typed folder or URL and make it the session's data set (local mode only);
    show every problem if it fails. On a shared server it is refused, never opened."""
    try:
        _refuse_in_shared_mode()
        load_dataset(source)
    except UserError as exc:
        st.error(literal(f"Not loaded: {mask_secrets(source)}\n\n{mask_secrets(exc)}"))
        return False
    _choose(LoadedSource(source, source_label(source)))
    return True


def use_upload(folder: Path, name: str | None = None) -> bool:
    """Validate a folder in the session's private folder and make it the session's data set."""
    try:
        data = cached_dataset(str(folder), dataset_version(str(folder)), UPLOAD_SHOWN_AS)
    except UserError as exc:
        st.error(literal(f"Not loaded.\n\n{mask_secrets(exc)}"))
        return False
    name = name or data.name
    label = "Your upload" if name == UPLOAD_SHOWN_AS else f"Uploaded: {name}"
    _choose(LoadedSource(str(folder), label, UPLOAD_SHOWN_AS))
    return True


def _choose(loaded: LoadedSource) -> None:
    st.session_state[CUSTOM_SOURCE_KEY] = loaded
    # The sidebar's data selectbox already exists in this run: it switches on the next run.
    st.session_state[PENDING_DATA_KEY] = CUSTOM


def canonical_name(name: str) -> str:
    """The canonical file an uploaded file is saved as (``Values.CSV`` → ``values.csv``);
    UserError if the name is not one of a data set's tables. Only the last part of the name
    is looked at, so a name can never lead outside the session's folder."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    if base == METADATA_NAME:
        return METADATA_NAME
    for table in TABLE_NAMES:
        for suffix in TABLE_SUFFIXES:
            if base == f"{table}{suffix}":
                return f"{table}{suffix}"
    raise UserError(
        f"{base or '(no name)'}: not a table of a data set; name the files "
        + ", ".join(f"{t}.csv" for t in TABLE_NAMES)
        + f" (or .parquet), with an optional {METADATA_NAME}"
    )


def check_upload_size(total_bytes: int) -> None:
    """UserError if an upload is over the configured limit (``NETCOMPARE_UPLOAD_MAX_MB``)."""
    limit = settings().upload_max_bytes
    if total_bytes > limit:
        raise UserError(
            f"The upload is {total_bytes / 1024 / 1024:.1f} MB; this server takes at most "
            f"{settings().upload_max_mb:g} MB at a time"
        )


def upload_limit_mb() -> int:
    """The per-file limit handed to ``st.file_uploader`` (whole MB, at least 1)."""
    return max(1, math.ceil(settings().upload_max_mb))


def save_uploads(files: list) -> Path:
    """Write uploaded table files to a new folder in the session's private folder, each under
    its canonical name. UserError (nothing written) for an unknown name, a file given twice
    or an upload over the size limit."""
    check_upload_size(sum(f.size if hasattr(f, "size") else len(f.getvalue()) for f in files))
    names: dict[str, object] = {}
    for f in files:
        name = canonical_name(f.name)
        if name in names:
            raise UserError(f"{name}: given twice; upload each table once")
        names[name] = f
    sweep_closed_sessions()
    folder = Path(tempfile.mkdtemp(prefix="tables-", dir=session_folder()))
    for name, f in names.items():
        (folder / name).write_bytes(f.getvalue())  # type: ignore[attr-defined]
    return folder


def import_folder() -> Path:
    """A new folder in the session's private folder for a checked import."""
    sweep_closed_sessions()
    return Path(tempfile.mkdtemp(prefix="import-", dir=session_folder()))
