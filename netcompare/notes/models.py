"""SQLAlchemy 2.0 models of the notes store (the schema at the newest migration).

The tables are created and changed only by the Alembic migrations in
``netcompare/notes/migrations/versions``; these models must match the newest one (a test
compares them). Times are stored in UTC: :class:`UTCDateTime` turns the naive values SQLite
returns into timezone-aware ones, so both back ends give the same answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from netcompare.access.viewer import ROLES
from netcompare.notes.note import ACTION_STATUSES, KINDS

# Names constraints predictably, so later migrations can refer to them on every back end.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KIND_CHECK = "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")"
STATUS_CHECK = "status IS NULL OR status IN (" + ", ".join(f"'{s}'" for s in ACTION_STATUSES) + ")"
ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (UTC).

    PostgreSQL keeps ``timestamp with time zone``; SQLite keeps text without an offset, so
    values are converted to UTC on the way in and tagged as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


note_tags = Table(
    "note_tags",
    Base.metadata,
    Column(
        "note_id",
        Integer,
        ForeignKey("notes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "tag_id",
        Integer,
        ForeignKey("tags.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class TagRow(Base):
    """A tag name ("recall", "workforce", …), shared by every note that carries it."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)


class NotePracticeRow(Base):
    """One practice an action concerns (an action about the whole network has none)."""

    __tablename__ = "note_practices"

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    practice_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class NoteRow(Base):
    """One row of ``notes``: see :class:`netcompare.notes.note.Note` for the fields."""

    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint(KIND_CHECK, name="kind"),
        CheckConstraint(STATUS_CHECK, name="status"),
        Index("ix_notes_practice_indicator", "practice_id", "indicator_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_uid: Mapped[str] = mapped_column(String(64), unique=True)
    # None only for an action about the network as a whole.
    practice_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    network_id: Mapped[str] = mapped_column(String(64), index=True)
    indicator_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    period: Mapped[date | None] = mapped_column(Date, nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="SET NULL"), nullable=True, index=True
    )
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the change started (actions and practice notes); since 0003.
    intervention_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Actions only (since 0003): who does it, by when, and whether it is open, done or dropped.
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The signed-in email of the author (since 0004); None before sign-in and on a laptop.
    author_id: Mapped[str | None] = mapped_column(String(254), nullable=True)

    parent: Mapped[NoteRow | None] = relationship(remote_side=[id], lazy="joined")
    tags: Mapped[list[TagRow]] = relationship(secondary=note_tags, lazy="selectin")
    practices: Mapped[list[NotePracticeRow]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=NotePracticeRow.practice_id,
    )


class AccessRuleRow(Base):
    """One access rule (since 0004): this email has this role in this network (or in none).

    (email, network_id) is unique; a partial unique index keeps one network-less rule per
    email too, since SQL counts two NULL network ids as different.
    """

    __tablename__ = "access_rules"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role"),
        UniqueConstraint("email", "network_id"),
        Index(
            "uq_access_rules_email_no_network",
            "email",
            unique=True,
            sqlite_where=text("network_id IS NULL"),
            postgresql_where=text("network_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    network_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str | None] = mapped_column(String(254), nullable=True)


class NoteAuditRow(Base):
    """One change to a note (since 0004): who did what, when; ``detail`` is JSON text.

    Keyed by ``note_uid`` rather than a foreign key, so the record outlives any row it names.
    """

    __tablename__ = "note_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_uid: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(254), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[str] = mapped_column(Text)
