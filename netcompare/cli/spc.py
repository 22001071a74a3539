"""`python -m netcompare spc`: a Making Data Count XmR chart for a series in a CSV.

A thin wrapper on :func:`netcompare.stats.spc.spc_chart`. OUT.csv columns: date, value, mean,
lpl, upl, near_lower, near_upper, special_cause, point_type. OUT.json holds variation_icon,
assurance (pass, fail, inconsistent, none) and warnings. Warnings (e.g. fewer than 12 points)
are also printed to stderr.
"""

from __future__ import annotations

import argparse
import sys

import polars as pl

from netcompare.cli.compare import (
    CSV_FIRST_DATA_LINE,
    add_output_and_data_options,
    in_file,
    load_indicator,
    numbers_from_text,
    parse_proportion,
    read_input_csv,
    use_data_set,
    write_csv,
    write_json,
)
from netcompare.data.inputs import ROW, date_column, option_date
from netcompare.errors import UserError
from netcompare.stats.spc import IMPROVEMENTS, TWO_IN_THREE_VARIANTS, spc_chart

_IMPROVEMENT_FROM_POLARITY = {"high": "increase", "low": "decrease", "neutral": "neutral"}


def _dataset_series(args: argparse.Namespace) -> tuple[pl.DataFrame, dict[str, object]]:
    """A practice's (or a network's pooled) value = numerator / denominator by period."""
    if (args.practice is None) == (args.network is None):
        raise UserError("with --data give exactly one of --practice ID or --network ID")
    dataset, row = load_indicator(args.data, args.indicator)
    values = dataset.values.filter(pl.col("indicator_id") == args.indicator)  # type: ignore[attr-defined]
    if args.period is not None:
        values = values.filter(pl.col("period") <= option_date(args.period, "--period"))
    if args.practice is not None:
        values = values.filter(pl.col("practice_id") == args.practice)
        who = f"practice {args.practice!r}"
    else:
        practices = dataset.practices.filter(pl.col("network_id") == args.network)  # type: ignore[attr-defined]
        if practices.height == 0:
            raise UserError(f"unknown network {args.network!r} in {args.data}")
        values = values.join(practices.select("practice_id"), on="practice_id", how="semi")
        who = f"network {args.network!r}"
    series = (
        values.group_by("period")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .filter(pl.col("denominator") > 0)
        .sort("period")
        .select(
            pl.col("period").alias("date"),
            (pl.col("numerator") / pl.col("denominator")).alias("value"),
        )
    )
    if series.height == 0:
        raise UserError(f"no values for indicator {args.indicator!r} and {who} in {args.data}")
    if args.network is not None and row.get("network_target") is not None:
        row = {**row, "target": row["network_target"]}
    return series, row


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "spc",
        help="Making Data Count XmR chart: limits, special causes, icons",
        description="XmR chart of a series (NHSRplotthedots / Making Data Count rules): mean, "
        "process limits, near-limit band, special cause and point type of every point, the "
        "variation icon and the assurance against a target.",
    )
    p.add_argument("input", nargs="?", help="CSV with one row per date")
    p.add_argument("--date-col", default="date", help="date column (default: date)")
    p.add_argument("--value-col", default="value", help="value column (default: value)")
    p.add_argument(
        "--improvement",
        choices=IMPROVEMENTS,
        default=None,
        help="which direction is improvement (default increase)",
    )
    p.add_argument("--target", default=None, help="target value, for the assurance icon")
    p.add_argument(
        "--rebase",
        nargs="+",
        default=[],
        metavar="DATE",
        help="dates where a new segment (new mean and limits) starts",
    )
    p.add_argument(
        "--fix-after",
        type=int,
        default=None,
        metavar="K",
        help="fix the limits on the first K (>= 12) points of each segment",
    )
    p.add_argument(
        "--screen-outliers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="drop moving ranges >= 3.267 x average before the limits (default on)",
    )
    p.add_argument(
        "--run-length",
        type=int,
        default=7,
        help="points in a shift or trend (default 7; 6 is the other common choice)",
    )
    p.add_argument(
        "--two-in-three",
        choices=TWO_IN_THREE_VARIANTS,
        default="mdc2023",
        help="mdc2023 (any point beyond 2 sigma counts, default) or ptd "
        "(NHSRplotthedots: only points between 2 and 3 sigma)",
    )
    add_output_and_data_options(p, period_help="last period to include (with --data)")
    p.add_argument("--practice", default=None, help="practice id (with --data)")
    p.add_argument(
        "--network", default=None, help="network id, pooled over its practices (with --data)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    indicator: dict[str, object] = {}
    if use_data_set(
        args,
        needs="--indicator and --practice or --network",
        usage="--data DIR --indicator ID --practice ID",
    ):
        frame, indicator = _dataset_series(args)
        date, value, line_offset = "date", "value", None
        source = None
    else:
        read = read_input_csv(args.input)
        date, value, line_offset = args.date_col, args.value_col, CSV_FIRST_DATA_LINE
        # Every point needs a value: blank, '-', NaN or inf is named with its line.
        frame = numbers_from_text(read, [value], blank_ok=False)
        if date in frame.columns:
            frame = frame.with_columns(date_column(frame, date, read.name))
        frame = frame.drop(ROW)
        source = read.name

    improvement = args.improvement or _IMPROVEMENT_FROM_POLARITY.get(
        str(indicator.get("polarity") or "high"), "increase"
    )
    if args.target is not None:
        try:
            target: float | None = float(args.target)
        except ValueError as exc:
            raise UserError(f"--target must be a number, got {args.target!r}") from exc
    elif indicator.get("target") is not None:
        target = parse_proportion(str(indicator["target"]), "the indicator's target")
    else:
        target = None

    try:
        result, summary = spc_chart(
            frame,
            date=date,
            value=value,
            improvement=improvement,
            target=target,
            rebase=args.rebase,
            fix_after=args.fix_after,
            screen_outliers=args.screen_outliers,
            run_length=args.run_length,
            two_in_three=args.two_in_three,
            line_offset=line_offset,
        )
    except UserError as exc:
        raise (exc if source is None else in_file(source, exc)) from None
    write_csv(result, args.out)
    if args.summary:
        write_json(args.summary, summary.as_dict())
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{result.height} points; variation {summary.variation_icon}, "
        f"assurance {summary.assurance}; wrote {args.out}"
    )
    return 0
