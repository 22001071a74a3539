"""Create the notes table (notes, questions, answers, meeting actions; no tags yet).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("practice_note", "question", "answer", "meeting_action")


def upgrade() -> None:
    # Constraint names are given in full (op.f) so they never depend on a naming convention.
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_uid", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.String(length=64), nullable=False),
        sa.Column("network_id", sa.String(length=64), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=True),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name=op.f("ck_notes_kind")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["notes.id"],
            name=op.f("fk_notes_parent_id_notes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("note_uid", name=op.f("uq_notes_note_uid")),
    )
    op.create_index(op.f("ix_notes_network_id"), "notes", ["network_id"])
    op.create_index(op.f("ix_notes_parent_id"), "notes", ["parent_id"])
    op.create_index(op.f("ix_notes_practice_indicator"), "notes", ["practice_id", "indicator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_practice_indicator"), table_name="notes")
    op.drop_index(op.f("ix_notes_parent_id"), table_name="notes")
    op.drop_index(op.f("ix_notes_network_id"), table_name="notes")
    op.drop_table("notes")
