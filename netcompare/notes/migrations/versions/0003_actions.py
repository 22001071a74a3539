"""Actions: "meeting_action" becomes "action", with an owner, a due date, a status, the
practices it concerns and an intervention date (also on practice notes).

- ``notes.kind`` value ``meeting_action`` is renamed ``action`` (the kind CHECK follows);
- new nullable columns ``owner`` (80), ``due_date``, ``status`` (open / done / dropped, CHECK),
  ``intervention_date`` (when the change started: actions and practice notes);
- ``notes.practice_id`` may be NULL: an action about the network as a whole;
- new table ``note_practices`` (note, practice): every practice an action concerns.

Every existing note is kept: a meeting action becomes an open action (``status = 'open'``)
concerning its practice (a ``note_practices`` row). Owner and due date stay empty: they were
never recorded, and inventing them would be worse (edit the action to add them).

Downgrade turns actions back into meeting actions concerning their ``practice_id`` only, and
drops the owner, due date, status, intervention dates and the other practices an action
concerned (0002 has nowhere to keep them). An action about the whole network has no practice,
which 0002 cannot store: the downgrade then stops with an error naming how many there are,
and changes nothing (delete or re-file them first).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("practice_note", "question", "answer", "meeting_action")
NEW_KINDS = ("practice_note", "question", "answer", "action")
STATUSES = ("open", "done", "dropped")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    # 1. Loosen: drop the old kind CHECK, add the columns, let practice_id be NULL.
    with op.batch_alter_table("notes") as batch:
        batch.drop_constraint(op.f("ck_notes_kind"), type_="check")
        batch.add_column(sa.Column("intervention_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=10), nullable=True))
        batch.alter_column("practice_id", existing_type=sa.String(length=64), nullable=True)

    # 2. The data: meeting actions become open actions.
    op.execute(
        sa.text("UPDATE notes SET kind = 'action', status = 'open' WHERE kind = 'meeting_action'")
    )

    # 3. Tighten again: the new kind CHECK and the status CHECK.
    with op.batch_alter_table("notes") as batch:
        batch.create_check_constraint(op.f("ck_notes_kind"), _in("kind", NEW_KINDS))
        batch.create_check_constraint(
            op.f("ck_notes_status"), "status IS NULL OR " + _in("status", STATUSES)
        )

    # 4. The practices an action concerns; each existing action concerns its practice.
    op.create_table(
        "note_practices",
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_practices_note_id_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("note_id", "practice_id", name=op.f("pk_note_practices")),
    )
    op.create_index(op.f("ix_note_practices_practice_id"), "note_practices", ["practice_id"])
    op.execute(
        sa.text(
            "INSERT INTO note_practices (note_id, practice_id) "
            "SELECT id, practice_id FROM notes "
            "WHERE kind = 'action' AND practice_id IS NOT NULL"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    network_wide = bind.execute(
        sa.text("SELECT count(*) FROM notes WHERE practice_id IS NULL")
    ).scalar_one()
    if network_wide:
        raise RuntimeError(
            f"Cannot downgrade the notes store below 0003: {network_wide} action(s) are about "
            "a whole network (no practice), which the older schema cannot store. Delete them "
            "or give each a practice, then downgrade again; nothing was changed."
        )
    op.drop_index(op.f("ix_note_practices_practice_id"), table_name="note_practices")
    op.drop_table("note_practices")

    with op.batch_alter_table("notes") as batch:
        batch.drop_constraint(op.f("ck_notes_status"), type_="check")
        batch.drop_constraint(op.f("ck_notes_kind"), type_="check")

    op.execute(sa.text("UPDATE notes SET kind = 'meeting_action' WHERE kind = 'action'"))

    with op.batch_alter_table("notes") as batch:
        batch.alter_column("practice_id", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("status")
        batch.drop_column("due_date")
        batch.drop_column("owner")
        batch.drop_column("intervention_date")
        batch.create_check_constraint(op.f("ck_notes_kind"), _in("kind", OLD_KINDS))
