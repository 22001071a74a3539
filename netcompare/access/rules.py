"""The access rules, kept in the notes database: who has which role in which network.

One row of ``access_rules`` (migration 0004) says: this email is a ``lead``, ``member``,
``viewer`` or ``admin`` of this network, or — with no network — a viewer of no network (sees
every practice anonymised) or an admin of the whole server. Leads and members always name a
network. (email, network) is unique, a rule without a network too: adding a rule that exists
changes its role.

Managed from the command line (``python -m netcompare users …``, :mod:`netcompare.cli.users`)
and read when someone signs in (:func:`viewer_for`). :class:`AccessRepository` is built like
:class:`~netcompare.notes.repository.NotesRepository`: every call runs in one short
transaction under :func:`netcompare.dbwait.bounded_call`'s deadline, and a database that
fails or does not answer raises :class:`~netcompare.notes.errors.NotesUnavailable` with a
readable message (password hidden). Opened on a URL it runs the notes migrations first, as
:func:`~netcompare.notes.store.open_notes_store` does, so ``users add`` works on a new
database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar, cast

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from netcompare.access.viewer import ROLES, AccessRule, Role, Viewer, normalise_email
from netcompare.dbwait import DatabaseTimeout, bounded_call, deadline_s
from netcompare.errors import UserError
from netcompare.notes.engine import describe_url, make_engine, unavailable_error, writer
from netcompare.notes.errors import NotesUnavailable
from netcompare.notes.models import AccessRuleRow
from netcompare.notes.repository import NotesRepository, utc_now
from netcompare.notes.store import resolve_db_url, upgrade

T = TypeVar("T")

MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path, less its angle brackets
MAX_NETWORK_CHARS = 64  # as notes.network_id
# Roles that only make sense inside one network.
NETWORK_ROLES = frozenset({"lead", "member"})


class AccessRuleError(UserError):
    """An access rule that cannot be kept: a bad email, role or network."""


def clean_email(email: object, label: str = "the email") -> str:
    """``email`` as rules keep it (trimmed, lower case); :class:`AccessRuleError` unless it
    has exactly one ``@`` with text either side, no spaces, and at most 254 characters."""
    if not isinstance(email, str) or not email.strip():
        raise AccessRuleError(f"{label} is required (e.g. anne.smith@nhs.net)")
    text = normalise_email(email)
    if any(c.isspace() for c in text):
        raise AccessRuleError(f"{label} {text[:60]!r} contains a space; give one address")
    local, at, domain = text.partition("@")
    if not at or "@" in domain or not local or not domain:
        raise AccessRuleError(
            f"{label} {text[:60]!r} is not an email address: it needs exactly one '@' with "
            "a name before it and a domain after it (e.g. anne.smith@nhs.net)"
        )
    if len(text) > MAX_EMAIL_CHARS:
        raise AccessRuleError(
            f"{label} is {len(text)} characters long; the limit is {MAX_EMAIL_CHARS}"
        )
    return text


def clean_role(role: object) -> Role:
    """``role`` in lower case; :class:`AccessRuleError` unless it is one of ROLES."""
    text = role.strip().lower() if isinstance(role, str) else ""
    if not text:
        raise AccessRuleError(f"the role is required: one of {', '.join(ROLES)}")
    if text not in ROLES:
        raise AccessRuleError(f"the role {role!r} is not one of {', '.join(ROLES)}")
    return cast(Role, text)


def clean_network(network_id: object, role: Role) -> str | None:
    """The network id (trimmed; empty: None); :class:`AccessRuleError` if a lead or member
    names none, or the id is not one token of at most 64 characters."""
    text = network_id.strip() if isinstance(network_id, str) else ""
    if network_id is not None and not isinstance(network_id, str):
        raise AccessRuleError(f"the network id {network_id!r} is not text")
    if not text:
        if role in NETWORK_ROLES:
            raise AccessRuleError(
                f"a {role} belongs to a network: give its id (--network ID); only a viewer "
                "or an admin may have no network"
            )
        return None
    if any(c.isspace() for c in text):
        raise AccessRuleError(f"the network id {text[:70]!r} contains a space")
    if len(text) > MAX_NETWORK_CHARS:
        raise AccessRuleError(f"the network id is longer than {MAX_NETWORK_CHARS} characters")
    return text


def _to_rule(row: AccessRuleRow) -> AccessRule:
    return AccessRule(email=row.email, network_id=row.network_id, role=cast(Role, row.role))


def _rule_order(rule: AccessRule) -> tuple[str, int, str, str]:
    return (rule.email, rule.network_id is not None, rule.network_id or "", rule.role)


def _bounded(action: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run the method under the repository's deadline (see :class:`AccessRepository`)."""

    def decorate(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def bounded(self: AccessRepository, *args: object, **kwargs: object) -> T:
            return self._call(action, functools.partial(method, self, *args, **kwargs))

        return bounded

    return decorate


class AccessRepository:
    """The access rules in one database (the notes database).

    ``source``: a :class:`NotesRepository` (its engine is shared, already upgraded), an
    :class:`~sqlalchemy.Engine` (upgraded to the newest schema first) or a database URL
    (None: the notes database, :func:`~netcompare.notes.store.resolve_db_url`), for which
    an engine is made, upgraded, and disposed of by :meth:`close`. Returns plain
    :class:`~netcompare.access.viewer.AccessRule` values; thread-safe like the notes
    repository.
    """

    def __init__(
        self,
        source: NotesRepository | Engine | str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        deadline: float | None = None,
    ) -> None:
        self.deadline = deadline_s() if deadline is None else deadline
        self._clock = clock
        self._owns_engine = False
        if isinstance(source, NotesRepository):
            self._engine = source.engine
            return
        if isinstance(source, Engine):
            self._engine = source
        else:
            self._engine = make_engine(resolve_db_url(source))
            self._owns_engine = True
        try:
            self._call("open the access rules", lambda: upgrade(self._engine))
        except BaseException:
            self.close()
            raise

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        """The database URL as shown to people (password hidden)."""
        return describe_url(self._engine.url)

    def close(self) -> None:
        """Close the engine's pooled connections if this repository made the engine."""
        if self._owns_engine:
            self._engine.dispose()

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        where = f"The notes database {describe_url(self._engine.url)}"
        try:
            return bounded_call(fn, url=self._engine.url, timeout=self.deadline, what=where)
        except DatabaseTimeout as exc:
            raise NotesUnavailable(f"{exc}. Could not {action}.") from None

    @contextmanager
    def _session(self, action: str, *, write: bool) -> Iterator[Session]:
        try:
            bind = writer(self._engine) if write else self._engine
            with Session(bind) as session, session.begin():
                yield session
        except (AccessRuleError, NotesUnavailable):
            raise
        except IntegrityError as exc:
            raise AccessRuleError(
                f"Could not {action}: someone changed the same rule at the same moment; "
                "please try again"
            ) from exc
        except SQLAlchemyError as exc:
            raise unavailable_error(exc, self._engine.url, action) from exc

    def _now(self) -> datetime:
        now = self._clock()
        return (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).astimezone(UTC)

    # -- writes ---------------------------------------------------------------------------

    @_bounded("save the access rule")
    def add(
        self, email: str, network_id: str | None, role: str, added_by: str | None = None
    ) -> AccessRule:
        """Give ``email`` the ``role`` in ``network_id`` (None: no network; only a viewer or
        an admin) and return the rule. A rule for the same email and network already there
        gets the new role. ``added_by``: who added it (an email or a name, for the record).
        Raises :class:`AccessRuleError` for a bad email, role or network."""
        clean = clean_email(email)
        wanted = clean_role(role)
        network = clean_network(network_id, wanted)
        by = added_by.strip()[:MAX_EMAIL_CHARS] if isinstance(added_by, str) else None
        with self._session("save the access rule", write=True) as session:
            # SQL counts two NULL networks as different: look the rule up by hand (a partial
            # unique index in the schema guards against two writers racing here).
            match = (
                AccessRuleRow.network_id.is_(None)
                if network is None
                else AccessRuleRow.network_id == network
            )
            row = session.scalar(select(AccessRuleRow).where(AccessRuleRow.email == clean, match))
            if row is None:
                row = AccessRuleRow(email=clean, network_id=network)
                session.add(row)
            row.role = wanted
            row.added_at = self._now()
            row.added_by = by or None
            session.flush()
            return _to_rule(row)

    @_bounded("remove the access rules")
    def remove(self, email: str, network_id: str | None = None) -> int:
        """Remove ``email``'s rule for ``network_id`` (None: every rule of that email);
        return how many were removed (0 if there were none)."""
        clean = clean_email(email)
        stmt = delete(AccessRuleRow).where(AccessRuleRow.email == clean)
        if network_id is not None and network_id.strip():
            stmt = stmt.where(AccessRuleRow.network_id == network_id.strip())
        with self._session("remove the access rules", write=True) as session:
            return int(session.execute(stmt).rowcount or 0)

    # -- reads ----------------------------------------------------------------------------

    @_bounded("read the access rules")
    def list(self) -> list[AccessRule]:
        """Every rule, by email, then network (a rule without one first)."""
        with self._session("read the access rules", write=False) as session:
            rules = [_to_rule(r) for r in session.scalars(select(AccessRuleRow))]
        return sorted(rules, key=_rule_order)

    @_bounded("read the access rules")
    def rules_for(self, email: str) -> tuple[AccessRule, ...]:
        """The rules of one email (compared trimmed and in lower case); () for none."""
        clean = normalise_email(email) if isinstance(email, str) else ""
        if not clean:
            return ()
        stmt = select(AccessRuleRow).where(AccessRuleRow.email == clean)
        with self._session("read the access rules", write=False) as session:
            rules = [_to_rule(r) for r in session.scalars(stmt)]
        return tuple(sorted(rules, key=_rule_order))

    @_bounded("read the access rules")
    def rows(self) -> list[tuple[AccessRule, datetime, str | None]]:
        """Every rule with when and by whom it was added, in :meth:`list`'s order."""
        with self._session("read the access rules", write=False) as session:
            found = [
                (_to_rule(r), r.added_at, r.added_by)
                for r in session.scalars(select(AccessRuleRow))
            ]
        return sorted(found, key=lambda t: _rule_order(t[0]))


def open_access_store(url: str | None = None) -> AccessRepository:
    """The access rules of the notes database at ``url`` (default as for notes), upgraded."""
    return AccessRepository(url)


def viewer_for(email: str, name: str | None, repo: AccessRepository) -> Viewer:
    """The :class:`Viewer` for a signed-in identity: their email (normalised), name, and
    rules from ``repo``. Someone with no rules is signed in but in no network: they see every
    practice anonymised and write nothing. :class:`AccessRuleError` if ``email`` is empty
    (an identity provider that gives no email cannot be matched to any rule)."""
    if not isinstance(email, str) or not normalise_email(email):
        raise AccessRuleError(
            "the sign-in gave no email address, so no access rule can apply; ask the "
            "administrator to have the identity provider send the 'email' claim"
        )
    clean = normalise_email(email)
    shown = " ".join(name.split()) if isinstance(name, str) else ""
    return Viewer(email=clean, name=shown or None, rules=repo.rules_for(clean))


__all__ = [
    "AccessRepository",
    "AccessRuleError",
    "clean_email",
    "clean_network",
    "clean_role",
    "open_access_store",
    "viewer_for",
]
