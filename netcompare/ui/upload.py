"""Loading a user's own data from the Data page: a folder or URL, or uploaded files."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from netcompare.data.load import is_database_url, load_dataset
from netcompare.data.schema import TABLE_NAMES
from netcompare.errors import UserError
from netcompare.ui.dataset import CUSTOM, CUSTOM_SOURCE_KEY
from netcompare.ui.filters import PENDING_DATA_KEY

UPLOAD_ROOT = Path(tempfile.gettempdir()) / "netcompare-uploads"


def use_source(source: str) -> bool:
    """Validate ``source`` and make it the app's data set; show every problem if it fails."""
    try:
        load_dataset(source)
    except UserError as exc:
        st.error(f"Not loaded: {source}\n\n{exc}")
        return False
    st.session_state[CUSTOM_SOURCE_KEY] = source
    # The sidebar's data selectbox already exists in this run: it switches on the next run.
    st.session_state[PENDING_DATA_KEY] = CUSTOM
    return True


def save_uploads(files: list) -> Path:
    """Write uploaded table files to a folder named by their content (nothing is lost)."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode())
        digest.update(f.getvalue())
    folder = UPLOAD_ROOT / digest.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        name = Path(f.name).name
        stem = Path(name).stem
        if stem not in TABLE_NAMES and name != "dataset.json":
            raise UserError(
                f"{name}: not a table of a data set; name the files "
                + ", ".join(f"{t}.csv" for t in TABLE_NAMES)
            )
        (folder / name).write_bytes(f.getvalue())
    return folder


def describe_source(source: str) -> str:
    return "a database" if is_database_url(source) else f"the folder {source}"
