"""`python -m netcompare compare`: funnel limits, outliers, comparisons and ranks for a CSV.

A thin wrapper on :func:`netcompare.stats.compare.compare_units`, so an analyst can run the
engine on their own data and check it against FunnelPlotR / PHEindicatormethods / Fingertips.
OUT.csv has exactly the columns of ``netcompare.stats.compare.COMPARE_COLUMNS``; proportions
on a 0-1 scale at full precision; missing values empty. OUT.json holds benchmark, method,
phi, tau2, overdispersion_adjusted and n_units.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

import polars as pl

from netcompare.data.inputs import (
    ROW,
    CsvRead,
    InputError,
    number_problem,
    number_value,
    option_date,
    read_csv,
    thousands_note,
)
from netcompare.errors import UserError
from netcompare.stats.compare import compare_units
from netcompare.stats.funnel import FUNNEL_METHODS
from netcompare.types import POLARITIES

CSV_FIRST_DATA_LINE = 2  # line 1 is the header


def read_input_csv(path: str) -> CsvRead:
    """Read a CSV with every column as text (so bad cells can be reported by file and line).

    Read by :func:`netcompare.data.inputs.read_csv`: the same encodings and the same named
    errors as every other file; a Windows-1252 file is read with a warning on stderr.
    """
    if Path(path).is_dir():
        raise UserError(f"{path}: is a folder, not a CSV file (use --data for a data set)")
    read = read_csv(path)
    if read.note:
        print(f"warning: {read.note}", file=sys.stderr)
    return read


def numbers_from_text(read: CsvRead, columns: list[str], *, blank_ok: bool) -> pl.DataFrame:
    """``read.frame`` with each of ``columns`` (those present) as Float64 numbers.

    The first cell that is not a number raises a UserError naming the file, its line and the
    problem ("in.csv, line 3: numerator is not a number: 'NaN'"); "1,234" reads as 1234, with
    a warning on stderr.
    """
    frame = read.frame
    for column in columns:
        if column not in frame.columns:
            continue  # the command reports a missing column in its own words
        bad = frame.select(
            ROW, number_problem(column, column, blank_ok=blank_ok).alias("problem")
        ).filter(pl.col("problem").is_not_null())
        if bad.height:
            line, problem = bad.row(0)
            more = f" (and {bad.height - 1:,} more rows)" if bad.height > 1 else ""
            raise InputError(read.name, problem + more, line)
        note = thousands_note(frame, column, column)
        if note:
            print(f"warning: {read.name}: {note}", file=sys.stderr)
        frame = frame.with_columns(number_value(column).alias(column))
    return frame


def in_file(name: str, error: UserError) -> UserError:
    """The engine's error about rows of a CSV (which names lines), prefixed with the file."""
    return UserError(f"{name}: {error}")


def add_output_and_data_options(p: argparse.ArgumentParser, *, period_help: str) -> None:
    """--out, --summary and the --data/--indicator/--period options both commands share."""
    p.add_argument("--out", required=True, help="output CSV")
    p.add_argument("--summary", default=None, help="output JSON summary")
    p.add_argument(
        "--data", default=None, help="a data set folder (or database URL) instead of a CSV"
    )
    p.add_argument("--indicator", default=None, help="indicator id (with --data)")
    p.add_argument("--period", default=None, help=period_help)


def use_data_set(args: argparse.Namespace, *, needs: str, usage: str) -> bool:
    """True for --data mode, False for an INPUT.csv; a clear error for neither or both."""
    if args.data is not None:
        if args.input is not None:
            raise UserError("give either an INPUT.csv or --data, not both")
        if args.indicator is None:
            raise UserError(f"--data needs {needs}")
        return True
    if args.input is None:
        raise UserError(f"give an INPUT.csv (or {usage})")
    return False


def parse_proportion(text: str | None, option: str) -> float | None:
    """A proportion option (0-1); a clear error otherwise."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise UserError(f"{option} must be a number between 0 and 1, got {text!r}") from exc
    if not math.isfinite(value) or not 0 <= value <= 1:
        hint = " (give a proportion, e.g. 0.95 not 95)" if value > 1 else ""
        raise UserError(f"{option} must be between 0 and 1, got {text}{hint}")
    return value


def json_number(value: object) -> object:
    """JSON-safe: NaN/inf become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: str, payload: dict[str, object]) -> None:
    clean = {k: json_number(v) for k, v in payload.items()}
    try:
        Path(path).write_text(json.dumps(clean, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from exc


def write_csv(frame: pl.DataFrame, path: str) -> None:
    try:
        frame.write_csv(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from exc


def load_indicator(data_dir: str, indicator: str) -> tuple[object, dict[str, object]]:
    """Load a data set and one indicator's row (clear errors for unknown ids)."""
    from netcompare.data.load import load_dataset

    dataset = load_dataset(data_dir)
    try:
        row = dataclasses.asdict(dataset.indicator(indicator))
    except KeyError as exc:
        known = ", ".join(dataset.indicators.get_column("indicator_id").to_list()[:20])
        raise UserError(f"unknown indicator {indicator!r} in {data_dir}; known: {known}") from exc
    return dataset, row


def _dataset_frame(args: argparse.Namespace) -> tuple[pl.DataFrame, dict[str, object]]:
    """The practices of one indicator and period from a loaded data set."""
    if args.period is None:
        raise UserError("--data needs --indicator and --period")
    dataset, row = load_indicator(args.data, args.indicator)
    period = option_date(args.period, "--period")
    frame = dataset.slice(args.indicator, period)
    if frame.height == 0:
        periods = ", ".join(p.isoformat() for p in dataset.periods(args.indicator)[-12:])
        raise UserError(
            f"no values for indicator {args.indicator!r} in period {period}; "
            f"periods with data: {periods or 'none'}"
        )
    frame = frame.select(
        pl.col("practice_id").alias("unit"),
        pl.col("numerator"),
        pl.col("denominator"),
    )
    return frame, row


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="funnel limits, outliers, benchmark comparison, RAG and ranks for units in a CSV",
        description="Compare units (practices) on one indicator: Wilson 95%%/99.8%% intervals, "
        "funnel limits and outliers (FunnelPlotR PR method with over-dispersion by default, or "
        "PHEindicatormethods' inverted Wilson), comparison with the benchmark, RAG against a "
        "target, Fingertips quintiles and ranks with simulated intervals.",
    )
    p.add_argument("input", nargs="?", help="CSV with one row per unit")
    p.add_argument("--unit-col", default="unit", help="column naming each unit (default: unit)")
    p.add_argument("--numerator-col", default="numerator", help="numerator column")
    p.add_argument("--denominator-col", default="denominator", help="denominator column")
    p.add_argument(
        "--method",
        choices=FUNNEL_METHODS,
        default="arcsine-od",
        help="funnel method (default arcsine-od: FunnelPlotR PR with over-dispersion)",
    )
    p.add_argument(
        "--benchmark",
        default="pooled",
        help="funnel centre and comparison benchmark: pooled (sum x / sum n) or a proportion",
    )
    p.add_argument(
        "--polarity",
        choices=POLARITIES,
        default=None,
        help="high (higher is better, default), low or neutral",
    )
    p.add_argument("--target", default=None, help="target proportion for RAG (0-1)")
    p.add_argument("--amber", default=None, help="amber threshold proportion for RAG (0-1)")
    p.add_argument("--seed", type=int, default=1, help="seed for the rank intervals (default 1)")
    p.add_argument("--draws", type=int, default=1000, help="simulation draws (default 1000)")
    add_output_and_data_options(p, period_help="period, e.g. 2024-03-01 (with --data)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    indicator: dict[str, object] = {}
    if use_data_set(
        args, needs="--indicator and --period", usage="--data DIR --indicator ID --period P"
    ):
        frame, indicator = _dataset_frame(args)
        unit, numerator, denominator = "unit", "numerator", "denominator"
        line_offset = None
        source = None
    else:
        read = read_input_csv(args.input)
        unit, numerator, denominator = args.unit_col, args.numerator_col, args.denominator_col
        # Blank counts are missing values (written empty in OUT.csv); decimals are allowed,
        # as in the PHEindicatormethods test data.
        frame = numbers_from_text(read, [numerator, denominator], blank_ok=True).drop(ROW)
        line_offset = CSV_FIRST_DATA_LINE
        source = read.name

    benchmark = (
        None if args.benchmark == "pooled" else parse_proportion(args.benchmark, "--benchmark")
    )
    polarity = args.polarity or str(indicator.get("polarity") or "high")
    target = parse_proportion(args.target, "--target")
    amber = parse_proportion(args.amber, "--amber")
    if args.target is None and indicator.get("target") is not None:
        target = float(indicator["target"])  # type: ignore[arg-type]
        if args.amber is None and indicator.get("amber_threshold") is not None:
            amber = float(indicator["amber_threshold"])  # type: ignore[arg-type]

    try:
        result, summary = compare_units(
            frame,
            unit=unit,
            numerator=numerator,
            denominator=denominator,
            method=args.method,
            benchmark=benchmark,
            polarity=polarity,
            target=target,
            amber=amber,
            seed=args.seed,
            draws=args.draws,
            line_offset=line_offset,
        )
    except UserError as exc:
        raise (exc if source is None else in_file(source, exc)) from None
    write_csv(result.rename({unit: "unit"}), args.out)
    if args.summary:
        write_json(args.summary, summary.as_dict())
    print(
        f"{result.height} units, benchmark {summary.benchmark:.6g} ({args.benchmark}), "
        f"method {summary.method}; wrote {args.out}"
    )
    return 0
