"""The view cache: one computation per (data set version, view arguments), never a frame key."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from streamlit.errors import StreamlitAPIException

from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.ui import views as cached
from netcompare.views import league
from netcompare.views.common import ViewOptions

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
INDICATOR = "IMM_MMR1"


@pytest.fixture(scope="module")
def sample() -> DataSet:
    return dataclasses.replace(load_dataset(str(SAMPLE)), version="v1")


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple]]:
    """Each time the league view is really computed (not read back from the cache)."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" warnings
    seen: list[tuple] = []
    compare = league.compare_practices

    def counting(data, indicator_id, period, options, **kw):
        seen.append((data.version, indicator_id, period, options))
        return compare(data, indicator_id, period, options, **kw)

    monkeypatch.setattr(league, "compare_practices", counting)
    cached.league_table.clear()
    yield seen
    cached.league_table.clear()


def test_a_rerun_reads_the_view_back(sample: DataSet, computations: list[tuple]) -> None:
    period = sample.latest_period
    first = cached.league_table(sample, INDICATOR, period, ViewOptions())
    again = cached.league_table(sample, INDICATOR, period, ViewOptions())
    assert len(computations) == 1
    direct = league.league_table(sample, INDICATOR, period, ViewOptions())
    assert again.table.equals(direct.table)
    assert first.table.equals(direct.table)
    assert again is not first  # a copy: changing it cannot change the cache


def test_each_argument_and_version_is_in_the_key(
    sample: DataSet, computations: list[tuple]
) -> None:
    period = sample.latest_period
    earlier = sample.periods(INDICATOR)[-2]
    cached.league_table(sample, INDICATOR, period, ViewOptions())
    cached.league_table(sample, INDICATOR, earlier, ViewOptions())
    cached.league_table(sample, INDICATOR, period, ViewOptions(network_id="N1"))
    cached.league_table(sample, INDICATOR, period, ViewOptions(net_of_exceptions=True))
    cached.league_table(sample, "DM_CAREPLAN", period, ViewOptions())
    cached.league_table(sample, INDICATOR, period, ViewOptions(), method="wilson")
    edited = dataclasses.replace(sample, version="v2")
    cached.league_table(edited, INDICATOR, period, ViewOptions())
    assert len(computations) == 7
    assert computations[-1][0] == "v2"


def test_a_polars_frame_is_never_a_cache_key(sample: DataSet) -> None:
    with pytest.raises(StreamlitAPIException, match="polars frame was passed"):
        cached.overview_view(pl.DataFrame({"a": [1]}), sample.latest_period, ViewOptions())


def test_every_view_cache_is_bounded() -> None:
    views = [v for v in vars(cached).values() if hasattr(v, "_info")]
    assert len(views) >= 8
    assert all(v._info.max_entries == cached.MAX_ENTRIES for v in views)
