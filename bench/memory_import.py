"""Peak memory of reading a large CSV: ``import csv`` and ``validate`` on a ~1.4 GB file.

    python bench/memory_import.py                  # 5,000,000 rows (~1.4 GB), both commands
    python bench/memory_import.py --rows 500000    # a tenth of it, quicker
    python bench/memory_import.py --keep DIR       # keep the generated files in DIR

Generates, in a temporary folder, a practice-level CSV shaped like a real extract (practice
code and name, PCN code and name, indicator name, period, numerator, denominator, exceptions
and a free-text comment: about 280 bytes a row) and a data set folder whose values.csv has the
same number of rows and size (the canonical columns plus an unused ``comment`` column, which
validation reports and ignores). Then runs, each in its own process,

    python -m netcompare import csv EXTRACT --practice-col ... --out OUT --format parquet
    python -m netcompare validate FOLDER

and reports each one's peak resident memory (``ru_maxrss`` of the finished child, read with
``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process per command), the file's
size and their ratio. Heavy: run it while nothing else runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]

# Runs one command and prints its peak RSS in bytes (Linux: ru_maxrss is in KiB).
_WRAPPER = """
import resource, subprocess, sys, json, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"rc": done.returncode, "peak": peak, "seconds": seconds,
                  "stderr": done.stderr[-2000:], "stdout": done.stdout[-2000:]}))
"""


def generate(folder: Path, rows: int) -> tuple[Path, Path]:
    """The extract CSV and the data set folder (both with ``rows`` value rows)."""
    practices, indicators = 6400, 40
    i = pl.int_range(0, rows, eager=True)
    practice = i % practices
    indicator = (i // practices) % indicators
    month = i // (practices * indicators)
    frame = (
        pl.DataFrame(
            {
                "practice": practice,
                "indicator": indicator,
                "month": month,
            }
        )
        .with_columns(
            pl.format("P{}", pl.col("practice").cast(pl.String).str.zfill(5)).alias("code"),
            pl.format(
                "The {} Medical Centre and Surgery", pl.col("practice").cast(pl.String)
            ).alias("name"),
            pl.format("U{}", (pl.col("practice") // 5).cast(pl.String).str.zfill(5)).alias("pcn"),
            pl.format(
                "Primary Care Network number {} of the borough",
                (pl.col("practice") // 5).cast(pl.String),
            ).alias("pcn_name"),
            pl.format(
                "Indicator {}: patients with the condition reviewed in the last 12 months",
                pl.col("indicator").cast(pl.String),
            ).alias("indicator_name"),
            pl.format("IND{}", pl.col("indicator").cast(pl.String).str.zfill(3)).alias(
                "indicator_id"
            ),
            pl.date(2019 + pl.col("month") // 12, pl.col("month") % 12 + 1, 1).alias("period"),
            (100 + (pl.col("practice") * 7 + pl.col("indicator") * 13) % 900).alias("denominator"),
        )
        .with_columns(
            (pl.col("denominator") * 3 // 4).alias("numerator"),
            (pl.col("denominator") // 20).alias("exceptions"),
            pl.format(
                "Extracted on the first working day; checked by the practice manager ({}) "
                "before submission.",
                pl.col("practice").cast(pl.String),
            ).alias("comment"),
        )
    )
    extract = folder / "extract.csv"
    frame.select(
        "code",
        "name",
        "pcn",
        "pcn_name",
        "indicator_name",
        pl.col("period").dt.strftime("%Y-%m"),
        "numerator",
        "denominator",
        "exceptions",
        "comment",
    ).write_csv(extract)

    data = folder / "dataset"
    data.mkdir()
    frame.select(
        pl.col("code").alias("practice_id"),
        "indicator_id",
        "period",
        "numerator",
        "denominator",
        "exceptions",
        # As wide as the extract (~280 bytes a row): a ~1.4 GB values.csv for 5 million rows.
        pl.concat_str(
            [pl.col("comment"), pl.col("name"), pl.col("pcn_name"), pl.col("indicator_name")],
            separator=" ",
        )
        .str.slice(0, 312)
        .alias("comment"),
    ).sort("indicator_id", "period", "practice_id").write_csv(data / "values.csv")
    ids = frame.select("code", "name", "pcn", "pcn_name").unique("code").sort("code")
    ids.select(pl.col("pcn").alias("network_id"), pl.col("pcn_name").alias("network_name")).unique(
        "network_id"
    ).sort("network_id").write_csv(data / "networks.csv")
    ids.select(
        pl.col("code").alias("practice_id"),
        pl.col("name").alias("practice_name"),
        pl.col("pcn").alias("network_id"),
    ).write_csv(data / "practices.csv")
    frame.select("indicator_id", pl.col("indicator_name").alias("name")).unique(
        "indicator_id"
    ).sort("indicator_id").with_columns(pl.lit("Bench").alias("care_package")).write_csv(
        data / "indicators.csv"
    )
    return extract, data


def measure(command: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", default=None, help="folder for the generated files (kept)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="netcompare-memory-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        extract, data = generate(folder, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.0f} s", flush=True)
        runs = {
            "import csv": (
                extract,
                [
                    sys.executable,
                    "-m",
                    "netcompare",
                    "import",
                    "csv",
                    str(extract),
                    "--practice-col",
                    "code",
                    "--practice-name-col",
                    "name",
                    "--network-col",
                    "pcn",
                    "--network-name-col",
                    "pcn_name",
                    "--indicator-col",
                    "indicator_name",
                    "--period-col",
                    "period",
                    "--numerator-col",
                    "numerator",
                    "--denominator-col",
                    "denominator",
                    "--exceptions-col",
                    "exceptions",
                    "--format",
                    "parquet",
                    "--out",
                    str(folder / "imported"),
                ],
            ),
            "validate": (
                data / "values.csv",
                [sys.executable, "-m", "netcompare", "validate", str(data)],
            ),
        }
        print("| command | file | rows | file size | peak RSS | peak / size | time |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for name, (file, command) in runs.items():
            result = measure(command)
            size = file.stat().st_size
            if result["rc"] != 0:
                print(f"{name} failed ({result['rc']}): {result['stderr']}", file=sys.stderr)
            print(
                f"| {name} | {file.name} | {args.rows:,} | {size / 1e9:.2f} GB | "
                f"{int(result['peak']) / 1e9:.2f} GB | {int(result['peak']) / size:.2f} | "
                f"{float(result['seconds']):.0f} s |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
