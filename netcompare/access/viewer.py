"""A viewer: who is looking (a signed-in identity, or nobody on a laptop) and what they may do.

The rules (issue 16): a signed-in user sees the practices of their own network(s) named, the
practices of other networks by their ``share_name`` (an opt-out is always anonymised outside
its network), and a user in no network sees every practice anonymised. Leads and members of a
network write notes about it; a note is edited or deleted only by its author, the network's
lead or an admin. Viewers only read.

On a laptop (``local`` mode) and on a shared server opened to everyone
(``NETCOMPARE_ACCESS=open``) there is no identity: :data:`LOCAL` applies the sidebar's network
choice as before and lets every change through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

Role = Literal["lead", "member", "viewer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
# Roles that write notes and actions about their network.
WRITING_ROLES = frozenset({"lead", "member", "admin"})


@dataclass(frozen=True)
class AccessRule:
    """One line of the access rules: this email has this role in this network.

    ``network_id`` is None for a rule that names no network (a viewer in no network, or an
    admin of the whole server).
    """

    email: str
    network_id: str | None
    role: Role


def normalise_email(email: str) -> str:
    """The form rules are kept and compared in: trimmed, lower case."""
    return email.strip().lower()


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``email`` None: no sign-in (a laptop, or an open shared server)."""

    email: str | None = None
    name: str | None = None
    rules: tuple[AccessRule, ...] = field(default_factory=tuple)

    @property
    def signed_in(self) -> bool:
        return self.email is not None

    @property
    def is_admin(self) -> bool:
        return any(r.role == "admin" for r in self.rules)

    @property
    def networks(self) -> frozenset[str]:
        """The networks this viewer belongs to (named practices); empty for no network."""
        return frozenset(r.network_id for r in self.rules if r.network_id is not None)

    @property
    def anonymise_all(self) -> bool:
        """A signed-in viewer in no network sees every practice anonymised."""
        return self.signed_in and not self.networks

    def role_in(self, network_id: str | None) -> Role | None:
        """The strongest role this viewer has in that network (admin anywhere counts)."""
        order = {"admin": 0, "lead": 1, "member": 2, "viewer": 3}
        roles = [r.role for r in self.rules if r.role == "admin" or r.network_id == network_id]
        return min(roles, key=order.__getitem__) if roles else None

    def can_write(self, network_id: str | None) -> bool:
        """May add notes, questions, answers and actions about that network."""
        if not self.signed_in:
            return True
        role = self.role_in(network_id)
        return role in WRITING_ROLES

    def can_moderate(self, network_id: str | None) -> bool:
        """May edit or delete anyone's note about that network (its lead, or an admin)."""
        if not self.signed_in:
            return True
        return self.role_in(network_id) in ("lead", "admin")

    def can_change(self, author_id: str | None, network_id: str | None) -> bool:
        """May edit or delete a note written by ``author_id`` about ``network_id``."""
        if not self.signed_in:
            return True
        if author_id is not None and normalise_email(self.email or "") == normalise_email(
            author_id
        ):
            return self.can_write(network_id)
        return self.can_moderate(network_id)


LOCAL = Viewer()
