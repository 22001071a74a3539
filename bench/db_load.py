"""How long a named data set takes into and out of PostgreSQL (issue 16 point 3).

``python -m bench.db_load [--url URL] [--rounds N] [--json OUT] [--markdown OUT]``

The England-scale data set of ``python -m netcompare bench`` (6,400 practices, 1,270 networks,
40 indicators, 36 months: 9.2 million values) is generated as Parquet by the sample generator
(untimed, in its own process; ``--data DIR`` uses a folder instead). Then, ``--rounds`` times
each (medians reported):

- ``folder_load_ms``: ``load_dataset(folder)``, the folder load the 1.5 s budget is for (the
  reference);
- ``db_load_ms``: ``load_into_db(folder, URL, NAME)``, what ``python -m netcompare db load``
  does: the folder loaded and validated, the four tables written by COPY and the version
  switched, in one transaction;
- ``db_read_ms``: ``load_dataset("URL#NAME")``, the catalogue row, the version's Parquet
  snapshot read and validated as a folder is (what the app does);
- ``db_read_fetch_ms``: the row tables alone through ADBC, no validation (how a version
  without a Parquet snapshot is read; ``db_read_ms`` reads the snapshot);
- ``db_read_validate_ms``: the validation alone, of the rows fetched;
- ``db_read_over_folder_load``: each round's read over that round's folder load (median): on
  a shared machine whose speed changes by the minute, a ratio that means more than the times.

``--with-select`` also times one read of the rows through SQLAlchemy (what ``read_named``
does without ADBC, and did before): minutes at England scale.

The data set is written under a scratch name (``bench_dbload_<pid>``) that is dropped
afterwards (its tables and its catalogue row), whatever happens. Not a test: it prints OK or
OVER against the folder budget, it never fails because something is slow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.harness import BenchSize, generate, machine
from bench.timing import median
from netcompare.data import sqlstore
from netcompare.data.load import load_dataset, validate_raw
from netcompare.data.problems import ProblemList
from netcompare.data.read import read_sql_tables
from netcompare.data.schema import TABLE_NAMES

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BUDGET_MS = 1500  # the folder load budget (bench/harness.py BUDGETS["load_ms"])
KEYS = ("folder_load_ms", "db_load_ms", "db_read_ms", "db_read_fetch_ms", "db_read_validate_ms")


def _ms(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


def drop_named(url: str, name: str) -> None:
    """Remove every version's tables of ``name`` and its catalogue row."""
    engine = sa.create_engine(url)
    try:
        versions = sqlstore._versions_present(engine, name)
        metadata = sa.MetaData()
        with engine.begin() as conn:
            for v in versions:
                for table in sqlstore._version_tables(metadata, name, v).values():
                    table.drop(conn, checkfirst=True)
                sqlstore._snapshot_table(metadata, name, v).drop(conn, checkfirst=True)
            if sa.inspect(conn).has_table(sqlstore.CATALOGUE):
                catalogue = sqlstore._catalogue(metadata)
                conn.execute(catalogue.delete().where(catalogue.c.name == name))
    finally:
        engine.dispose()


def _fetch(url: str, name: str) -> dict:
    """The raw rows of ``name``'s current version (ADBC), as read_named fetches them."""
    parsed = sa.make_url(url)
    version = int(sqlstore.current_version(url, name))
    names = {t: sqlstore.table_name(name, version, t) for t in TABLE_NAMES}
    problems = ProblemList()
    raw = sqlstore._read_by_adbc(parsed, names, problems, name)
    problems.raise_if_errors()
    return raw


def _validate(raw: dict) -> object:
    labels = {t: t for t in TABLE_NAMES}
    return validate_raw(raw, labels, ProblemList(), source="bench", name="bench", licence=None)


def run(
    folder: Path, url: str, rounds: int, with_select: bool = False, log: object = None
) -> dict[str, object]:
    """Time every step ``rounds`` times on the data set in ``folder``; medians in ms."""

    def say(message: str) -> None:
        if log is not None:
            print(message, file=log, flush=True)  # type: ignore[arg-type]

    name = f"bench_dbload_{os.getpid()}"
    samples: dict[str, list[float]] = {key: [] for key in KEYS}
    load_before = os.getloadavg()
    rows = 0
    select_ms = None
    try:
        for k in range(rounds):
            say(f"round {k + 1} of {rounds} …")
            ms, data = _ms(lambda: load_dataset(folder))
            samples["folder_load_ms"].append(ms)
            rows = data.values.height  # type: ignore[attr-defined]
            del data
            ms, result = _ms(lambda: sqlstore.load_into_db(folder, url, name))
            samples["db_load_ms"].append(ms)
            say(f"  db load {ms:,.0f} ms (version {result.version})")  # type: ignore[attr-defined]
            ms, data = _ms(lambda: load_dataset(f"{url}#{name}"))
            samples["db_read_ms"].append(ms)
            assert data.values.height == rows  # type: ignore[attr-defined]
            del data
            say(f"  db read {ms:,.0f} ms")
            ms, raw = _ms(lambda: _fetch(url, name))
            samples["db_read_fetch_ms"].append(ms)
            ms, _ = _ms(lambda raw=raw: _validate(raw))  # type: ignore[misc]
            samples["db_read_validate_ms"].append(ms)
            del raw
        if with_select:
            say("one read of the rows through SQLAlchemy (slow) …")
            version = sqlstore.current_version(url, name)
            names = {t: sqlstore.table_name(name, int(version), t) for t in TABLE_NAMES}
            select_ms, _ = _ms(lambda: read_sql_tables(url, ProblemList(), table_names=names))
    finally:
        drop_named(url, name)
        say(f"dropped the scratch data set {name}")
    results: dict[str, object] = {key: median(samples[key]) for key in KEYS}
    # each round's read over that round's folder load: on a shared machine whose speed
    # changes from minute to minute, the ratio says more than either time alone
    ratios = [r / f for r, f in zip(samples["db_read_ms"], samples["folder_load_ms"], strict=True)]
    results["db_read_over_folder_load"] = median(ratios)
    results["details"] = {
        "rows": rows,
        "rounds": rounds,
        "samples_ms": samples,
        "select_read_ms": select_ms,
        "read_over_folder_ratios": ratios,
        "url": sa.make_url(url).render_as_string(hide_password=True),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "machine": machine(),
        "when": dt.datetime.now().isoformat(timespec="seconds"),
    }
    return results


def table(results: dict[str, object]) -> str:
    lines = [f"{'step':<22}{'median':>14}  against the folder budget (1500 ms)"]
    for key in KEYS:
        value = float(results[key])  # type: ignore[arg-type]
        verdict = "OK" if value <= BUDGET_MS else "OVER"
        shown = "-" if key in ("db_load_ms", "db_read_fetch_ms", "db_read_validate_ms") else verdict
        lines.append(f"{key.removesuffix('_ms'):<22}{value:>11,.0f} ms  {shown}")
    ratio = float(results["db_read_over_folder_load"])  # type: ignore[arg-type]
    lines.append(f"{'db_read / folder_load':<22}{ratio:>11.2f} ×  (median of the rounds)")
    return "\n".join(lines)


def markdown(results: dict[str, object]) -> str:
    d = results["details"]  # type: ignore[index]
    m = d["machine"]  # type: ignore[index]
    load = d["load_average"]  # type: ignore[index]
    rows = ["| step | median | runs |", "|---|---:|---|"]
    for key in KEYS:
        runs = ", ".join(f"{v:,.0f}" for v in d["samples_ms"][key])  # type: ignore[index]
        rows.append(f"| {key} | {float(results[key]):,.0f} ms | {runs} |")  # type: ignore[arg-type]
    ratios = ", ".join(f"{v:.2f}" for v in d["read_over_folder_ratios"])  # type: ignore[index]
    rows.append(
        f"| db_read / folder_load (each round) | {results['db_read_over_folder_load']:.2f} × "
        f"| {ratios} |"
    )
    select = d["select_read_ms"]  # type: ignore[index]
    extra = (
        []
        if select is None
        else ["", f"The rows through SQLAlchemy (one run, before): {select:,.0f} ms."]
    )
    return "\n".join(
        [
            f"Run of {d['when']}: {d['rows']:,} values, {d['rounds']} rounds, {d['url']}.",
            "",
            *rows,
            *extra,
            "",
            f"Machine: {m['cores']} cores, {m['cpu']}; Python {m['python']}, polars "
            f"{m['polars']}. Load average (1, 5, 15 min) before "
            f"{', '.join(f'{v:.2f}' for v in load['before'])}, after "
            f"{', '.join(f'{v:.2f}' for v in load['after'])}.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"PostgreSQL URL ({DEFAULT_URL})")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each step (3)")
    parser.add_argument("--data", type=Path, help="a data set folder instead of generating one")
    parser.add_argument("--practices", type=int, default=BenchSize.practices)
    parser.add_argument("--networks", type=int, default=BenchSize.networks)
    parser.add_argument("--indicators", type=int, default=BenchSize.indicators)
    parser.add_argument("--months", type=int, default=BenchSize.months)
    parser.add_argument("--with-select", action="store_true", help="also the old read, once")
    parser.add_argument("--json", type=Path, dest="json_out")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="netcompare-dbload-") as tmp:
        folder = args.data
        if folder is None:
            folder = Path(tmp) / "data"
            size = BenchSize(args.practices, args.networks, args.indicators, args.months)
            print(f"generating {size.practices:,} practices (not timed) …", file=sys.stderr)
            generate(folder, size)
        results = run(folder, args.url, max(1, args.rounds), args.with_select, sys.stderr)
    print(table(results))
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(markdown(results) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
