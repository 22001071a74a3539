"""Secrets never leave the server: passwords in database URLs and DSNs masked as ``***``.

:func:`mask_secrets` is applied to every text that can carry a URL on its way to a person —
labels, links, messages, CLI output — and :func:`install_log_redaction` applies it to every
log record, so a password typed into a URL never reaches a screen, a browser's history or a
log file. ``postgresql+psycopg://user:secret@host/db`` becomes
``postgresql+psycopg://user:***@host/db``; ``password=secret`` (a libpq key/value DSN or a URL
query) becomes ``password=***``. SQLAlchemy's own ``URL.render_as_string(hide_password=True)``
writes the same ``***``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

MASK = "***"

# scheme://user:password@host — the password runs to the last "@" before white space or a
# quote, so an unencoded "@" or "/" inside it is masked too.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)[^\s'\"]*(?=@)")
# password=… in a key/value DSN or a URL's query string.
_KEY_PASSWORD = re.compile(r"(?i)(?P<head>\b(?:password|passwd|pwd)\s*=\s*)[^\s&;'\"]+")


def mask_secrets(text: object) -> str:
    """``text`` (made a string) with every password in a URL or DSN replaced by ``***``."""
    out = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, str(text))
    return _KEY_PASSWORD.sub(lambda m: m.group("head") + MASK, out)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = mask_secrets(formatted)
            if record.exc_text != formatted:
                record.exc_info = None
                record.msg = f"{record.msg}\n{record.exc_text}"
                record.exc_text = None
        return True


class MaskedStream:
    """A text stream that masks secrets in everything written to it (the CLI wraps stdout
    and stderr in it, so no message, warning or usage error prints a password)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(mask_secrets(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def masked_output() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` mask secrets."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskedStream(out), MaskedStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Mask secrets in every record handled by any handler of any logger known so far (the
    root logger's, streamlit's, netcompare's …). Idempotent: call it at every app start."""
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    for logger in loggers:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
