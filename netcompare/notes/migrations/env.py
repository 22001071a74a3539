"""Alembic environment for the notes store.

Configured in code, not by an ``alembic.ini``: :func:`netcompare.notes.store.upgrade` builds the
:class:`alembic.config.Config`, opens the transaction, takes the migration lock and passes the
connection in ``config.attributes["connection"]``. Running inside that caller's transaction
means the whole upgrade (and the first-run seed) commits or rolls back as one.

For developers writing a new revision with the ``alembic`` command, a URL in
``sqlalchemy.url`` (or ``NETCOMPARE_DB_URL``) is used instead; see README.md here.
"""

from __future__ import annotations

from alembic import context

from netcompare.dbwait import make_engine
from netcompare.notes.models import Base
from netcompare.notes.store import VERSION_TABLE, resolve_db_url

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or resolve_db_url()
    engine = make_engine(url)  # the connect and statement timeouts of every engine
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or resolve_db_url(),
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
