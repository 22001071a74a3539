"""Secrets never leave the server: URLs and DSNs masked in text, logs and CLI output."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from netcompare.redact import RedactingFilter, mask_secrets

SECRET = "S3cr3t-pw"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            f"postgresql+psycopg://user:{SECRET}@db:5432/x",
            "postgresql+psycopg://user:***@db:5432/x",
        ),
        (f"see mysql://u:{SECRET}@h/d, then", "see mysql://u:***@h/d, then"),
        (f"pg://u:p@ss/w{SECRET}@host/db", "pg://u:***@host/db"),
        (f"host=db user=u password={SECRET} dbname=x", "host=db user=u password=*** dbname=x"),
        (
            f"pg://u@h/db?sslmode=require&password={SECRET}",
            "pg://u@h/db?sslmode=require&password=***",
        ),
        ("sqlite:////srv/notes.db", "sqlite:////srv/notes.db"),
        ("pg://user@host/db", "pg://user@host/db"),
        ("10:30 at a:b", "10:30 at a:b"),
    ],
)
def test_mask_secrets(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def test_log_records_and_their_tracebacks_are_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("netcompare.test_redact")
    log.addHandler(handler)
    try:
        log.warning("cannot reach %s", f"pg://u:{SECRET}@h/db")
        try:
            raise RuntimeError(f"connect to pg://u:{SECRET}@h/db failed")
        except RuntimeError:
            log.exception("store down")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "cannot reach pg://u:***@h/db" in out
    assert "RuntimeError: connect to pg://u:***@h/db failed" in out
    assert SECRET not in out


@pytest.mark.parametrize(
    "args",
    [
        ["validate", f"postgresql+psycopg://me:{SECRET}@127.0.0.1:1/x"],
        [
            "compare",
            "--data",
            f"postgresql+psycopg://me:{SECRET}@127.0.0.1:1/x",
            "--indicator",
            "DM",
            "--period",
            "2024-03",
            "--out",
            "o.csv",
        ],
        [
            "spc",
            "--data",
            f"postgresql+psycopg://me:{SECRET}@127.0.0.1:1/x",
            "--practice",
            "P1",
            "--indicator",
            "DM",
            "--out",
            "o.csv",
        ],
        ["validate", f"not-a-driver://me:{SECRET}@h/x"],
        ["compare", "--method", f"pg://me:{SECRET}@h/x", "--out", "o.csv", "in.csv"],
    ],
)
def test_the_cli_never_prints_a_password(args: list[str], tmp_path) -> None:
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    run = subprocess.run(
        [sys.executable, "-m", "netcompare", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert "me:***@" in run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
