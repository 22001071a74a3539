"""The built-in West Sussex immunisations data set in the app (issue 14.6): selectable by its
key, and every analysis page opens on it without an exception or a page-guard error."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.builtin import builtin_path
from netcompare.data.load import load_dataset
from tests.app.apptest_reading import no_exception
from tests.app.conftest import APP

KEY = "west-sussex-imms-1922"
PCN = "U60757"  # Bognor Coastal Alliance PCN: its three practices are listed under two PCNs
MMR1 = "IMM_24M_MMR1"
PAGES = {
    "pages/overview.py": "Overview: who meets the targets",
    "pages/league.py": "League table: MMR1 by 24 months",
    "pages/funnel.py": "Funnel plot: MMR1 by 24 months",
    "pages/trends.py": "Trends: MMR1 by 24 months",
    "pages/networks.py": "Networks: MMR1 by 24 months",
}


def west_sussex_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["data"] = KEY
    at.query_params["network"] = PCN
    at.query_params["indicator"] = MMR1
    at.run()
    no_exception(at)
    at.switch_page(page).run()
    no_exception(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_on_west_sussex(page: str) -> None:
    at = west_sussex_app(page)
    assert at.sidebar.selectbox(key="data").value == KEY
    assert at.sidebar.selectbox(key="indicator").value == MMR1
    assert at.sidebar.selectbox(key="network").value == PCN
    assert at.title[0].value == PAGES[page]


def test_league_table_names_the_pcn_practices_with_their_values() -> None:
    at = west_sussex_app("pages/league.py")
    data = load_dataset(builtin_path(KEY))
    latest = data.latest_period
    mine = data.practices.filter(pl.col("network_id") == PCN)
    expected = (
        data.slice(MMR1, latest)
        .join(mine, on="practice_id")
        .select("practice_name", (100 * pl.col("numerator") / pl.col("denominator")).alias("v"))
    )
    assert expected.height == 3
    table = pl.from_pandas(at.dataframe[0].value.drop(columns=["Last 12 periods"]))
    assert table.height == data.slice(MMR1, latest).height
    shown = table.filter(pl.col("Yours") == "◆")
    assert sorted(shown["Practice"]) == sorted(expected["practice_name"])
    for name, value in expected.rows():
        assert abs(shown.filter(pl.col("Practice") == name)["Value %"].item() - value) < 1e-9
