"""`python -m netcompare users add|list|remove`: what it prints, exit codes, the default
database (the notes one), and never a password — on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from netcompare.access.rules import AccessRepository
from netcompare.access.viewer import AccessRule
from netcompare.cli import main
from netcompare.notes import current_revision, head_revision

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-Pw-91"
CLOSED_PORT_URL = f"postgresql+psycopg://netcompare:{SECRET}@127.0.0.1:1/nc"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored(url: str) -> list[AccessRule]:
    repo = AccessRepository(url)
    try:
        return repo.list()
    finally:
        repo.close()


def test_add_list_remove_on_a_new_database(any_db: str, capsys) -> None:
    code, out, err = run(
        capsys, "users", "add", "Lena.Lead@NHS.net", "--network", "N1", "--role", "lead",
        "--db-url", any_db,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("lena.lead@nhs.net is now lead of network N1 (in ")
    code, out, _ = run(
        capsys, "users", "add", "vic@nhs.net", "--role", "viewer", "--db-url", any_db
    )
    assert code == 0 and out.startswith("vic@nhs.net is now viewer of no network (in ")
    code, _, _ = run(
        capsys, "users", "add", "mo@nhs.net", "--network", "N1", "--role", "member",
        "--db-url", any_db,
    )  # fmt: skip
    assert code == 0
    assert stored(any_db) == [
        AccessRule("lena.lead@nhs.net", "N1", "lead"),
        AccessRule("mo@nhs.net", "N1", "member"),
        AccessRule("vic@nhs.net", None, "viewer"),
    ]

    code, out, err = run(capsys, "users", "list", "--db-url", any_db)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["email", "network", "role", "added", "by"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["lena.lead@nhs.net", "N1", "lead"],
        ["mo@nhs.net", "N1", "member"],
        ["vic@nhs.net", "-", "viewer"],
    ]

    # Adding again changes the role; removing by network, then every rule of an email.
    code, _, _ = run(
        capsys, "users", "add", "mo@nhs.net", "--network", "N1", "--role", "lead",
        "--db-url", any_db,
    )  # fmt: skip
    assert code == 0 and AccessRule("mo@nhs.net", "N1", "lead") in stored(any_db)
    code, out, _ = run(
        capsys, "users", "remove", "MO@nhs.net", "--network", "N1", "--db-url", any_db
    )
    assert code == 0 and out.startswith("removed 1 access rule(s) of mo@nhs.net for network N1")
    code, out, _ = run(capsys, "users", "remove", "lena.lead@nhs.net", "--db-url", any_db)
    assert code == 0 and out.startswith("removed 1 access rule(s) of lena.lead@nhs.net (in ")
    assert stored(any_db) == [AccessRule("vic@nhs.net", None, "viewer")]


def test_the_default_database_is_the_notes_one(any_db: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NETCOMPARE_DB_URL", any_db)
    assert run(capsys, "users", "add", "a@nhs.net", "--role", "admin")[0] == 0
    assert stored(any_db) == [AccessRule("a@nhs.net", None, "admin")]
    repo = AccessRepository(any_db)
    try:
        assert current_revision(repo.engine) == head_revision()
    finally:
        repo.close()
    code, out, _ = run(capsys, "users", "list")
    assert code == 0 and "a@nhs.net" in out and "admin" in out


def test_an_empty_list_says_so(sqlite_db: str, capsys) -> None:
    code, out, _ = run(capsys, "users", "list", "--db-url", sqlite_db)
    assert code == 0 and out.startswith("no access rules in sqlite:///")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "anne", "--network", "N1", "--role", "lead"], "is not an email address"),
        (["add", "a b@nhs.net", "--network", "N1", "--role", "lead"], "contains a space"),
        (["add", "a@nhs.net", "--network", "N1", "--role", "boss"], "the role 'boss' is not"),
        (["add", "a@nhs.net", "--role", "lead"], "a lead belongs to a network"),
        (["add", "a@nhs.net", "--role", "member"], "a member belongs to a network"),
        (["remove", "a@nhs.net"], "a@nhs.net has no access rule in "),
        (["remove", "a@nhs.net", "--network", "N1"], "has no access rule for network N1"),
    ],
)
def test_errors_exit_2_with_one_line(sqlite_db: str, capsys, argv, message) -> None:
    code, out, err = run(capsys, "users", *argv, "--db-url", sqlite_db)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1
    assert stored(sqlite_db) == []


def test_a_missing_role_is_a_usage_error(sqlite_db: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["users", "add", "a@nhs.net", "--db-url", sqlite_db])
    assert caught.value.code == 2
    assert "--role" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["add", "a@nhs.net", "--role", "admin"],
        ["list"],
        ["remove", "a@nhs.net"],
    ],
)
def test_an_unreachable_database_never_prints_the_password(capsys, argv) -> None:
    code, out, err = run(capsys, "users", *argv, "--db-url", CLOSED_PORT_URL)
    assert code == 2
    assert "cannot be reached" in err and "netcompare:***@127.0.0.1:1/nc" in err
    assert SECRET not in out + err


def test_a_password_in_a_working_url_is_never_printed(pg_db: str, capsys) -> None:
    # The test server trusts every connection, so any password gets in: it must not show.
    url = pg_db.replace("postgres@", f"postgres:{SECRET}@", 1)
    code, out, err = run(capsys, "users", "add", "a@nhs.net", "--role", "admin", "--db-url", url)
    assert code == 0 and "postgres:***@" in out
    code, out2, err2 = run(capsys, "users", "list", "--db-url", url)
    assert code == 0 and "a@nhs.net" in out2
    assert SECRET not in out + err + out2 + err2


def test_python_dash_m_offers_the_users_command(sqlite_db: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "netcompare", "users", "add", "x@nhs.net", "--role", "viewer",
         "--db-url", sqlite_db],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert "x@nhs.net is now viewer of no network" in done.stdout
