"""Command line: ``python -m netcompare <command> …``.

Each command lives in its own module with ``register(subparsers)`` adding its parser and
setting ``func`` (a callable taking the parsed args and returning an exit code). Errors a
user can act on are raised as :class:`netcompare.errors.UserError`; ``main`` prints them as
one line on stderr and exits 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from netcompare.errors import UserError
from netcompare.redact import masked_output

# Command modules, in the order they appear in --help. A module listed here that does not
# exist yet is simply not offered (commands are added by later issues).
COMMAND_MODULES = (
    "sample",
    "validate",
    "compare",
    "spc",
    "importers",
    "notes",
    "users",
    "pack",
    "db",
    "bench",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error already; keep its message short and clear."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available command registered."""
    parser = _Parser(prog="python -m netcompare", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"netcompare.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"netcompare.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (2 for any user error). Nothing it prints
    shows a password: stdout and stderr mask secrets (:mod:`netcompare.redact`)."""
    with masked_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A bug, not bad input: still one readable line unless the user asks for the detail.
        if os.environ.get("NETCOMPARE_DEBUG"):
            raise
        print(
            f"internal error ({type(exc).__name__}: {exc}); this is a bug in netcompare — "
            "run again with NETCOMPARE_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return 1
