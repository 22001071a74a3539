"""bench/browser_runs.py runs on the sample data, one round, and reports every page it is given
(issue 12): three pages here, one with a chart of each kind of page, to keep the suite quick —
the loop over pages is the same for all seven.

Results, not timings: what the numbers are is the benchmark's business, never this test's.
"""

from __future__ import annotations

import math

import pytest

from bench.browser_runs import BUDGETS_MS, markdown, table
from tests.bench.run import run_bench_module

PAGES = ("/", "/league", "/funnel")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def one_round(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_bench_module(
        "bench.browser_runs",
        ["--rounds", "1", "--dataset", "sample", "--pages", ",".join(PAGES)],
        tmp_path_factory.mktemp("browser_runs"),
    )


def test_every_page_has_a_filter_change_and_a_link_opened(one_round: dict):
    assert one_round["dataset"] == "sample"
    assert set(one_round["pages"]) == set(PAGES)
    for path, times in one_round["pages"].items():
        for key in BUDGETS_MS:
            value = times[key]
            assert isinstance(value, float) and math.isfinite(value) and value > 0, (path, key)
            assert times[key.replace("_ms", "_runs_ms")] == [value], (path, key)
    # Every one of the three draws charts (the league table its Compare practices bars).
    for path in PAGES:
        assert one_round["pages"][path]["charts"] >= 1, path
    # One round, three pages: each shows an indicator other than the default.
    assert one_round["fresh_indicators"]


def test_the_table_and_the_markdown_name_every_page_and_budget(one_round: dict):
    printed, written = table(one_round), markdown(one_round)
    for path in PAGES:
        assert any(line.startswith(f"{path} ") for line in printed.splitlines()), path
        assert f"| {path} |" in written, path
    assert "filter change <= 1,500 ms, link opened <= 2,500 ms" in printed
    assert "Load average" in written
