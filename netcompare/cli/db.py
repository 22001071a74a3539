"""``python -m netcompare db …``: named, versioned data sets in a SQL database.

- ``db load DIR --url URL --name NAME`` validates the data set in DIR (a folder, or a
  built-in data set's key such as ``sample``) and writes it as the next version of NAME; the
  app serves it as ``URL#NAME`` (see :mod:`netcompare.config`). A data set with errors is
  never written: every problem is listed and the command exits 2.
- ``db list --url URL`` shows every named data set in the database and its current version.

Nothing printed shows the database password (:mod:`netcompare.redact`).
"""

from __future__ import annotations

import argparse
import sys

from netcompare.data.problems import DataValidationError
from netcompare.data.sqlstore import list_datasets, load_into_db
from netcompare.errors import UserError
from netcompare.redact import mask_secrets


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``db`` and its sub-commands."""
    parser = subparsers.add_parser(
        "db",
        help="load named, versioned data sets into a SQL database",
        description=__doc__.splitlines()[0],
    )
    sub = parser.add_subparsers(dest="db_command", required=True, parser_class=type(parser))
    load = sub.add_parser(
        "load",
        help="validate a data set and write it as the next version of NAME",
        description="Validate the data set (as the app would) and write its four tables as "
        "the next version of NAME, switching to it in one transaction. The version before "
        "is kept for instances still reading it; older ones are dropped.",
    )
    load.add_argument("dir", metavar="DIR", help="data set folder, or a built-in key (sample)")
    load.add_argument("--url", required=True, metavar="URL", help="SQLAlchemy database URL")
    load.add_argument(
        "--name", required=True, metavar="NAME", help="data set name (a-z, 0-9, '-', '_')"
    )
    load.set_defaults(func=run_load)
    listing = sub.add_parser("list", help="the named data sets in a database")
    listing.add_argument("--url", required=True, metavar="URL", help="SQLAlchemy database URL")
    listing.set_defaults(func=run_list)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise UserError("choose a db command: load or list")


def run_load(args: argparse.Namespace) -> int:
    try:
        result = load_into_db(args.dir, args.url, args.name)
    except DataValidationError as exc:
        print(f"{args.dir}: not valid, nothing written", file=sys.stderr)
        for problem in exc.errors:
            print(f"error: {problem}", file=sys.stderr)
        for problem in exc.warnings:
            print(f"warning: {problem}", file=sys.stderr)
        return 2
    print(
        f"Loaded {result.name} version {result.version} into {mask_secrets(args.url)}: "
        f"{result.networks} networks, {result.practices} practices, "
        f"{result.indicators} indicators, {result.values:,} values"
    )
    if result.dropped:
        print(f"  dropped older versions: {', '.join(map(str, result.dropped))}")
    print(f"  serve it as: {mask_secrets(args.url)}#{result.name}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    entries = list_datasets(args.url)
    if not entries:
        print(f"no named data sets in {mask_secrets(args.url)}")
        return 0
    for e in entries:
        print(
            f"{e.name}\tversion {e.version}\tloaded {e.loaded_at:%Y-%m-%d %H:%M}\t"
            f"{mask_secrets(e.label)}"
        )
    return 0
