"""`python -m netcompare sample`: write the deterministic sample data set."""

from __future__ import annotations

import argparse

from netcompare.data.sample import write_sample
from netcompare.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sample",
        help="generate the fictional sample borough (or a larger data set for benchmarks)",
        description="Generate a deterministic fictional data set: the same seed gives "
        "byte-identical files.",
    )
    p.add_argument("--out", required=True, help="folder to write (replaced if it exists)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--practices", type=int, default=36, help="number of practices (default 36)")
    p.add_argument("--networks", type=int, default=8, help="number of networks (default 8)")
    p.add_argument("--indicators", type=int, default=16, help="number of indicators (default 16)")
    p.add_argument("--months", type=int, default=36, help="number of months (default 36)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", dest="fmt")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        out = write_sample(
            args.out,
            seed=args.seed,
            practices=args.practices,
            networks=args.networks,
            indicators=args.indicators,
            months=args.months,
            fmt=args.fmt,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(
        f"wrote {out}: {args.practices} practices in {args.networks} networks, "
        f"{args.indicators} indicators, {args.months} months (seed {args.seed})"
    )
    return 0
