"""Simultaneous users of a deployment: sessions across two instances behind nginx (issue 16).

``python -m bench.sessions [--sessions 10] [--rounds 2] [--dataset KEY|DIR] [--json OUT]
[--markdown OUT]``

The deployment is the tested one (tests/browser/deploy/stack.py, which runs deploy/instances.py): a
fresh PostgreSQL database holding the data set as a named data set (``python -m netcompare db
load``) and the notes, two ``streamlit run`` instances in shared mode, nginx in front with
sticky sessions. The data set defaults to the real England QOF prevalence 2022-23 (6,378
practices, 21 indicators), read by the instances from PostgreSQL.

One untimed visit per instance first loads the data set into that instance's cache (its time
is reported). Then ``--sessions`` browsers (Playwright browser contexts in one Debian
Chromium: each its own cookies, so nginx gives each its own route cookie and instance) start
together and each, ``--rounds`` times, opens the Overview by its link and goes through the
League table, the Funnel plot and Trends by the sidebar's links, as a user does. Each page is
timed from the ``goto`` or the click to the page *rendered* — bench/browser_runs.py's
definition: connected, Streamlit's run over (``data-test-script-state`` is ``notRunning``),
nothing stale, no placeholder, the ``h1`` there and every chart drawn; after a click, also
the address that page's and the ``h1`` no longer the previous page's. Reported: p50 and p95
of every page time, per page and per tour, how the sessions were spread over the instances
(nginx's access log), and the load average.

Every browser, the instances, nginx and PostgreSQL share this machine's cores: on a machine
with two, the browsers' own drawing is part of what the times measure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser_runs import _RENDERED  # noqa: E402
from deploy.nginx import ROUTE_COOKIE  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402
from tests.browser.deploy.stack import DATASET_KEY, Stack, deployed  # noqa: E402

ENGLAND = "england-prevalence-2223"
# The tour: the first page by its link (a new session), the others by the sidebar's links.
TOUR = (
    ("/", "Overview (RAG)"),
    ("/league", "League table"),
    ("/funnel", "Funnel plot"),
    ("/trends", "Trends and SPC"),
)
TIMEOUT_MS = 180_000
# A page reached by the sidebar's link is rendered when the address is that page's, its h1
# is no longer the previous page's, and it is rendered as a page just opened is. (Counting
# the script runs that end, as tests/browser's ``rerun`` does, misses a run so quick — a
# page whose views are all cached — that the browser never draws the "running" state.)
_ARRIVED = (
    "([path, before]) => { const rendered = "
    + _RENDERED
    + "; const h1 = document.querySelector('h1');"
    " return location.pathname === path && h1 !== null && h1.innerText !== before"
    " && rendered(-1); }"
)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks (R type 7, numpy's
    default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# What the page shows when it is not rendered in time: for the error message.
_STATE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return {
        connection: app && app.getAttribute('data-test-connection-state'),
        script: app && app.getAttribute('data-test-script-state'),
        h1: (document.querySelector('h1') || {}).innerText || null,
        stale: document.querySelectorAll('[data-stale="true"]').length,
        skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
        charts: charts.length,
        undrawn: charts.filter(c => ![...c.querySelectorAll('canvas, svg.marks')].some(e => {
            const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0;
        })).length,
        runs_ended: window.__netcompareRuns ? window.__netcompareRuns.ended : null,
    };
}"""


async def _rendered(page, arrived: tuple[str, str] | None = None, what: str = "") -> None:
    """Wait until the page is rendered; ``arrived``: (path, h1 before) after a sidebar
    link's click (see ``_ARRIVED``)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        if arrived is None:
            await page.wait_for_function(_RENDERED, arg=-1, polling="raf", timeout=TIMEOUT_MS)
        else:
            await page.wait_for_function(
                _ARRIVED, arg=list(arrived), polling="raf", timeout=TIMEOUT_MS
            )
    except PlaywrightTimeout:
        state = await page.evaluate(_STATE)
        raise RuntimeError(
            f"{what} ({page.url}) not rendered within {TIMEOUT_MS / 1000:.0f} s; the page: {state}"
        ) from None
    errors = page.locator('[data-testid="stException"]')
    if await errors.count():
        raise RuntimeError(
            f"{page.url}: the page shows an error: {await errors.first.inner_text()}"
        )


async def _session(browser, url: str, rounds: int, start: asyncio.Barrier) -> dict:
    """One user: ``rounds`` tours; every page's time, and the session's route cookie."""
    context = await browser.new_context(viewport=VIEWPORT)
    times: list[tuple[int, str, float]] = []  # (tour, page, ms)
    try:
        page = await context.new_page()
        await start.wait()  # every session's browser is open: they all start now
        for tour in range(1, rounds + 1):
            for i, (path, link) in enumerate(TOUR):
                began = time.perf_counter()
                if i == 0:
                    await page.goto(f"{url}{path}?data={DATASET_KEY}", timeout=TIMEOUT_MS)
                    await _rendered(page, what=f"{path} opened by its link")
                else:
                    before = await page.locator("h1").first.inner_text()
                    await page.get_by_role("link", name=link, exact=True).click()
                    await _rendered(page, (path, before), what=f"{link} by the sidebar's link")
                times.append((tour, path, (time.perf_counter() - began) * 1000))
        cookies = await context.cookies()
        route = next((c["value"] for c in cookies if c["name"] == ROUTE_COOKIE), "")
    finally:
        await context.close()
    return {"route": route, "pages": times}


def _cpu_s(pid: int) -> float:
    """CPU seconds of a process and of its children that have ended (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of stat; [0] here is field 3.
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _parents() -> dict[int, int]:
    """{pid: parent pid} of every process (Linux /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    return parents


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    up = parents.get(pid)
    while up not in (None, 0, 1):
        if up == ancestor:
            return True
        up = parents.get(up)
    return False


def _browser_cpu_s() -> float:
    """CPU seconds of the Chromium this benchmark started: its main process and every live
    process under it (the zygote, GPU, network, renderers), each with its ended children
    (a closed context's renderers are counted by the zygote that reaped them)."""
    parents = _parents()
    me = os.getpid()
    for pid in parents:
        if not _descends(pid, me, parents):
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"chromium" in cmdline[0] and not any(a.startswith(b"--type=") for a in cmdline):
            tree = [pid, *(p for p in parents if _descends(p, pid, parents))]
            return sum(_cpu_s(p) for p in tree)
    return float("nan")


def _cpu_now(stack: Stack) -> dict[str, float]:
    return {
        "instances": sum(_cpu_s(p.pid) for p in stack.deployment.instances),
        "nginx": _cpu_s(stack.deployment.nginx.pid),
        "browser": _browser_cpu_s(),
    }


async def _warm_up(browser, stack: Stack) -> list[float]:
    """One visit per instance (sent there by its route cookie): ms until rendered, which
    includes loading the data set from PostgreSQL into that instance."""
    out = []
    for number in range(1, len(stack.deployment.instances) + 1):
        context = await browser.new_context(viewport=VIEWPORT)
        try:
            await context.add_cookies([stack.route_cookie(stack.route_to(number))])
            page = await context.new_page()
            began = time.perf_counter()
            await page.goto(f"{stack.url}/?data={DATASET_KEY}", timeout=TIMEOUT_MS)
            await _rendered(page)
            out.append((time.perf_counter() - began) * 1000)
        finally:
            await context.close()
    return out


async def _run(stack: Stack, sessions: int, rounds: int) -> tuple[list[float], list[dict], dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            warm = await _warm_up(browser, stack)
            start = asyncio.Barrier(sessions)
            cpu_before = _cpu_now(stack)
            began = time.perf_counter()
            results = await asyncio.gather(
                *(_session(browser, stack.url, rounds, start) for _ in range(sessions))
            )
            wall_s = time.perf_counter() - began
            cpu_after = _cpu_now(stack)
        finally:
            await browser.close()
    cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
    return warm, list(results), {"wall_s": wall_s, "cpu_s": cpu}


def run_sessions_bench(
    sessions: int = 10, rounds: int = 2, dataset: str = ENGLAND, log=sys.stderr
) -> dict:
    """Deploy, run the sessions, stop; the numbers (see the module's docstring)."""

    def say(text: str) -> None:
        if log is not None:
            print(text, file=log, flush=True)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="netcompare-sessions-bench-") as tmp:
        say(f"deploying: {dataset} into a fresh PostgreSQL database, two instances, nginx")
        with deployed(Path(tmp) / "run", dataset) as stack:
            warm, results, spent = asyncio.run(_run(stack, sessions, rounds))
            instances = {f"127.0.0.1:{p.port}": p.name for p in stack.deployment.instances}
            spread = {name: 0 for name in instances.values()}
            for r in results:
                served = stack.served_by(r["route"])
                r["instances"] = sorted(instances.get(u, u) for u in served)
                for name in r["instances"]:
                    spread[name] = spread.get(name, 0) + 1
    every = [ms for r in results for _, _, ms in r["pages"]]

    def summary(times: list[float]) -> dict:
        return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "n": len(times)}

    pages = {
        path: summary([ms for r in results for _, p, ms in r["pages"] if p == path])
        for path, _ in TOUR
    }
    tours = {
        str(t): summary([ms for r in results for n, _, ms in r["pages"] if n == t])
        for t in range(1, rounds + 1)
    }
    say(f"{len(every)} page times from {sessions} sessions")
    return {
        "when": datetime.now().isoformat(timespec="seconds"),
        "dataset": dataset,
        "sessions": sessions,
        "rounds": rounds,
        "warm_up_ms": warm,
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
        "max_ms": max(every),
        "pages": pages,
        "tours": tours,
        "page_times": len(every),
        "wall_s": spent["wall_s"],
        "cpu_s": spent["cpu_s"],
        "spread": spread,
        "session_instances": [r["instances"] for r in results],
        "cores": os.cpu_count(),
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
    }


def table(results: dict) -> str:
    lines = [f"{'page':<10}{'p50':>10}{'p95':>10}{'n':>5}"]
    for path, t in results["pages"].items():
        lines.append(f"{path:<10}{t['p50_ms']:>7,.0f} ms{t['p95_ms']:>7,.0f} ms{t['n']:>5}")
    lines.append(
        f"{'all':<10}{results['p50_ms']:>7,.0f} ms{results['p95_ms']:>7,.0f} ms"
        f"{results['page_times']:>5}"
    )
    spread = ", ".join(f"{k}: {v}" for k, v in results["spread"].items())
    lines.append(f"{results['sessions']} sessions over the instances: {spread}")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    load = results["load_average"]
    warm = ", ".join(f"{ms:,.0f} ms" for ms in results["warm_up_ms"])
    spread = ", ".join(f"{k} {v}" for k, v in results["spread"].items())
    lines = [
        f"Run of {results['when']}: data set `{results['dataset']}` in PostgreSQL, "
        f"{results['sessions']} sessions at once through nginx, {results['rounds']} tours each "
        f"({results['page_times']} page times in {results['wall_s']:,.0f} s); sessions per "
        f"instance: {spread}. First visit of each instance (loading the data set from "
        f"PostgreSQL): {warm}.",
        "",
        "| page | how it is opened | p50 | p95 | n |",
        "|---|---|---:|---:|---:|",
    ]
    for path, t in results["pages"].items():
        how = "its link (a new session)" if path == TOUR[0][0] else "the sidebar's link"
        lines.append(
            f"| {path} | {how} | {t['p50_ms']:,.0f} ms | {t['p95_ms']:,.0f} ms | {t['n']} |"
        )
    lines.append(
        f"| **every page** | | **{results['p50_ms']:,.0f} ms** | **{results['p95_ms']:,.0f} ms** "
        f"| {results['page_times']} |"
    )
    by_tour = "; ".join(
        f"tour {t}: p50 {v['p50_ms']:,.0f} ms, p95 {v['p95_ms']:,.0f} ms"
        for t, v in results["tours"].items()
    )
    lines += [
        "",
        f"By tour ({by_tour}): in tour 1 every session starts at once, and each instance "
        "computes the first views of the day for several sessions together.",
        "",
        "CPU used during the sessions: "
        + ", ".join(f"{k} {v:,.0f} s" for k, v in results["cpu_s"].items())
        + f" (of {results['wall_s'] * (results['cores'] or 1):,.0f} core-seconds in "
        f"{results['wall_s']:,.0f} s; the rest went to other work on the machine).",
        "",
        f"{results['cores']} cores; load average (1, 5, 15 min) before "
        + ", ".join(f"{v:.2f}" for v in load["before"])
        + ", after "
        + ", ".join(f"{v:.2f}" for v in load["after"])
        + ".",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sessions",
        description="Simultaneous sessions across two instances behind nginx: p50/p95 page "
        "time until Streamlit's run is over and the page drawn.",
    )
    parser.add_argument("--sessions", type=int, default=10, help="browsers at once (10)")
    parser.add_argument("--rounds", type=int, default=2, help="tours per session (2)")
    parser.add_argument(
        "--dataset", default=ENGLAND, help=f"built-in key or folder (default {ENGLAND})"
    )
    parser.add_argument("--json", type=Path, dest="json_out", help="write the numbers here")
    parser.add_argument("--markdown", type=Path, help="write the run as Markdown here")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.rounds < 1:
        parser.error("--sessions and --rounds must be at least 1")
    results = run_sessions_bench(args.sessions, args.rounds, args.dataset)
    print(table(results))
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(markdown(results) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
