"""The timed library steps, run in their own process: ``python -m bench.core_steps DATA OUT``.

Each step is timed ``repeats`` times after one warm-up call and reported as the median in
milliseconds. Where a step can be asked about different things (an indicator, a network, a
practice), the repeats go round several of them, so the median is not one lucky case. The
process's peak resident memory is reported with the results: it holds the loaded England-scale
data set and everything the steps compute, but not the generator.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from bench.timing import Samples, median, peak_rss_mb, repeat_ms
from netcompare.data.builtin import builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.indicator import Indicator
from netcompare.data.load import load_dataset
from netcompare.stats.compare import compare_units
from netcompare.stats.funnel import funnel_limits
from netcompare.stats.ranks import rank_intervals
from netcompare.stats.spc import spc_chart
from netcompare.views.common import ViewOptions
from netcompare.views.league import league_table
from netcompare.views.rag import rag_grid
from netcompare.views.trends import IMPROVEMENT

# The real data for funnel_6378: every practice in England, QOF 2022-23 diabetes register
# over the 17+ list size (PREVALENCE_2223.csv, GROUP_CODE DM).
ENGLAND_DATASET = "england-prevalence-2223"
DIABETES = "PREV_DM"
RANK_DRAWS = 1000


def _spread(items: list, count: int) -> list:
    """``count`` items spread evenly over ``items`` (all of them if there are fewer)."""
    if len(items) <= count:
        return list(items)
    return [items[(k * len(items)) // count] for k in range(count)]


def _rotating(cases: list, step: Callable) -> Callable[[], object]:
    """A no-argument call that runs ``step`` on the next case each time."""
    cycle = itertools.cycle(cases)
    return lambda: step(next(cycle))


def reference_workload() -> float:
    """A fixed amount of CPU work (numpy sort and a Python loop), to gauge the machine.

    On a shared machine the same code runs up to twice as slowly at busy moments: timed at
    the start and the end of the run, this says how fast the machine was meanwhile.
    """
    values = np.random.default_rng(0).random(1_000_000)
    total = 0
    for k in range(300_000):
        total += k
    return float(np.sort(values)[0]) + total


def run_steps(folder: Path, repeats: int) -> dict[str, object]:
    """Time every library step on the data set in ``folder``; medians in ms, peak RSS in MB."""
    results: dict[str, object] = {}
    times: dict[str, Samples] = {}
    reference_before = median(repeat_ms(reference_workload, 5).wall)

    times["load"] = repeat_ms(lambda: load_dataset(folder), repeats)
    data = load_dataset(folder)
    indicator_ids = data.indicators.get_column("indicator_id").to_list()
    indicators = _spread(indicator_ids, repeats + 1)
    network_ids = data.networks.get_column("network_id").to_list()
    networks = _spread(network_ids, repeats + 1)

    def one_slice(indicator_id: str) -> tuple[pl.DataFrame, Indicator]:
        return data.slice(indicator_id, data.periods(indicator_id)[-1]), data.indicator(
            indicator_id
        )

    slices = [one_slice(i) for i in indicators]

    def compare(case: tuple[pl.DataFrame, Indicator]) -> object:
        values, indicator = case
        return compare_units(
            values.select(pl.col("practice_id").alias("unit"), "numerator", "denominator"),
            method="arcsine-od",
            polarity=indicator.polarity,
            target=indicator.target,
            amber=indicator.amber_threshold,
            ranks=False,
        )

    times["compare"] = repeat_ms(_rotating(slices, compare), repeats)

    counts = [
        (
            v.get_column("numerator").to_numpy(),
            v.get_column("denominator").to_numpy(),
            ind.polarity,
        )
        for v, ind in slices
    ]
    times["compare_ranks"] = repeat_ms(
        _rotating(counts, lambda c: rank_intervals(c[0], c[1], c[2], seed=1, draws=RANK_DRAWS)),
        repeats,
    )

    england = load_dataset(builtin_path(ENGLAND_DATASET))
    diabetes = england.slice(DIABETES, england.periods(DIABETES)[-1])

    def funnel() -> object:
        return funnel_limits(
            diabetes.get_column("numerator").to_numpy(),
            diabetes.get_column("denominator").to_numpy(),
            method="arcsine-od",
        )

    times["funnel_6378"] = repeat_ms(funnel, repeats * 10)
    summary = funnel().summary
    results["funnel_6378_check"] = {
        "practices": diabetes.height,
        "pooled": summary.benchmark,
        "phi": summary.phi,
        "tau2": summary.tau2,
    }
    del england

    period = data.latest_period
    first = indicator_ids[0]
    times["league"] = repeat_ms(
        _rotating(
            networks,
            lambda n: league_table(data, first, data.periods(first)[-1], ViewOptions(network_id=n)),
        ),
        repeats,
    )
    times["rag_grid_network"] = repeat_ms(
        _rotating(networks, lambda n: rag_grid(data, period, ViewOptions(network_id=n))),
        repeats,
    )
    times["rag_grid_all"] = repeat_ms(lambda: rag_grid(data, period, ViewOptions()), repeats)

    series = _practice_series(data, first, repeats + 1)
    improvement = IMPROVEMENT.get(data.indicator(first).polarity, "neutral")
    target = data.indicator(first).target
    times["spc"] = repeat_ms(
        _rotating(series, lambda s: spc_chart(s, improvement=improvement, target=target)),
        repeats * 10,
    )
    results["spc_points"] = series[0].height

    results["reference_ms"] = [reference_before, median(repeat_ms(reference_workload, 5).wall)]
    for step, samples in times.items():
        results[f"{step}_ms"] = median(samples.wall)
    results["samples_ms"] = {step: samples.wall for step, samples in times.items()}
    results["cpu_ms"] = {step: median(samples.cpu) for step, samples in times.items()}
    results["rows"] = data.values.height
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def _practice_series(data: DataSet, indicator_id: str, count: int) -> list[pl.DataFrame]:
    """Monthly series (date, value) of ``count`` practices for one indicator."""
    periods = data.periods(indicator_id)
    history = pl.concat([data.slice(indicator_id, p) for p in periods])
    practices = _spread(data.practices.get_column("practice_id").sort().to_list(), count)
    return [
        history.filter(pl.col("practice_id") == p)
        .select(
            pl.col("period").alias("date"),
            (pl.col("numerator") / pl.col("denominator")).alias("value"),
        )
        .sort("date")
        for p in practices
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the generated data set folder")
    parser.add_argument("out", type=Path, help="JSON file for the results")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    results = run_steps(args.data, args.repeats)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
