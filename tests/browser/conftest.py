"""Browser tests: the real app served by `streamlit run`, driven in Debian's headless chromium.

The server runs on a free port with its own temporary notes database (never the user's), and
the app on the committed sample data.

Nothing here sleeps for a fixed time: the server is ready when it prints its URL and answers
``/_stcore/health``; a script run is over when Streamlit's ``stApp`` element says so
(``data-test-script-state``, watched by a MutationObserver so that a run that starts and ends
between two polls is still seen); anything else is a Playwright wait on the condition itself.

Screenshots go to a temporary folder, or to ``$NETCOMPARE_SCREENSHOTS`` when that is set
(``scripts/refresh-screenshots`` sets it to refresh docs/screenshots/). When a test fails,
every page it had open is photographed and the paths are printed with the failure.

Every page a test opens is checked with axe-core (``tests/browser/node_modules``, installed by
``npm ci --prefix tests/browser``): a "critical" or "serious" violation fails the test (WCAG 2.2
AA is required of NHS services); "moderate" and "minor" ones are listed at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1500, "height": 1000}
SERVER_START_S = 60

pytestmark = pytest.mark.browser

PAGES_KEY = pytest.StashKey[list[Page]]()
FAILURES_KEY = pytest.StashKey[Path]()
SCREENSHOTS_KEY = pytest.StashKey[Path]()
# axe-core impacts that fail a test; the others are listed at the end of the run.
FAILING_IMPACTS = ("critical", "serious")
# axe-core "moderate" and "minor" violations seen in this run:
# (impact, rule id, what axe says of an element) -> {"pages": {where}, "elements": {html}}
MINOR: dict[tuple[str, str, str], dict[str, set[str]]] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(db: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port with its notes in ``db``; yield its URL.
    ``env``: more environment variables for the server (bench/browser_runs.py uses it too)."""
    notes = {"NETCOMPARE_DB_URL": f"sqlite:///{db}"}
    with serve_streamlit(ROOT / "app.py", ROOT, _free_port(), log, notes | (env or {})) as url:
        yield url


@contextlib.contextmanager
def serve_streamlit(
    script: Path, cwd: Path, port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``streamlit run SCRIPT`` from ``cwd`` on ``port``; yield its URL; stop it after.
    ``env``: more environment variables for the server.

    The server's output is copied to ``log`` by a thread, which also notes the moment the
    server prints the URL it listens on (or ends): the start-up wait is for that event, then
    for ``/_stcore/health``.
    """
    env = os.environ | {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"} | (env or {})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    listening = threading.Event()

    def copy_output() -> None:
        assert proc.stdout is not None
        with log.open("w") as out:
            for line in proc.stdout:
                out.write(line)
                out.flush()
                if f"URL: {url}" in line:
                    listening.set()
        listening.set()  # the server ended: stop waiting (the check below says why)

    copier = threading.Thread(target=copy_output, daemon=True)
    copier.start()
    try:
        listening.wait(timeout=SERVER_START_S)
        healthy = False
        if proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
                    healthy = r.status == 200
            except OSError:
                pass
        if not healthy:
            raise RuntimeError(f"streamlit did not start on {url}:\n{log.read_text()}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        copier.join(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `streamlit run app.py` on a free port; yield its base URL; stop it after."""
    db = tmp_path_factory.mktemp("notes") / "notes.db"
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with serve_app(db, log) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: ./scripts/run-tests installs it"
    assert AXE.is_file(), f"axe-core is missing ({AXE}): run npm ci --prefix tests/browser"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session", autouse=True)
def _screenshot_folders(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    chosen = os.environ.get("NETCOMPARE_SCREENSHOTS")
    shots = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    request.config.stash[SCREENSHOTS_KEY] = shots
    request.config.stash[FAILURES_KEY] = tmp_path_factory.mktemp("failures")


@pytest.fixture
def new_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Callable[[], Page]]:
    """Open pages in fresh browser contexts (as different users); all closed after the test.
    A failing test's pages are photographed before they close."""
    contexts = []
    pages: list[Page] = []
    request.node.stash[PAGES_KEY] = pages

    def make() -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        pages.append(context.new_page())
        return pages[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``screenshot(page, name)``: save the whole page as NAME.png in the screenshot folder."""
    folder = request.config.stash[SCREENSHOTS_KEY]

    def shoot(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    folder = item.config.stash.get(FAILURES_KEY, None)
    pages = item.stash.get(PAGES_KEY, [])
    if folder is None or not pages:
        return
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)[:120]
    lines = []
    for i, pg in enumerate(pages):
        path = folder / f"{name}-{i}.png"
        try:
            pg.screenshot(path=str(path), full_page=True)
            lines.append(f"page {i} ({pg.url}): {path}")
        except Exception as error:  # a closed page, a crashed browser: say so, go on
            lines.append(f"page {i}: no screenshot ({error})")
    lines.append(f"screenshots the test took: {item.config.stash[SCREENSHOTS_KEY]}")
    report.sections.append(("screenshots of the failing test", "\n".join(lines)))


def pytest_terminal_summary(terminalreporter) -> None:
    if not MINOR:
        return
    terminalreporter.section("axe-core: moderate and minor accessibility violations (not failed)")
    for (impact, rule, message), seen in sorted(MINOR.items()):
        elements = sorted(seen["elements"])
        more = f" and {len(elements) - 3} more" if len(elements) > 3 else ""
        terminalreporter.write_line(f"{rule} ({impact}): {message}")
        terminalreporter.write_line(f"    on {', '.join(sorted(seen['pages']))}")
        terminalreporter.write_line(f"    e.g. {' | '.join(elements[:3])}{more}")


# -- waiting for Streamlit ----------------------------------------------------------------------

_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return -1;
    if (!window.__netcompareRuns || window.__netcompareRuns.app !== app) {
        const runs = {app, ended: 0};
        new MutationObserver(records => {
            for (const r of records) if (r.oldValue === 'running') runs.ended += 1;
        }).observe(app, {
            attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true,
        });
        window.__netcompareRuns = runs;
    }
    return window.__netcompareRuns.ended;
}"""

_IDLE = """ended => {
    const app = document.querySelector('[data-testid="stApp"]');
    const runs = window.__netcompareRuns;
    return app !== null
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && document.querySelector('[data-stale="true"]') === null
        && document.querySelector('[data-testid="stSkeleton"]') === null
        && (ended < 0 || (runs !== undefined && (runs.app !== app || runs.ended > ended)));
}"""


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Wait until the app is connected and no script run is going on or pending: the first
    run of a freshly loaded page has finished (its state is no longer 'initial'), and no
    element is still a placeholder (``stSkeleton``: a fresh browser fetches the code of
    charts, tables and images after the run, so axe-core would otherwise miss them)."""
    page.wait_for_function(_IDLE, arg=-1, timeout=timeout)


@contextlib.contextmanager
def rerun(page: Page, timeout: float = 60_000) -> Iterator[None]:
    """``with rerun(page): <click>``: wait until the script run the click starts has ended."""
    ended = page.evaluate(_WATCH_RUNS)
    assert ended >= 0, "the app is not on the page"
    yield
    page.wait_for_function(_IDLE, arg=ended, timeout=timeout)


@contextlib.contextmanager
def no_rerun(page: Page, quiet_ms: int = 1_000) -> Iterator[None]:
    """``with no_rerun(page): <click>``: the click starts no script run (a download button's
    click must not rerun the page): none has started or ended ``quiet_ms`` after it."""
    ended = page.evaluate(_WATCH_RUNS)
    assert ended >= 0, "the app is not on the page"
    yield
    page.wait_for_timeout(quiet_ms)
    state = page.get_by_test_id("stApp").get_attribute("data-test-script-state")
    assert (page.evaluate(_WATCH_RUNS), state) == (ended, "notRunning"), "the click reran the page"


def settle(page: Page, frames: int = 5, timeout: float = 10_000) -> None:
    """Wait until the layout stops changing: the page's size and every chart's and table's
    box the same over ``frames`` consecutive animation frames (after a resize or a scroll)."""
    page.wait_for_function(
        """frames => {
            const boxes = [document.querySelector('[data-testid="stMain"]')]
                .concat([...document.querySelectorAll('canvas, svg.marks')])
                .filter(e => e !== null)
                .map(e => { const b = e.getBoundingClientRect();
                            return [b.x, b.y, b.width, b.height, e.scrollHeight].join(','); })
                .join(';');
            const s = window.__netcompareSettle;
            if (s && s.boxes === boxes) { s.same += 1; } else {
                window.__netcompareSettle = {boxes, same: 0};
            }
            if (window.__netcompareSettle.same >= frames) {
                window.__netcompareSettle = undefined;
                return true;
            }
            return false;
        }""",
        arg=frames,
        polling="raf",
        timeout=timeout,
    )


# -- accessibility -------------------------------------------------------------------------------


def check_accessibility(page: Page, where: str) -> None:
    """Run axe-core on the page as it is now: a "critical" or "serious" violation fails the
    test, which lists each with the elements concerned; "moderate" and "minor" ones are
    collected for the end of the run. It waits for the app to be idle first: while a script
    run is going on, Streamlit fades the elements it has not redrawn yet (``data-stale``), and
    a faded caption would fail on contrast."""
    page.wait_for_function(_IDLE, arg=-1, timeout=60_000)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => {
                    const check = [...n.any, ...n.all, ...n.none][0];
                    return {
                        target: n.target.join(' '),
                        message: check ? check.message : v.help,
                        html: n.html.length > 70 ? n.html.slice(0, 70) + '…' : n.html,
                    };
                }),
            }));
        }"""
    )
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    for v in violations:
        if v in failing:
            continue
        for node in v["nodes"]:
            seen = MINOR.setdefault(
                (v["impact"], v["id"], node["message"]), {"pages": set(), "elements": set()}
            )
            seen["pages"].add(where)
            seen["elements"].add(node["html"])
    if not failing:
        return
    pytest.fail(
        f"axe-core: accessibility violations on {where}:\n"
        + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(
                f"    {n['html']} — {n['message']} (at {n['target']})" for n in v["nodes"][:5]
            )
            + (f"\n    and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
            for v in failing
        ),
        pytrace=False,
    )
