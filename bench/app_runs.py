"""AppTest runs of every page on a generated data set, in their own process.

``python -m bench.app_runs DATA OUT``: the app (``app.py``) with ``NETCOMPARE_DATA`` pointing at
the data set and a throw-away SQLite notes database. One untimed-for-the-budget run loads the
data into the app's ``st.cache_resource`` (its time is reported as ``app_cold_ms``); then, for
each round and each page, a new session opens the page (the *first run*, data already cached,
as for a new user) and changes the indicator in the sidebar (the *rerun*). The medians over
all pages and rounds are ``app_first_ms`` and ``app_rerun_ms``.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from bench.timing import median, peak_rss_mb, time_ms

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGES = (
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
    "pages/data.py",
)
TIMEOUT = 600


def _run_app_as_server_does() -> None:
    """Make AppTest run app.py's ``st.navigation`` on every run, as the server does.

    AppTest (streamlit 1.67) resets ``PagesManager.uses_pages_directory`` before each run; a
    new ``PagesManager`` sets it again because a ``pages/`` folder exists, and from the second
    run on AppTest would run ``pages/<page>.py`` alone, without app.py (no sidebar, no filters).
    The server clears the flag for good at the first ``st.navigation`` call (see
    tests/app/conftest.py).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]


def _check(at: object, what: str) -> None:
    if at.exception:  # type: ignore[attr-defined]
        message = at.exception[0].message  # type: ignore[attr-defined]
        raise RuntimeError(f"the app failed on {what}: {message}")


def run_pages(folder: Path, rounds: int) -> dict[str, object]:
    """Time the app's pages on the data set in ``folder``."""
    from streamlit.testing.v1 import AppTest

    _run_app_as_server_does()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["NETCOMPARE_DATA"] = str(folder)
    with tempfile.TemporaryDirectory(prefix="netcompare-bench-notes-") as tmp:
        os.environ["NETCOMPARE_DB_URL"] = f"sqlite:///{Path(tmp) / 'notes.db'}"
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        cold = time_ms(at.run)
        _check(at, "the first run")
        first: dict[str, list[float]] = {page: [] for page in PAGES}
        rerun: dict[str, list[float]] = {page: [] for page in PAGES}
        for round_ in range(rounds):
            for page in PAGES:
                at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
                at.switch_page(page)
                gc.collect()
                first[page].append(time_ms(at.run))
                _check(at, page)
                box = at.sidebar.selectbox(key="indicator")
                options = list(box.options)
                step = 1 + round_ % (len(options) - 1) if len(options) > 1 else 0
                box.select(options[(box.index + step) % len(options)])  # another indicator
                rerun[page].append(time_ms(at.run))
                _check(at, f"{page} after changing the indicator")
    return {
        "app_cold_ms": cold,
        "app_first_ms": median([t for times in first.values() for t in times]),
        "app_rerun_ms": median([t for times in rerun.values() for t in times]),
        "pages_first_ms": {page: median(times) for page, times in first.items()},
        "pages_rerun_ms": {page: median(times) for page, times in rerun.items()},
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the generated data set folder")
    parser.add_argument("out", type=Path, help="JSON file for the results")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    results = run_pages(args.data, args.rounds)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
