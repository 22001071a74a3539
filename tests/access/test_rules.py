"""Access rules in the notes database: add (upsert), remove, list, rules_for, viewer_for,
and readable errors for a bad email, role or network — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from netcompare.access.rules import (
    AccessRepository,
    AccessRuleError,
    open_access_store,
    viewer_for,
)
from netcompare.access.viewer import AccessRule
from netcompare.errors import UserError
from netcompare.notes import current_revision, head_revision, open_notes_store
from netcompare.notes.errors import NotesUnavailable

WHEN = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def rules(any_db: str) -> Iterator[AccessRepository]:
    repo = AccessRepository(any_db, clock=lambda: WHEN)
    yield repo
    repo.close()


def test_a_new_database_is_upgraded_and_starts_empty(any_db: str) -> None:
    repo = open_access_store(any_db)
    try:
        assert current_revision(repo.engine) == head_revision()
        assert repo.list() == []
        assert repo.rules_for("nobody@nhs.net") == ()
    finally:
        repo.close()


def test_add_list_rules_for_and_remove(rules: AccessRepository) -> None:
    assert rules.add(" Anne.Smith@NHS.net ", "N1", "lead") == AccessRule(
        "anne.smith@nhs.net", "N1", "lead"
    )
    rules.add("anne.smith@nhs.net", "N2", "member", added_by="ops@nhs.net")
    rules.add("vic@nhs.net", None, "viewer")
    rules.add("root@nhs.net", "", "admin")  # an empty network is no network
    assert rules.list() == [
        AccessRule("anne.smith@nhs.net", "N1", "lead"),
        AccessRule("anne.smith@nhs.net", "N2", "member"),
        AccessRule("root@nhs.net", None, "admin"),
        AccessRule("vic@nhs.net", None, "viewer"),
    ]
    assert rules.rules_for("ANNE.SMITH@nhs.net") == (
        AccessRule("anne.smith@nhs.net", "N1", "lead"),
        AccessRule("anne.smith@nhs.net", "N2", "member"),
    )
    [(_, added_at, added_by)] = [r for r in rules.rows() if r[0].network_id == "N2"]
    assert (added_at, added_by) == (WHEN, "ops@nhs.net")
    assert rules.remove("anne.smith@nhs.net", "N2") == 1
    assert rules.remove("anne.smith@nhs.net", "N2") == 0
    assert rules.remove("Anne.Smith@nhs.net") == 1  # every rule of that email
    assert rules.remove("vic@nhs.net", "N1") == 0  # only the network given
    assert [r.email for r in rules.list()] == ["root@nhs.net", "vic@nhs.net"]


def test_adding_again_changes_the_role_with_or_without_a_network(rules: AccessRepository) -> None:
    rules.add("a@nhs.net", "N1", "member")
    rules.add("a@nhs.net", "N1", "lead")
    rules.add("a@nhs.net", None, "viewer")
    rules.add("A@nhs.net", None, "admin")  # NULL network: still one rule, not two
    assert rules.list() == [
        AccessRule("a@nhs.net", None, "admin"),
        AccessRule("a@nhs.net", "N1", "lead"),
    ]


def test_the_schema_itself_keeps_one_rule_without_a_network(any_db: str) -> None:
    """SQL counts NULLs as different; the partial unique index does not."""
    repo = AccessRepository(any_db)
    try:
        repo.add("a@nhs.net", None, "viewer")
        with pytest.raises(sa.exc.IntegrityError), repo.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO access_rules (email, network_id, role, added_at) "
                    "VALUES ('a@nhs.net', NULL, 'admin', :t)"
                ),
                {"t": WHEN},
            )
        with pytest.raises(sa.exc.IntegrityError), repo.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO access_rules (email, network_id, role, added_at) "
                    "VALUES ('b@nhs.net', 'N1', 'boss', :t)"
                ),
                {"t": WHEN},
            )
    finally:
        repo.close()
    assert repo.list() == [AccessRule("a@nhs.net", None, "viewer")]


@pytest.mark.parametrize(
    ("email", "network", "role", "message"),
    [
        ("anne", "N1", "lead", "'anne' is not an email address: it needs exactly one '@'"),
        ("a@b@nhs.net", "N1", "lead", "exactly one '@'"),
        ("@nhs.net", "N1", "lead", "a name before it and a domain after it"),
        ("anne smith@nhs.net", "N1", "lead", "contains a space"),
        ("", "N1", "lead", "the email is required"),
        ("a" * 247 + "@nhs.net", "N1", "lead", "255 characters long; the limit is 254"),
        ("a@nhs.net", "N1", "boss", "the role 'boss' is not one of lead, member, viewer, admin"),
        ("a@nhs.net", "N1", "", "the role is required: one of lead, member"),
        ("a@nhs.net", None, "lead", "a lead belongs to a network: give its id"),
        ("a@nhs.net", "  ", "member", "a member belongs to a network"),
        ("a@nhs.net", "N 1", "member", "the network id 'N 1' contains a space"),
        ("a@nhs.net", "N" * 65, "member", "longer than 64 characters"),
    ],
)
def test_bad_rules_are_refused_with_a_readable_message(
    rules: AccessRepository, email: str, network: str | None, role: str, message: str
) -> None:
    with pytest.raises(AccessRuleError) as caught:
        rules.add(email, network, role)
    assert isinstance(caught.value, UserError)
    assert message in str(caught.value)
    assert rules.list() == []


def test_role_and_email_are_case_insensitive(rules: AccessRepository) -> None:
    assert rules.add("A@NHS.NET", "N1", " Lead ").role == "lead"
    assert rules.add("b@nhs.net", None, "ADMIN").role == "admin"


def test_a_254_character_email_is_kept(rules: AccessRepository) -> None:
    email = "a" * 246 + "@nhs.net"
    assert len(email) == 254
    assert rules.add(email, "N1", "member").email == email
    assert rules.rules_for(email) == (AccessRule(email, "N1", "member"),)


def test_viewer_for_builds_the_signed_in_viewer(rules: AccessRepository) -> None:
    rules.add("lena@nhs.net", "N1", "lead")
    rules.add("lena@nhs.net", "N2", "viewer")
    lena = viewer_for(" Lena@NHS.net", "  Lena   Lead ", rules)
    assert (lena.email, lena.name, lena.signed_in) == ("lena@nhs.net", "Lena Lead", True)
    assert lena.networks == frozenset({"N1", "N2"})
    assert lena.can_write("N1") and not lena.can_write("N2") and not lena.can_write("N3")
    stranger = viewer_for("stranger@example.org", None, rules)
    assert stranger.rules == () and stranger.anonymise_all and not stranger.can_write("N1")
    with pytest.raises(AccessRuleError, match="gave no email address"):
        viewer_for("  ", "Nobody", rules)


def test_it_shares_a_notes_store_engine(any_db: str) -> None:
    store = open_notes_store(any_db, seed=False)
    try:
        rules = AccessRepository(store)
        rules.add("m@nhs.net", "N1", "member")
        rules.close()  # not its engine: the store keeps working
        assert AccessRepository(store.engine).rules_for("m@nhs.net") == (
            AccessRule("m@nhs.net", "N1", "member"),
        )
        assert store.count() == 0
    finally:
        store.close()


def test_an_unreachable_database_is_a_readable_error() -> None:
    with pytest.raises(NotesUnavailable) as caught:
        AccessRepository("postgresql+psycopg://u:s3cret-pw@127.0.0.1:1/nc")
    assert "cannot be reached" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
