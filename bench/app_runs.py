"""AppTest runs of every page on a generated data set, in their own process.

``python -m bench.app_runs DATA OUT``: the app (``app.py``) with ``NETCOMPARE_DATA`` pointing at
the data set and a throw-away SQLite notes database. One run loads the data into the app's
``st.cache_resource`` (``app_load_ms``). Then, for each round and each page, a new session:

- opens the page (the *first run*: data already cached, the default view, as for a new user);
- switches the sidebar to an indicator and a period that no page has shown yet in this process
  (the *cold* run: the page's view cache is empty for them, everything is computed);
- runs again with nothing changed (the *warm* run: the identical view, from the caches).

``app_first_ms``, ``app_cold_ms`` and ``app_warm_ms`` are the medians over all pages and
rounds; ``pages`` has each page's medians. ``fresh_views`` says whether every cold run had
an indicator and a period of its own (a data set with too few for the rounds reuses them).
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


def _shown(box: object) -> str:
    """The label of a selectbox's current option."""
    return box.options[box.index]  # type: ignore[attr-defined]


def _fresh_views(indicators: list[str], periods: list[str], n: int) -> list[tuple[str, str]]:
    """``n`` (indicator, period) pairs for the cold runs, in order: each with an indicator and
    a period not used before while there are enough (then they go round again)."""
    return [(indicators[i % len(indicators)], periods[i % len(periods)]) for i in range(n)]


def run_pages(folder: Path, rounds: int) -> dict[str, object]:
    """Time the app's pages on the data set in ``folder``."""
    from streamlit.testing.v1 import AppTest

    _run_app_as_server_does()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["NETCOMPARE_DATA"] = str(folder)
    with tempfile.TemporaryDirectory(prefix="netcompare-bench-notes-") as tmp:
        os.environ["NETCOMPARE_DB_URL"] = f"sqlite:///{Path(tmp) / 'notes.db'}"
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        load = time_ms(at.run)
        _check(at, "the first run")
        # The default view (the first indicator's latest period) is shown by every first run:
        # the cold runs use the other indicators and the earlier periods, newest first.
        # (Options are the labels shown; AppTest selects an option by its label.)
        indicator_box = at.sidebar.selectbox(key="indicator")
        period_box = at.sidebar.selectbox(key="period")
        indicators = [i for i in indicator_box.options if i != _shown(indicator_box)]
        periods = [p for p in reversed(period_box.options) if p != _shown(period_box)]
        views = _fresh_views(
            indicators or list(indicator_box.options),
            periods or list(period_box.options),
            rounds * len(PAGES),
        )
        fresh = len(views) <= min(len(indicators), len(periods))
        first: dict[str, list[float]] = {page: [] for page in PAGES}
        cold: dict[str, list[float]] = {page: [] for page in PAGES}
        warm: dict[str, list[float]] = {page: [] for page in PAGES}
        view = iter(views)
        for _ in range(rounds):
            for page in PAGES:
                at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
                at.switch_page(page)
                gc.collect()
                first[page].append(time_ms(at.run))
                _check(at, page)
                indicator, period = next(view)
                at.sidebar.selectbox(key="indicator").select(indicator)
                at.sidebar.selectbox(key="period").select(period)
                gc.collect()
                cold[page].append(time_ms(at.run))
                _check(at, f"{page} after switching to {indicator} in {period}")
                shown = (
                    _shown(at.sidebar.selectbox(key="indicator")),
                    _shown(at.sidebar.selectbox(key="period")),
                )
                if shown != (indicator, period):
                    raise RuntimeError(f"{page} shows {shown}, not {(indicator, period)}")
                gc.collect()
                warm[page].append(time_ms(at.run))
                _check(at, f"{page} run again on {indicator} in {period}")
    return {
        "app_load_ms": load,
        "app_first_ms": median([t for times in first.values() for t in times]),
        "app_cold_ms": median([t for times in cold.values() for t in times]),
        "app_warm_ms": median([t for times in warm.values() for t in times]),
        "pages": {
            page: {
                "first_ms": median(first[page]),
                "cold_ms": median(cold[page]),
                "warm_ms": median(warm[page]),
            }
            for page in PAGES
        },
        "fresh_views": fresh,
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
