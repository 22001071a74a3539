"""`python -m netcompare bench` runs at a tiny size and reports every number (issue 8).

Results, not timings: the benchmark's speed is what it reports, never what a test asserts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from netcompare.cli import main

KEYS = {
    "load_ms",
    "compare_ms",
    "compare_ranks_ms",
    "funnel_6378_ms",
    "league_ms",
    "rag_grid_network_ms",
    "rag_grid_all_ms",
    "spc_ms",
    "app_first_ms",
    "app_rerun_ms",
    "app_cold_ms",
    "app_warm_ms",
    "peak_rss_mb",
}
PAGES = {
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
    "pages/data.py",
}
TINY = ["--practices", "30", "--networks", "6", "--indicators", "3", "--months", "13"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str, Path]:
    out = tmp_path_factory.mktemp("bench")
    report = out / "results.json"
    markdown = out / "RESULTS.md"
    with pytest.MonkeyPatch.context() as mp:
        printed: list[str] = []  # what goes to stdout (progress goes to stderr)

        def record(*args: object, **kwargs: object) -> None:
            if kwargs.get("file") is None:
                printed.append(" ".join(map(str, args)))

        mp.setattr("builtins.print", record)
        code = main(
            [
                "bench",
                *TINY,
                "--repeats",
                "2",
                "--app-rounds",
                "1",
                "--json",
                str(report),
                "--markdown",
                str(markdown),
            ]
        )
    return code, json.loads(report.read_text()), "\n".join(printed), markdown


def test_json_has_exactly_the_keys_as_numbers(tiny_run):
    code, results, _, _ = tiny_run
    assert code == 0
    numbers = {key: value for key, value in results.items() if key != "app_pages"}
    assert set(numbers) == KEYS
    for key, value in numbers.items():
        assert isinstance(value, float) and math.isfinite(value) and value > 0, key
    assert results["app_rerun_ms"] == results["app_cold_ms"]  # the old name of the same runs


def test_json_has_each_pages_first_cold_and_warm_run(tiny_run):
    _, results, _, _ = tiny_run
    pages = results["app_pages"]
    assert set(pages) == PAGES
    for page, times in pages.items():
        assert set(times) == {"first_ms", "cold_ms", "warm_ms"}, page
        for name, value in times.items():
            assert isinstance(value, float) and math.isfinite(value) and value > 0, (page, name)


def test_memory_is_of_a_real_python_process(tiny_run):
    _, numbers, _, _ = tiny_run
    # numpy, polars and streamlit imported: tens of MB at least, and far below a terabyte
    assert 30 < numbers["peak_rss_mb"] < 1_000_000


def test_table_lists_every_step_with_its_budget(tiny_run):
    _, numbers, printed, _ = tiny_run
    lines = printed.splitlines()
    assert lines[0].split() == ["step", "median", "budget", "result"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {k.removesuffix("_ms").removesuffix("_mb") for k in KEYS}
    assert rows["compare_ranks"].endswith(("OK", "OVER")) and "<= 200 ms" in rows["compare_ranks"]
    assert rows["app_first"].split()[-2:] == ["-", "-"]  # no budget for a first run
    assert rows["app_warm"].split()[-2:] == ["-", "-"]
    assert "<= 400 ms" in rows["app_cold"]
    assert rows["peak_rss"].split()[-3:-1] == ["1500", "MB"]
    ok = "OK" if numbers["spc_ms"] <= 5 else "OVER"
    assert rows["spc"].endswith(ok)


def test_markdown_names_the_machine_and_the_real_diabetes_data(tiny_run):
    _, _, _, markdown = tiny_run
    text = markdown.read_text()
    assert "| funnel_6378_ms |" in text
    assert "cores" in text and "polars" in text and "Python" in text
    assert "30 practices, 6 networks, 3 indicators, 13 months" in text


def test_markdown_has_a_line_per_page_with_its_cold_and_warm_run(tiny_run):
    _, _, _, markdown = tiny_run
    text = markdown.read_text()
    assert "| page | first run (new session) | cold (new indicator and period) |" in text
    for page in PAGES:
        cells = [c.strip() for c in text.split(f"| {page} |", 1)[1].splitlines()[0].split("|")]
        assert [c.endswith(" ms") for c in cells[:3]] == [True, True, True], page
    # 3 indicators: the 7 cold runs of one round cannot each have an indicator of their own
    assert "some cold runs reuse a view" in text


def test_bad_size_is_one_line_and_exit_2(capsys):
    assert main(["bench", "--months", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: --months must be at least 2 (the SPC step needs a series)"]


def test_missing_data_folder_is_a_user_error(tmp_path: Path, capsys):
    assert main(["bench", "--data", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
