"""Access rules and the audit of note changes (issue 16: sign-in on a shared server).

- new table ``access_rules`` (email, network_id or NULL, role, added_at, added_by): who may
  see and write what once people sign in; unique per (email, network_id), and — because SQL
  treats two NULLs as different — a partial unique index allows one network-less rule per
  email (SQLite and PostgreSQL both support ``CREATE UNIQUE INDEX … WHERE``);
- new nullable column ``notes.author_id`` (254): the signed-in email of a note's author;
- new table ``note_audit`` (note_uid, action, actor_id, actor_name, at, detail): one row per
  change to a note (added, edited, status changed, deleted, restored, imported), ``detail``
  being JSON text of the fields that changed.

Every existing note is kept, unchanged: its ``author_id`` is NULL (written before sign-in, or
on a laptop), so only the network's lead or an admin may edit it once sign-in is on. The audit
starts empty: changes made before this version were never recorded.

Downgrade drops both tables and the ``author_id`` column: every note is kept, but the access
rules, the audit and who (by sign-in) wrote each note are lost (0003 has nowhere to keep them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("lead", "member", "viewer", "admin")


def upgrade() -> None:
    op.create_table(
        "access_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("network_id", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=254), nullable=True),
        sa.CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")",
            name=op.f("ck_access_rules_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_rules")),
        sa.UniqueConstraint("email", "network_id", name=op.f("uq_access_rules_email")),
    )
    op.create_index(
        op.f("uq_access_rules_email_no_network"),
        "access_rules",
        ["email"],
        unique=True,
        sqlite_where=sa.text("network_id IS NULL"),
        postgresql_where=sa.text("network_id IS NULL"),
    )

    # A plain ADD COLUMN on both back ends (batch mode does not copy the table for this).
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("author_id", sa.String(length=254), nullable=True))

    op.create_table(
        "note_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_uid", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=254), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_audit")),
    )
    op.create_index(op.f("ix_note_audit_note_uid"), "note_audit", ["note_uid"])


def downgrade() -> None:
    op.drop_index(op.f("ix_note_audit_note_uid"), table_name="note_audit")
    op.drop_table("note_audit")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("author_id")
    op.drop_index(op.f("uq_access_rules_email_no_network"), table_name="access_rules")
    op.drop_table("access_rules")
