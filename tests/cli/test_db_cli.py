"""`python -m netcompare db load|list`: what it prints, exit codes, and never a password."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from netcompare.cli import main
from netcompare.data.load import load_dataset
from netcompare.data.schema import TABLE_NAMES
from netcompare.data.sqlstore import current_version, read_named
from tests.data.db_fixtures import table_names

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
SECRET = "s3cret-Pw-91"
CLOSED_PORT_URL = f"postgresql+psycopg://netcompare:{SECRET}@127.0.0.1:1/nc"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_load_writes_version_1_then_2_and_says_what(
    any_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "db", "load", str(SAMPLE), "--url", any_db, "--name", "borough")
    assert (code, err) == (0, "")
    assert "Loaded borough version 1" in out
    assert "8 networks, 36 practices, 16 indicators, 20,734 values" in out
    assert "#borough" in out
    folder = load_dataset(SAMPLE)
    stored = read_named(any_db, "borough")
    for t in TABLE_NAMES:
        a, b = getattr(stored, t), getattr(folder, t)
        assert_frame_equal(a.sort(a.columns), b.sort(b.columns))
    code, out, _ = run(capsys, "db", "load", "sample", "--url", any_db, "--name", "borough")
    assert code == 0 and "Loaded borough version 2" in out
    assert current_version(any_db, "borough") == "2"
    code, out, _ = run(capsys, "db", "list", "--url", any_db)
    assert code == 0
    assert out.startswith("borough\tversion 2\tloaded ")
    assert "Riverbank sample borough (fictional)" in out


def test_db_list_of_an_empty_or_missing_database(
    sqlite_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "db", "list", "--url", sqlite_db)
    assert code == 2 and "no such SQLite database file" in err
    path = Path(sqlite_db.removeprefix("sqlite:///"))
    assert not path.exists()  # reading never creates a database
    sqlite3.connect(path).close()
    code, out, _ = run(capsys, "db", "list", "--url", sqlite_db)
    assert code == 0 and "no named data sets" in out


def test_invalid_data_exits_2_listing_the_problems_and_writes_nothing(
    sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE, folder)
    (folder / "practices.csv").unlink()
    values = pl.read_csv(folder / "values.csv", infer_schema=False)
    values.with_columns(pl.lit("soon").alias("period")).write_csv(folder / "values.csv")
    code, out, err = run(capsys, "db", "load", str(folder), "--url", sqlite_db, "--name", "b")
    assert code == 2 and out == ""
    assert "not valid, nothing written" in err
    assert "practices.csv: missing file" in err
    assert "Traceback" not in err
    assert not Path(sqlite_db.removeprefix("sqlite:///")).exists() or not table_names(sqlite_db)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["/no/such/folder", "--url", "sqlite:///x.db", "--name", "b"], "no such folder"),
        (["no-such-key", "--url", "sqlite:///x.db", "--name", "b"], "not a built-in data set"),
        ([str(SAMPLE), "--url", "not a url", "--name", "b"], "is not a database URL"),
        ([str(SAMPLE), "--url", "sqlite:///x.db", "--name", "Big Name"], "data set name"),
        ([str(SAMPLE), "--url", CLOSED_PORT_URL, "--name", "b"], "cannot use the database"),
    ],
)
def test_errors_exit_2_naming_the_problem_without_a_password(
    argv: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "db", "load", *argv)
    assert code == 2
    assert says in err
    assert "Traceback" not in err and SECRET not in out + err
    assert not (tmp_path / "x.db").exists()


def test_unreachable_database_as_a_real_process_names_it_and_hides_the_password() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "netcompare",
            "db",
            "load",
            "sample",
            "--url",
            CLOSED_PORT_URL,
            "--name",
            "borough",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "127.0.0.1:1" in proc.stderr and "netcompare:***@" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "netcompare", "db", "list", "--url", CLOSED_PORT_URL],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and SECRET not in proc.stdout + proc.stderr


def test_the_password_of_a_reachable_database_is_never_printed(
    pg_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL with a password the server ignores (trust authentication on 127.0.0.1)."""
    import sqlalchemy as sa

    url = sa.make_url(pg_db).set(password=SECRET).render_as_string(hide_password=False)
    code, out, err = run(capsys, "db", "load", "sample", "--url", url, "--name", "borough")
    assert code == 0, err
    assert SECRET not in out + err and "***@" in out
    code, out, err = run(capsys, "db", "list", "--url", url)
    assert code == 0 and SECRET not in out + err


def test_db_without_a_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["db"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["db", "load", str(SAMPLE), "--name", "b"])
    assert exit_.value.code == 2
    assert "--url" in capsys.readouterr().err
