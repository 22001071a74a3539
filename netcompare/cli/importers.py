"""`python -m netcompare import qof|fingertips|csv ...`: public files -> a data set folder.

Each sub-command reads the files, prints what it read, imported and left out (and why),
checks the tables with the same validation as ``load_dataset`` and only then writes the
folder, atomically: a malformed file exits 2 with one clear message and leaves no folder.
"""

from __future__ import annotations

import argparse
import glob
import sys
from collections.abc import Sequence
from pathlib import Path

from netcompare.data.importers import (
    CsvMapping,
    ImportResult,
    import_fingertips,
    import_mapped_csv,
    import_qof,
)
from netcompare.data.importers.mapped_csv import parse_target
from netcompare.data.load import write_dataset
from netcompare.errors import UserError
from netcompare.types import POLARITIES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import public files (QOF, Fingertips, any practice CSV) into a data set folder",
        description="Read public files in their real formats into a netcompare data set "
        "folder, reporting every row left out and why.",
    )
    kinds = p.add_subparsers(dest="kind", required=True, parser_class=type(p))

    q = kinds.add_parser(
        "qof",
        help="NHS Digital QOF ACHIEVEMENT / PREVALENCE files",
        description="Import QOF ACHIEVEMENT files (national, or the seven regional files from "
        "2022-23) and/or PREVALENCE files, with practices' PCNs from the "
        "MAPPING_NHS_GEOGRAPHIES file. Each file's year comes from its name (_2223) or --year.",
    )
    q.add_argument(
        "--achievement",
        nargs="+",
        default=[],
        metavar="FILE_OR_GLOB",
        help="ACHIEVEMENT_*.csv files (several years stack as periods)",
    )
    q.add_argument(
        "--prevalence", nargs="+", default=[], metavar="FILE_OR_GLOB", help="PREVALENCE_*.csv"
    )
    q.add_argument("--mapping", required=True, metavar="FILE", help="MAPPING_NHS_GEOGRAPHIES")
    q.add_argument(
        "--indicators",
        metavar="FILE",
        help="MAPPING_INDICATORS_*.csv, for the indicators' wording (optional)",
    )
    q.add_argument("--year", help="QOF year of files whose name has none, e.g. 2022-23")
    _output_options(q)
    q.set_defaults(func=run_qof)

    f = kinds.add_parser(
        "fingertips",
        help="an OHID Fingertips CSV export (GP practices or PCNs)",
        description="Import a Fingertips CSV export: Count / Denominator per practice (or "
        "PCN), networks from Parent Code or from a QOF mapping file.",
    )
    f.add_argument("file", help="the Fingertips CSV export")
    f.add_argument(
        "--mapping", metavar="FILE", help="QOF MAPPING_NHS_GEOGRAPHIES file for practices' PCNs"
    )
    f.add_argument(
        "--polarity",
        choices=POLARITIES,
        default="neutral",
        help="polarity of every indicator (Fingertips exports do not say; default neutral)",
    )
    f.add_argument("--care-package", default="Fingertips indicators")
    _output_options(f)
    f.set_defaults(func=run_fingertips)

    c = kinds.add_parser(
        "csv",
        help="any practice-level CSV, with its columns mapped",
        description="Import any CSV with one row per practice (and indicator, period). The "
        "denominator counts every eligible patient, exceptions included.",
    )
    c.add_argument("file", help="the CSV file")
    c.add_argument("--practice-col", required=True, metavar="C")
    c.add_argument("--numerator-col", required=True, metavar="C")
    c.add_argument("--denominator-col", required=True, metavar="C")
    c.add_argument("--network-col", metavar="C")
    c.add_argument("--network-name-col", metavar="C")
    ind = c.add_mutually_exclusive_group(required=True)
    ind.add_argument(
        "--indicator-col",
        action="append",
        metavar="C",
        help="column naming the indicator (repeat to join several, e.g. Age and Item)",
    )
    ind.add_argument("--indicator", metavar="NAME", help="one indicator name for every row")
    per = c.add_mutually_exclusive_group(required=True)
    per.add_argument("--period-col", metavar="C")
    per.add_argument("--period", metavar="P", help="one period for every row, e.g. 2022/23")
    c.add_argument("--practice-name-col", metavar="C")
    c.add_argument("--exceptions-col", metavar="C")
    c.add_argument("--target", metavar="T", help="practice target, e.g. 0.95 or 95%%")
    c.add_argument("--polarity", choices=POLARITIES, default="high")
    c.add_argument("--care-package", default="Imported indicators")
    _output_options(c)
    c.set_defaults(func=run_csv)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="data set folder to write")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", dest="fmt")
    p.add_argument("--name", help="name of the data set (default: from the files)")
    p.add_argument(
        "--left-out",
        metavar="FILE",
        help="also write every left-out row (file, row, what, reason) to this CSV",
    )


def expand_files(patterns: Sequence[str], option: str) -> list[Path]:
    """Paths from file names or glob patterns; a pattern matching nothing is an error."""
    paths: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise UserError(f"{option} {pattern}: no file matches this pattern")
            paths.extend(Path(m) for m in matches)
        else:
            path = Path(pattern)
            if not path.is_file():
                raise UserError(f"{option} {pattern}: no such file")
            paths.append(path)
    return paths


def finish(result: ImportResult, args: argparse.Namespace) -> int:
    """Print the report, check the tables, then write the folder (and the left-out list)."""
    for line in result.report.summary_lines():
        print(line)
    data = result.to_dataset()
    metadata = dict(result.metadata)
    if args.name:
        metadata["name"] = args.name
    try:
        out = write_dataset(args.out, result.tables, fmt=args.fmt, metadata=metadata)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(
        f"wrote {out}: {data.summary()['values']:,} values ({args.fmt}); check it with "
        f"'python -m netcompare validate {out}'"
    )
    if args.left_out:
        try:
            result.report.left_out.write_csv(args.left_out)
        except OSError as exc:
            raise UserError(f"cannot write {args.left_out}: {exc.strerror or exc}") from exc
        print(f"wrote the {result.report.left_out.height:,} left-out rows to {args.left_out}")
    sys.stdout.flush()
    return 0


def run_qof(args: argparse.Namespace) -> int:
    achievement = expand_files(args.achievement, "--achievement")
    prevalence = expand_files(args.prevalence, "--prevalence")
    if not achievement and not prevalence:
        raise UserError("give --achievement files, --prevalence files, or both")
    result = import_qof(
        mapping=args.mapping,
        achievement=achievement,
        prevalence=prevalence,
        year=args.year,
        indicators=args.indicators,
    )
    return finish(result, args)


def run_fingertips(args: argparse.Namespace) -> int:
    result = import_fingertips(
        args.file,
        mapping=args.mapping,
        polarity=args.polarity,
        care_package=args.care_package,
    )
    return finish(result, args)


def run_csv(args: argparse.Namespace) -> int:
    mapping = CsvMapping(
        practice_col=args.practice_col,
        numerator_col=args.numerator_col,
        denominator_col=args.denominator_col,
        network_col=args.network_col,
        network_name_col=args.network_name_col,
        indicator_cols=tuple(args.indicator_col or ()),
        indicator=args.indicator,
        period_col=args.period_col,
        period=args.period,
        practice_name_col=args.practice_name_col,
        exceptions_col=args.exceptions_col,
        target=parse_target(args.target) if args.target is not None else None,
        polarity=args.polarity,
        care_package=args.care_package,
    )
    return finish(import_mapped_csv(args.file, mapping), args)
