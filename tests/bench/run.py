"""Run a benchmark as an operator does, in its own process, and read back the numbers it
wrote: Playwright's sync API cannot start in a test worker whose browser tests already run
it, so a benchmark started in-process would depend on the order the tests ran in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench_module(module: str, args: list[str], folder: Path) -> dict:
    """``python -m <module> <args> --json <folder>/results.json``; the numbers it wrote."""
    out = folder / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{module} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(out.read_text(encoding="utf-8"))
