"""`python -m netcompare validate PATH`: check a data set and summarise it."""

from __future__ import annotations

import argparse
import sys

from netcompare.data.load import load_dataset
from netcompare.data.problems import DataValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a data set folder or database and summarise it",
        description="Exit 0 with a summary when the data set is valid; exit 2 with every "
        "problem (file, row, what is wrong) when it is not.",
    )
    p.add_argument("path", help="data set folder, or a SQLAlchemy database URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = load_dataset(args.path)
    except DataValidationError as exc:
        print(f"{args.path}: not valid", file=sys.stderr)
        for problem in exc.errors:
            print(f"error: {problem}", file=sys.stderr)
        for problem in exc.warnings:
            print(f"warning: {problem}", file=sys.stderr)
        return 2
    s = data.summary()
    print(f"{args.path}: valid — {s['name']}")
    print(
        f"  {s['networks']} networks, {s['practices']} practices, {s['indicators']} indicators, "
        f"{s['values']:,} values, {s['periods']} periods ({s['first_period']} to "
        f"{s['latest_period']})"
    )
    for problem in data.warnings:
        print(f"warning: {problem}")
    return 0
