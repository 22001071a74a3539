"""Every page of the real app timed in headless Chromium at England scale (issue 12).

``python -m bench.browser_runs [--rounds N] [--dataset KEY] [--pages /,/league] [--json OUT]
[--markdown OUT]``

One `streamlit run app.py` server (the browser tests' ``serve_app``: a free port, a throw-away
SQLite notes database) and Debian's Chromium driven by Playwright, as in tests/browser. The
data set is a built-in one chosen by the link (``?data=KEY``; default the England QOF
prevalence 2022-23: 6,378 practices in 1,300 networks, 21 indicators). One untimed visit loads
the data into the server's cache first. Then, for each round and each page:

1. **filter change**: the page is open (untimed); the sidebar's indicator is switched to one
   this page has not shown yet, as a user does (open the list, click the option). Timed from
   the click to the page *rendered*.
2. **link opened**: the page's URL after the change (the link a user copies) is opened in a
   fresh browser context (no cookies, no cache, a new Streamlit session). Timed from
   ``goto`` to the page *rendered*.

*Rendered*: the app is connected and its script is not running (``stApp``'s
``data-test-script-state`` is ``notRunning``, after the run the action started), nothing is
stale, no element is still a placeholder (``stSkeleton``: a fresh browser loads the code of
charts, tables and selectboxes after the run has ended, ~0.6 s later on the sample data), the
page has its ``h1``, and every Vega chart on it has drawn a canvas or SVG of nonzero size
(``charts``: how many the page drew). Medians per page are compared with the budgets: 1.5 s
for a filter change, 2.5 s for a link opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bench.timing import median

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The browser tests' server and browser settings: one way to run the app in Chromium.
from tests.browser.conftest import (  # noqa: E402
    _WATCH_RUNS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    serve_app,
)

PAGES = ("/", "/league", "/funnel", "/trends", "/networks", "/notes", "/data")
BUDGETS_MS = {"filter_change_ms": 1500.0, "link_open_ms": 2500.0}
ENGLAND = "england-prevalence-2223"
TIMEOUT_MS = 120_000

# The page is rendered: see the module's docstring. ``ended`` is the number of script runs
# that had ended (``_WATCH_RUNS``) before the action; -1 for a page just loaded.
_RENDERED = """ended => {
    const app = document.querySelector('[data-testid="stApp"]');
    const runs = window.__netcompareRuns;
    if (app === null
        || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
        || app.getAttribute('data-test-script-state') !== 'notRunning'
        || document.querySelector('[data-stale="true"]') !== null
        || document.querySelector('[data-testid="stSkeleton"]') !== null
        || document.querySelector('h1') === null) return false;
    if (ended >= 0 && (runs === undefined || (runs.app === app && runs.ended <= ended))) {
        return false;
    }
    for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
        const drawn = [...chart.querySelectorAll('canvas, svg.marks')].some(e => {
            const b = e.getBoundingClientRect();
            return b.width > 0 && b.height > 0;
        });
        if (!drawn) return false;
    }
    return true;
}"""


def _wait_rendered(page, ended: int = -1) -> None:
    page.wait_for_function(_RENDERED, arg=ended, polling="raf", timeout=TIMEOUT_MS)
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        raise RuntimeError(f"{page.url}: the page shows an error: {errors.first.inner_text()}")


def _indicator_box(page):
    return page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Indicator")


def _indicator_options(page) -> list[str]:
    """The sidebar's indicator labels, in order (the list is opened and closed again)."""
    _indicator_box(page).click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=TIMEOUT_MS)
    labels = [label.strip() for label in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def time_filter_change(page, label: str) -> float:
    """Switch the sidebar's indicator to ``label``; ms from the click to the page rendered."""
    _indicator_box(page).click()
    option = page.get_by_role("option", name=label, exact=True)
    option.wait_for(timeout=TIMEOUT_MS)
    ended = page.evaluate(_WATCH_RUNS)
    start = time.perf_counter()
    option.click()
    _wait_rendered(page, ended)
    elapsed = (time.perf_counter() - start) * 1000
    shown = _indicator_box(page).input_value()
    if shown != label:
        raise RuntimeError(f"{page.url}: the indicator shows {shown!r}, not {label!r}")
    return elapsed


def time_link_open(browser, link: str) -> tuple[float, int]:
    """Open ``link`` in a fresh browser context; ms from ``goto`` to the page rendered, and
    the number of charts the page drew."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(link, timeout=TIMEOUT_MS)
        _wait_rendered(page)
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, page.locator('[data-testid="stVegaLiteChart"]').count()
    finally:
        context.close()


@contextmanager
def _app() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="netcompare-browser-bench-") as tmp:
        folder = Path(tmp)
        with serve_app(folder / "notes.db", folder / "streamlit.log") as url:
            yield url


def run_browser_bench(
    rounds: int = 5, dataset: str = ENGLAND, log=sys.stderr, paths: tuple[str, ...] = PAGES
) -> dict:
    """Time a filter change and a link opened for every page (or those of ``paths``),
    ``rounds`` times each; return the medians per page, every run, the budgets and the
    machine's load (see the docstring)."""
    from playwright.sync_api import sync_playwright

    def say(text: str) -> None:
        if log is not None:
            print(text, file=log, flush=True)

    load_before = os.getloadavg()
    pages: dict[str, dict[str, object]] = {}
    with _app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # The server's first visit loads the data set into its cache: not timed as a page.
            first_link = f"{url}/?data={dataset}"
            first_ms, _ = time_link_open(browser, first_link)
            say(f"first visit (the server loads {dataset}): {first_ms:,.0f} ms")
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(first_link, timeout=TIMEOUT_MS)
            _wait_rendered(page)
            default = _indicator_box(page).input_value()
            labels = _indicator_options(page)
            context.close()
            others = [label for label in labels if label != default]
            fresh = True
            for i, path in enumerate(paths):
                changes: list[float] = []
                opens: list[float] = []
                for r in range(rounds):
                    # Each round of a page shows another indicator than its earlier rounds
                    # (and than its default view), so its view caches are cold for it.
                    label = others[(i + r * len(PAGES)) % len(others)]
                    context = browser.new_context(viewport=VIEWPORT)
                    try:
                        page = context.new_page()
                        page.goto(f"{url}{path}?data={dataset}", timeout=TIMEOUT_MS)
                        _wait_rendered(page)
                        changes.append(time_filter_change(page, label))
                        page.wait_for_url(lambda u: "indicator=" in u, timeout=TIMEOUT_MS)
                        link = page.url
                    finally:
                        context.close()
                    opened_ms, charts = time_link_open(browser, link)
                    opens.append(opened_ms)
                    say(
                        f"{path} round {r + 1}: filter change {changes[-1]:,.0f} ms, "
                        f"link opened {opens[-1]:,.0f} ms ({label})"
                    )
                shown = [others[(i + r * len(PAGES)) % len(others)] for r in range(rounds)]
                fresh = fresh and len(set(shown)) == rounds
                pages[path] = {
                    "filter_change_ms": median(changes),
                    "link_open_ms": median(opens),
                    "filter_change_runs_ms": changes,
                    "link_open_runs_ms": opens,
                    "charts": charts,
                }
        finally:
            browser.close()
    return {
        "when": datetime.now().isoformat(timespec="seconds"),
        "dataset": dataset,
        "rounds": rounds,
        "indicators": len(labels),
        "fresh_indicators": fresh,
        "first_visit_ms": first_ms,
        "budgets_ms": BUDGETS_MS,
        "pages": pages,
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
    }


def verdict(key: str, value: float) -> str:
    return "OK" if value <= BUDGETS_MS[key] else "OVER"


def table(results: dict) -> str:
    """One line per page: each median, its budget and OK or OVER."""
    lines = [f"{'page':<10}{'filter change':>15}  {'':4}{'link opened':>13}  "]
    for path, times in results["pages"].items():
        change, opened = times["filter_change_ms"], times["link_open_ms"]
        lines.append(
            f"{path:<10}{change:>12,.0f} ms  {verdict('filter_change_ms', change):<4}"
            f"{opened:>10,.0f} ms  {verdict('link_open_ms', opened)}"
        )
    budgets = results["budgets_ms"]
    lines.append(
        f"budgets (medians): filter change <= {budgets['filter_change_ms']:,.0f} ms, "
        f"link opened <= {budgets['link_open_ms']:,.0f} ms"
    )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """The run as a Markdown section: a table of the medians per page, the runs, the load."""
    budgets = results["budgets_ms"]
    lines = [
        f"Run of {results['when']}: data set `{results['dataset']}`, {results['rounds']} "
        f"rounds per page; the server's first visit (loading the data) "
        f"{results['first_visit_ms']:,.0f} ms.",
        "",
        f"| page | filter change → rendered (≤ {budgets['filter_change_ms']:,.0f} ms) | "
        f"link in a fresh browser → rendered (≤ {budgets['link_open_ms']:,.0f} ms) | "
        "charts | runs (change / link) |",
        "|---|---:|---:|---:|---|",
    ]
    for path, t in results["pages"].items():
        runs = ", ".join(
            f"{a:,.0f}/{b:,.0f}"
            for a, b in zip(t["filter_change_runs_ms"], t["link_open_runs_ms"], strict=True)
        )
        lines.append(
            f"| {path} | {t['filter_change_ms']:,.0f} ms "
            f"{verdict('filter_change_ms', t['filter_change_ms'])} | "
            f"{t['link_open_ms']:,.0f} ms {verdict('link_open_ms', t['link_open_ms'])} | "
            f"{t['charts']} | {runs} |"
        )
    load = results["load_average"]
    lines += [
        "",
        "Load average (1, 5, 15 min) before "
        + ", ".join(f"{v:.2f}" for v in load["before"])
        + ", after "
        + ", ".join(f"{v:.2f}" for v in load["after"])
        + ".",
    ]
    if not results["fresh_indicators"]:
        lines.append(
            f"The data set has {results['indicators']} indicators, too few for the rounds: some "
            "rounds of a page repeat an indicator (those filter changes are not cold)."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.browser_runs",
        description="Time every page in headless Chromium: a filter change and a link "
        "opened in a fresh browser, each until the page is rendered.",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page (default 5)")
    parser.add_argument(
        "--dataset", default=ENGLAND, help=f"built-in data set key (default {ENGLAND})"
    )
    parser.add_argument(
        "--pages",
        type=lambda text: tuple(p for p in text.split(",") if p),
        default=PAGES,
        help="comma-separated URL paths (default: every page)",
    )
    parser.add_argument("--json", type=Path, dest="json_out", help="write the numbers here")
    parser.add_argument("--markdown", type=Path, help="write the run as Markdown here")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    unknown = sorted(set(args.pages) - set(PAGES))
    if unknown or not args.pages:
        parser.error(f"--pages: not pages of the app: {', '.join(unknown) or '(none given)'}")
    results = run_browser_bench(rounds=args.rounds, dataset=args.dataset, paths=args.pages)
    print(table(results))
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(markdown(results) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
