"""Every view's frame has its declared schema, on the shipped sample data and on the tiny data
set of awkward cases (tests/app/tiny_datasets), both loaded as the app loads them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset
from netcompare.errors import UserError
from netcompare.views.common import ALL, LABEL_LETTERS, ViewOptions
from netcompare.views.data import COVERAGE_SCHEMA, PRACTICES_SCHEMA, dataset_view
from netcompare.views.funnel import GRID_SCHEMA, OUTLIERS_SCHEMA, POINTS_SCHEMA, funnel_view
from netcompare.views.league import LEAGUE_SCHEMA, league_table
from netcompare.views.networks import (
    INCENTIVE_SCHEMA,
    NETWORK_PRACTICES_SCHEMA,
    NETWORKS_SCHEMA,
    incentive_table,
    network_summary,
)
from netcompare.views.notes import (
    IMPROVED_SCHEMA,
    STANDOUT_SCHEMA,
    improvers_view,
    significantly_better,
)
from netcompare.views.rag import GRID_SCHEMA as RAG_GRID_SCHEMA
from netcompare.views.rag import TARGETS_MET_SCHEMA, overview_view
from netcompare.views.trends import LINES_SCHEMA, P_CHART_SCHEMA, SPC_P, SPC_SCHEMA, trend_view
from tests.app.tiny_datasets import load_tiny

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["sample", "tiny"])
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DataSet, str, dt.date, ViewOptions]:
    """A data set, an indicator with data, its latest period and a network's view."""
    if request.param == "sample":
        data = load_dataset(ROOT / "sample_data")
        return data, "IMM_MMR1", data.latest_period, ViewOptions(network_id="N1")
    data = load_tiny(tmp_path_factory.mktemp("tiny") / "tiny")
    return data, "ALPHA", data.latest_period, ViewOptions(network_id="T3")


OPTIONS = [
    lambda o: o,
    lambda o: ViewOptions(),
    lambda o: ViewOptions(network_id=o.network_id, net_of_exceptions=True, labels=LABEL_LETTERS),
]


@pytest.mark.parametrize("change", OPTIONS)
def test_league_schema(case, change) -> None:
    data, indicator, period, options = case
    for benchmark in ("all", "area", "network", "target"):
        league = league_table(data, indicator, period, change(options), benchmark=benchmark)
        assert league.table.schema == LEAGUE_SCHEMA
    mine = league_table(data, indicator, period, change(options), only_network=True)
    assert mine.table.schema == LEAGUE_SCHEMA


@pytest.mark.parametrize("change", OPTIONS)
def test_funnel_schemas(case, change) -> None:
    data, indicator, period, options = case
    for method in ("arcsine-od", "arcsine", "wilson"):
        funnel = funnel_view(data, indicator, period, change(options), method=method)
        assert funnel.points.schema == POINTS_SCHEMA
        assert funnel.grid.schema == GRID_SCHEMA
        assert funnel.outliers.schema == OUTLIERS_SCHEMA


@pytest.mark.parametrize("change", OPTIONS)
def test_overview_schemas(case, change) -> None:
    data, _, period, options = case
    for package in (ALL, data.indicators["care_package"][0]):
        overview = overview_view(data, period, change(options), care_package=package)
        assert overview.grid.schema == RAG_GRID_SCHEMA
        assert overview.targets_met.schema == TARGETS_MET_SCHEMA


@pytest.mark.parametrize("change", OPTIONS)
def test_networks_schemas(case, change) -> None:
    data, indicator, period, options = case
    summary = network_summary(data, indicator, period, change(options))
    assert summary.networks.schema == NETWORKS_SCHEMA
    assert summary.practices.schema == NETWORK_PRACTICES_SCHEMA
    assert summary.chart_networks.schema == NETWORKS_SCHEMA
    assert summary.chart_practices.schema == NETWORK_PRACTICES_SCHEMA
    for package in (ALL, "no such package"):
        incentives = incentive_table(data, period, change(options), care_package=package)
        assert incentives.table.schema == INCENTIVE_SCHEMA


@pytest.mark.parametrize("change", OPTIONS)
def test_trend_schemas(case, change) -> None:
    data, indicator, period, options = case
    practice = data.practices.filter(pl.col("network_id") == options.network_id)["practice_id"][0]
    shown = change(options)
    subjects = [practice] if shown.network_id == ALL else [practice, None]  # None: the network
    for practice_id in subjects:
        xmr = trend_view(data, indicator, shown, practice_id=practice_id, until=period)
        assert xmr.lines.schema == LINES_SCHEMA
        assert xmr.spc.schema == SPC_SCHEMA
    p = trend_view(data, indicator, change(options), practice_id=practice, chart=SPC_P)
    assert p.spc.schema == P_CHART_SCHEMA


@pytest.mark.parametrize("change", OPTIONS)
def test_notes_schemas(case, change) -> None:
    data, indicator, period, options = case
    assert significantly_better(data, indicator, period, change(options)).table.schema == (
        STANDOUT_SCHEMA
    )
    for when in (period, data.periods(indicator)[0]):  # the first period has no baseline
        table = improvers_view(data, indicator, when, change(options), top=None).table
        assert table.schema == IMPROVED_SCHEMA


def test_data_page_schemas(case) -> None:
    data, _, _, options = case
    shown = dataset_view(data, options)
    assert shown.practices.schema == PRACTICES_SCHEMA
    assert shown.coverage.schema == COVERAGE_SCHEMA
    assert shown.coverage["values"].sum() == data.values.height


def test_too_few_practices_is_a_user_error_not_a_wrong_schema(tmp_path: Path) -> None:
    data = load_tiny(tmp_path / "tiny")  # GAMMA: one practice in the latest month
    with pytest.raises(UserError):
        league_table(data, "GAMMA", data.latest_period, ViewOptions())
    with pytest.raises(UserError):
        funnel_view(data, "GAMMA", data.latest_period, ViewOptions())
