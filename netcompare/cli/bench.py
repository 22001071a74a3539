"""`python -m netcompare bench`: time netcompare at England scale against its budgets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from netcompare.errors import UserError

# bench/ lives next to the netcompare package in the project (it is not part of the library).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark load, statistics, views and app pages at England scale",
        description="Generate a data set with the sample generator (not timed), then report "
        "the median of repeated runs of each step in milliseconds, the peak memory, and "
        "whether each meets its budget. Run from a checkout of the project.",
    )
    p.add_argument("--practices", type=int, default=6400, help="practices (default 6400)")
    p.add_argument("--networks", type=int, default=1270, help="networks (default 1270)")
    p.add_argument("--indicators", type=int, default=40, help="indicators (default 40)")
    p.add_argument("--months", type=int, default=36, help="months (default 36)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument(
        "--repeats", type=int, default=7, help="timed runs of each step after a warm-up (7)"
    )
    p.add_argument(
        "--app-rounds", type=int, default=2, help="AppTest rounds over all pages (default 2)"
    )
    p.add_argument(
        "--data",
        type=Path,
        help="use this already generated data set folder instead of generating one",
    )
    p.add_argument("--json", type=Path, dest="json_out", help="write the numbers to this file")
    p.add_argument(
        "--markdown", type=Path, help="write the run (table, pages, machine) as Markdown"
    )
    p.set_defaults(func=run)


def _harness():  # -> module bench.harness
    if not (PROJECT_ROOT / "bench" / "harness.py").is_file():
        raise UserError(
            f"the benchmark needs the project checkout (no bench/ folder in {PROJECT_ROOT})"
        )
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from bench import harness

    return harness


def run(args: argparse.Namespace) -> int:
    for name in ("practices", "networks", "indicators", "months", "repeats", "app_rounds"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if args.months < 2:
        raise UserError("--months must be at least 2 (the SPC step needs a series)")
    if args.networks > args.practices:
        raise UserError("--networks cannot be more than --practices")
    if args.data is not None and not args.data.is_dir():
        raise UserError(f"--data {args.data}: no such folder")
    harness = _harness()
    size = harness.BenchSize(
        practices=args.practices,
        networks=args.networks,
        indicators=args.indicators,
        months=args.months,
        seed=args.seed,
    )
    try:
        results = harness.run_bench(
            size,
            repeats=args.repeats,
            app_rounds=args.app_rounds,
            data=args.data,
            log=sys.stderr,
        )
    except RuntimeError as exc:
        raise UserError(str(exc)) from exc
    print(harness.table(results))
    if args.json_out is not None:
        _write(args.json_out, json.dumps(harness.json_results(results), indent=2) + "\n")
    if args.markdown is not None:
        _write(args.markdown, harness.markdown(results) + "\n")
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
