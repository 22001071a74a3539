"""bench/sessions.py runs two sessions through nginx over two instances on the sample data and
reports every number (issue 16). Results, not timings: what the numbers are is the
benchmark's business, never this test's."""

from __future__ import annotations

import math

import pytest

from bench.sessions import TOUR, markdown, percentile, table
from tests.bench.run import run_bench_module

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_percentile_is_r_type_7() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0


@pytest.fixture(scope="module")
def two_sessions(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_bench_module(
        "bench.sessions",
        ["--sessions", "2", "--rounds", "1", "--dataset", "sample"],
        tmp_path_factory.mktemp("sessions"),
    )


def test_every_page_of_every_session_is_timed(two_sessions: dict) -> None:
    assert two_sessions["page_times"] == 2 * len(TOUR)
    assert set(two_sessions["pages"]) == {path for path, _ in TOUR}
    for key in ("p50_ms", "p95_ms", "max_ms"):
        value = two_sessions[key]
        assert isinstance(value, float) and math.isfinite(value) and value > 0, key
    assert two_sessions["p50_ms"] <= two_sessions["p95_ms"] <= two_sessions["max_ms"]
    for path, times in two_sessions["pages"].items():
        assert times["n"] == 2, path
    assert len(two_sessions["warm_up_ms"]) == 2  # one first visit per instance
    assert set(two_sessions["tours"]) == {"1"}
    cpu = two_sessions["cpu_s"]
    assert set(cpu) == {"instances", "nginx", "browser"}
    assert cpu["instances"] > 0 and cpu["browser"] > 0  # both worked, and were found
    assert two_sessions["tours"]["1"]["n"] == 2 * len(TOUR)


def test_each_session_stayed_on_one_instance(two_sessions: dict) -> None:
    for served in two_sessions["session_instances"]:
        assert len(served) == 1 and served[0] in ("instance-1", "instance-2"), served
    assert sum(two_sessions["spread"].values()) == 2


def test_the_table_and_the_markdown_name_every_page(two_sessions: dict) -> None:
    printed, written = table(two_sessions), markdown(two_sessions)
    for path, _ in TOUR:
        assert any(line.startswith(f"{path} ") for line in printed.splitlines()), path
        assert f"| {path} |" in written, path
    assert "**every page**" in written and "load average" in written
