"""One guard around every run: an unexpected error is a readable message, not a traceback.

``app.py`` runs the sidebar and the page inside :func:`guarded`. An exception that escapes
(a bug, or a library failing on input nobody foresaw) is logged with its traceback to the
server's log only (secrets masked by :mod:`netcompare.redact`), and the page shows one short
message with an error number to quote; navigation and every other page keep working.
Streamlit's own control flow (``st.stop``, ``st.rerun``) derives from ``BaseException`` and
passes through untouched.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from netcompare.redact import mask_secrets
from netcompare.text import literal

LOG = logging.getLogger("netcompare")
# The last guarded error of this session: its number and traceback (read by the tests).
LAST_ERROR_KEY = "_netcompare_last_error"
MESSAGE = (
    "Something went wrong while drawing {where} (error {number}). The rest of netcompare "
    "keeps working: choose another page or change a filter. If it happens again, tell "
    "whoever runs this server the error number; the details are in its log."
)


@contextmanager
def guarded(where: str) -> Iterator[None]:
    """Run the block; an ``Exception`` from it is logged and shown as a readable message."""
    try:
        yield
    except Exception as exc:
        number = uuid.uuid4().hex[:8]
        LOG.error("error %s while drawing %s", number, where, exc_info=exc)
        st.session_state[LAST_ERROR_KEY] = (number, mask_secrets(traceback.format_exc()))
        st.error(literal(MESSAGE.format(where=where, number=number)), icon=":material/error:")
