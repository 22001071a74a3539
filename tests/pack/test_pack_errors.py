"""The pack command's errors: exit 2 with a message naming the problem, never a traceback;
and a pack made even when the notes store cannot be read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pack.helpers import pdf_text, run_cli


def pack_args(tmp_path: Path, **changes: str) -> list[str]:
    args = {
        "--data": "sample",
        "--network": "N1",
        "--period": "2026-09",
        "--out": str(tmp_path / "pack.pdf"),
        "--indicators": "IMM_MMR1",
    }
    args.update(changes)
    return ["pack", *(x for kv in args.items() for x in kv)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--network": "N99"}, r"unknown network 'N99'.*N1 \(Limekiln Fields\)"),
        (
            {"--period": "2031-01"},
            r"no data for period 2031-01-01.*periods with data: .*2026-09-01",
        ),
        ({"--period": "September"}, r"--period must be a date like 2024-03-01"),
        ({"--indicators": "NOPE"}, r"unknown indicator 'NOPE'.*IMM_MMR1"),
        ({"--data": "no-such-data"}, r"--data 'no-such-data': no such folder, and not a built-in"),
        ({"--out": "/no/such/folder/pack.pdf"}, r"--out /no/such/folder/pack.pdf: cannot write"),
    ],
    ids=["network", "period", "period-text", "indicator", "data", "out-folder"],
)
def test_a_bad_option_exits_2_naming_it(tmp_path: Path, changes, message) -> None:
    result = run_cli(*pack_args(tmp_path, **changes), db_url=f"sqlite:///{tmp_path / 'n.db'}")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pack.pdf").exists()


def test_an_out_that_is_a_folder_or_read_only_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run_cli(*pack_args(tmp_path, **{"--out": str(folder)}))
    assert result.returncode == 2
    assert "is a folder, not a file" in result.stderr
    html = tmp_path / "locked"
    html.mkdir()
    result = run_cli(*pack_args(tmp_path), "--html", str(html / "x" / "pack.html"))
    assert result.returncode == 2
    assert "--html" in result.stderr and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_pack_is_made_when_the_notes_cannot_be_read(tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    # nothing listens on port 1: the connection is refused at once
    result = run_cli(
        *pack_args(tmp_path),
        "--db-url",
        "postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/notes",
    )
    assert result.returncode == 0, result.stderr
    assert "warning: notes unavailable" in result.stdout
    assert "s3cret-pw" not in result.stdout + result.stderr
    text = re.sub(r"\s+", " ", pdf_text(out))
    assert "Notes unavailable:" in text
    assert "Meeting pack: Limekiln Fields" in text
    assert "s3cret-pw" not in text
