"""The benchmark: generate a data set, time every step in separate processes, report.

Three processes, so that each number means what it says:

1. the sample generator writes the data set as Parquet into a temporary folder (not timed;
   at England scale it needs more memory than the app itself);
2. :mod:`bench.core_steps` loads the data set and times the library steps;
3. :mod:`bench.app_runs` times AppTest runs of every page.

``peak_rss_mb`` is the larger of the two measured processes' peak resident memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The numbers --json writes, in order, and their budgets (medians on a 2-core machine).
# app_rerun_ms (a rerun after changing the indicator) is the same figure as app_cold_ms,
# kept under its old name for comparison with earlier runs. --json also writes app_pages.
BUDGETS: dict[str, float | None] = {
    "load_ms": 1500,
    "compare_ms": 10,
    "compare_ranks_ms": 200,
    "funnel_6378_ms": 2,
    "league_ms": 20,
    "rag_grid_network_ms": 20,
    "rag_grid_all_ms": 300,
    "spc_ms": 5,
    "app_first_ms": None,
    "app_rerun_ms": 400,
    "app_cold_ms": 400,
    "app_warm_ms": None,
    "peak_rss_mb": 1500,
}
JSON_KEYS: tuple[str, ...] = tuple(BUDGETS)


@dataclass(frozen=True)
class BenchSize:
    practices: int = 6400
    networks: int = 1270
    indicators: int = 40
    months: int = 36
    seed: int = 1


def _python_env() -> dict[str, str]:
    """The environment for the worker processes: the project importable, output unbuffered."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_python_env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(f"{what} failed: {detail[-1] if detail else done.returncode}")


def generate(folder: Path, size: BenchSize) -> None:
    """Write the generated data set (Parquet) with the sample generator, in its own process."""
    _run(
        [
            "-m",
            "netcompare",
            "sample",
            "--out",
            str(folder),
            "--seed",
            str(size.seed),
            "--practices",
            str(size.practices),
            "--networks",
            str(size.networks),
            "--indicators",
            str(size.indicators),
            "--months",
            str(size.months),
            "--format",
            "parquet",
        ],
        "generating the data set",
    )


def run_bench(
    size: BenchSize,
    *,
    repeats: int = 7,
    app_rounds: int = 2,
    data: Path | None = None,
    log: object = None,
) -> dict[str, object]:
    """Run the whole benchmark; returns every result (the JSON keys and the details)."""

    def say(message: str) -> None:
        if log is not None:
            print(message, file=log, flush=True)  # type: ignore[arg-type]

    with tempfile.TemporaryDirectory(prefix="netcompare-bench-") as tmp:
        work = Path(tmp)
        folder = data
        if folder is None:
            folder = work / "data"
            say(
                f"generating {size.practices:,} practices in {size.networks:,} networks, "
                f"{size.indicators} indicators, {size.months} months (not timed) …"
            )
            generate(folder, size)
        load_before = os.getloadavg()
        say("timing the library steps …")
        core_out = work / "core.json"
        _run(
            ["-m", "bench.core_steps", str(folder), str(core_out), "--repeats", str(repeats)],
            "the library steps",
        )
        say("timing the app pages (AppTest) …")
        app_out = work / "app.json"
        _run(
            ["-m", "bench.app_runs", str(folder), str(app_out), "--rounds", str(app_rounds)],
            "the app runs",
        )
        core = json.loads(core_out.read_text(encoding="utf-8"))
        app = json.loads(app_out.read_text(encoding="utf-8"))
        load_after = os.getloadavg()
    results: dict[str, object] = {key: core[key] for key in JSON_KEYS if key in core}
    results["app_first_ms"] = app["app_first_ms"]
    results["app_rerun_ms"] = app["app_cold_ms"]
    results["app_cold_ms"] = app["app_cold_ms"]
    results["app_warm_ms"] = app["app_warm_ms"]
    results["app_pages"] = app["pages"]
    results["peak_rss_mb"] = max(core["peak_rss_mb"], app["peak_rss_mb"])
    results["details"] = {
        "size": size.__dict__,
        "rows": core["rows"],
        "repeats": repeats,
        "app_rounds": app_rounds,
        "core_peak_rss_mb": core["peak_rss_mb"],
        "app_peak_rss_mb": app["peak_rss_mb"],
        "app_load_ms": app["app_load_ms"],
        "fresh_views": app["fresh_views"],
        "funnel_6378_check": core["funnel_6378_check"],
        "spc_points": core["spc_points"],
        "samples_ms": core["samples_ms"],
        "cpu_ms": core["cpu_ms"],
        "reference_ms": core["reference_ms"],
        "load_average": {"before": load_before, "after": load_after},
        "machine": machine(),
        "when": dt.datetime.now().isoformat(timespec="seconds"),
    }
    return results


def json_results(results: dict[str, object]) -> dict[str, object]:
    """What --json writes: the numbers of JSON_KEYS, then ``app_pages``, each page's medians
    (``{"pages/league.py": {"first_ms": …, "cold_ms": …, "warm_ms": …}, …}``)."""
    numbers: dict[str, object] = {key: float(results[key]) for key in JSON_KEYS}  # type: ignore[arg-type]
    pages = results["app_pages"]
    numbers["app_pages"] = {
        page: {name: float(value) for name, value in times.items()}
        for page, times in pages.items()  # type: ignore[union-attr]
    }
    return numbers


def verdict(key: str, value: float) -> str:
    budget = BUDGETS[key]
    if budget is None:
        return "-"
    return "OK" if value <= budget else "OVER"


def table(results: dict[str, object]) -> str:
    """step, median, budget, OK/OVER: one line per key."""
    lines = [f"{'step':<20}{'median':>14}{'budget':>14}  result"]
    for key in JSON_KEYS:
        value = float(results[key])  # type: ignore[arg-type]
        unit = "MB" if key.endswith("_mb") else "ms"
        step = key.removesuffix("_ms").removesuffix("_mb")
        budget = BUDGETS[key]
        shown_value = f"{value:,.{1 if value >= 10 else 2}f} {unit}"
        shown_budget = "-" if budget is None else f"<= {budget:g} {unit}"
        lines.append(f"{step:<20}{shown_value:>14}{shown_budget:>14}  {verdict(key, value)}")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    """What the numbers ran on: cores, CPU, memory, Python and library versions."""
    import numpy
    import polars
    import scipy
    import streamlit

    cpu = platform.processor() or platform.machine()
    memory_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "polars": polars.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "streamlit": streamlit.__version__,
    }


def markdown(results: dict[str, object]) -> str:
    """The run as a Markdown section: the table, the page times and the machine."""
    details = results["details"]  # type: ignore[index]
    m = details["machine"]  # type: ignore[index]
    size = details["size"]  # type: ignore[index]
    load = details["load_average"]  # type: ignore[index]
    rows = [
        "| step | median | budget | result | CPU time (median) |",
        "|---|---:|---:|---|---:|",
    ]
    cpu = details["cpu_ms"]  # type: ignore[index]
    for key in JSON_KEYS:
        value = float(results[key])  # type: ignore[arg-type]
        unit = "MB" if key.endswith("_mb") else "ms"
        budget = BUDGETS[key]
        shown = "-" if budget is None else f"≤ {budget:g} {unit}"
        step_cpu = cpu.get(key.removesuffix("_ms"))  # type: ignore[union-attr]
        shown_cpu = "-" if step_cpu is None else f"{step_cpu:,.2f} ms"
        rows.append(
            f"| {key} | {value:,.2f} {unit} | {shown} | {verdict(key, value)} | {shown_cpu} |"
        )
    pages = [
        "| page | first run (new session) | cold (new indicator and period) | warm (same view "
        "again) |",
        "|---|---:|---:|---:|",
    ]
    for page, times in results["app_pages"].items():  # type: ignore[union-attr]
        pages.append(
            f"| {page} | {times['first_ms']:,.0f} ms | {times['cold_ms']:,.0f} ms "
            f"| {times['warm_ms']:,.0f} ms |"
        )
    fresh = (
        ""
        if details["fresh_views"]  # type: ignore[index]
        else " (too few indicators or periods for the rounds: some cold runs reuse a view)"
    )
    return "\n".join(
        [
            f"Run of {details['when']}: {size['practices']:,} practices, "  # type: ignore[index]
            f"{size['networks']:,} networks, {size['indicators']} indicators, "
            f"{size['months']} months ({details['rows']:,} values); {details['repeats']} "
            f"repeats per step after a warm-up, {details['app_rounds']} app rounds.",
            "",
            *rows,
            "",
            f"App: first run of the app (loads the data) {details['app_load_ms']:,.0f} ms; "
            f"per page (medians){fresh}:",
            "",
            *pages,
            "",
            f"Peak resident memory: library steps {details['core_peak_rss_mb']:,.0f} MB, "
            f"app {details['app_peak_rss_mb']:,.0f} MB.",
            "",
            "Reference workload (fixed numpy sort and Python loop, to gauge how fast the "
            "machine was during the run): "
            f"{details['reference_ms'][0]:,.1f} ms before the library steps, "  # type: ignore[index]
            f"{details['reference_ms'][1]:,.1f} ms after.",  # type: ignore[index]
            "",
            f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB RAM, {m['os']}; "
            f"Python {m['python']}, polars {m['polars']}, numpy {m['numpy']}, scipy "
            f"{m['scipy']}, streamlit {m['streamlit']}. Load average (1, 5, 15 min) before "
            f"{_loads(load['before'])}, after {_loads(load['after'])}.",
        ]
    )


def _loads(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)
