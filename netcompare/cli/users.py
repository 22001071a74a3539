"""``python -m netcompare users …``: who may see and change what once people sign in.

- ``users add EMAIL --network ID --role lead|member|viewer|admin`` gives EMAIL that role in
  that network (``--network`` may be left out only for a viewer, who then sees every practice
  anonymised, or an admin); adding it again changes the role.
- ``users list`` shows every rule: email, network, role, when and by whom it was added.
- ``users remove EMAIL [--network ID]`` removes EMAIL's rule for that network, or all of them.

The rules live in the notes database (``NETCOMPARE_DB_URL``, else the user's SQLite file)
unless ``--db-url`` is given; its schema is upgraded first. Nothing printed shows a password.
"""

from __future__ import annotations

import argparse
import getpass
import os

from netcompare.access.rules import AccessRepository
from netcompare.access.viewer import ROLES
from netcompare.cli.notes import db_url_parent
from netcompare.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``users`` and its sub-commands."""
    common = db_url_parent()
    parser = subparsers.add_parser(
        "users",
        help="manage who may see and change what when people sign in",
        description=__doc__.splitlines()[0],
    )
    sub = parser.add_subparsers(dest="users_command", required=True, parser_class=type(parser))

    add = sub.add_parser(
        "add",
        parents=[common],
        help="give an email a role in a network",
        description="Give EMAIL a role in a network. A lead edits and deletes anyone's notes "
        "about the network, a member writes notes and edits their own, a viewer only reads; "
        "an admin may do anything anywhere. A viewer with no --network sees every practice "
        "anonymised. Adding a rule that exists changes its role.",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--network", metavar="ID", help="the network id (required for lead, member)")
    add.add_argument(
        "--role", required=True, metavar="|".join(ROLES), help="the role in that network"
    )
    add.set_defaults(func=run_add)

    listing = sub.add_parser("list", parents=[common], help="every access rule")
    listing.set_defaults(func=run_list)

    remove = sub.add_parser(
        "remove",
        parents=[common],
        help="remove an email's rule for a network, or all its rules",
    )
    remove.add_argument("email", metavar="EMAIL")
    remove.add_argument("--network", metavar="ID", help="only this network's rule")
    remove.set_defaults(func=run_remove)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the sub-command (argparse sets ``func`` to it; kept for the interface)."""
    raise UserError("choose a users command: add, list or remove")


def _who() -> str | None:
    """Who is running the command, for the record (the operating-system user)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return os.environ.get("USER") or None


def run_add(args: argparse.Namespace) -> int:
    repo = AccessRepository(args.db_url)
    try:
        rule = repo.add(args.email, args.network, args.role, added_by=_who())
    finally:
        repo.close()
    where = f"network {rule.network_id}" if rule.network_id else "no network"
    print(f"{rule.email} is now {rule.role} of {where} (in {repo.url})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    repo = AccessRepository(args.db_url)
    try:
        rows = repo.rows()
    finally:
        repo.close()
    if not rows:
        print(f"no access rules in {repo.url}")
        return 0
    table = [("email", "network", "role", "added", "by")]
    for rule, added_at, added_by in rows:
        table.append(
            (
                rule.email,
                rule.network_id or "-",
                rule.role,
                f"{added_at:%Y-%m-%d %H:%M}",
                added_by or "-",
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return 0


def run_remove(args: argparse.Namespace) -> int:
    repo = AccessRepository(args.db_url)
    try:
        removed = repo.remove(args.email, args.network)
    finally:
        repo.close()
    email = args.email.strip().lower()
    which = f" for network {args.network.strip()}" if args.network else ""
    if removed == 0:
        raise UserError(f"{email} has no access rule{which} in {repo.url}; nothing removed")
    print(f"removed {removed} access rule(s) of {email}{which} (in {repo.url})")
    return 0
