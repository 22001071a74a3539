"""The real app (`streamlit run app.py`) in headless Chromium: every page opens without an
error, a filter changed in the sidebar lands in the URL and that URL reproduces the view in a
fresh browser, presentation mode enlarges the page, the league table downloads as CSV.
Every page opened is checked with axe-core. Screenshots go to a temporary folder
(``scripts/refresh-screenshots`` puts them in docs/screenshots/ for the README)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from tests.app.tiny_datasets import write_tiny
from tests.browser.conftest import check_accessibility, no_rerun, rerun, wait_for_app

pytestmark = pytest.mark.browser

PAGES = [
    # URL path, title (h1) starts with, screenshot name
    ("/", "Overview: who meets the targets", "overview"),
    ("/league", "League table: MMR1 by 24 months", "league"),
    ("/funnel", "Funnel plot: MMR1 by 24 months", "funnel"),
    ("/trends", "Trends: MMR1 by 24 months", "trends"),
    ("/networks", "Networks: MMR1 by 24 months", "networks"),
    ("/notes", "Peer notes", None),
    ("/data", "Data", "data"),
]
CHART = '[data-testid="stVegaLiteChart"]'


Shoot = Callable[[Page, str], Path]


def open_page(page: Page, url: str) -> None:
    """Load ``url``, wait for the app's first run to end and check the page with axe-core."""
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page, timeout=60_000)
    check_accessibility(page, urlparse(url).path or "/")


def assert_no_error(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body


def wait_for_charts(page: Page) -> int:
    """Wait until the page's Vega charts have drawn (a canvas or svg inside each)."""
    page.wait_for_selector(CHART, timeout=60_000)
    charts = page.locator(CHART)
    n = charts.count()
    for i in range(n):
        charts.nth(i).locator("canvas, svg").first.wait_for(state="visible", timeout=30_000)
    return n


def sidebar_choice(page: Page, label: str) -> str:
    return (
        page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).input_value()
    )


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox as a user does: open it, click the option."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).click()
    with rerun(page):
        page.get_by_role("option", name=option, exact=True).click()


def switch(page: Page, label: str) -> None:
    """Flip a sidebar toggle by clicking its label, as a user does."""
    with rerun(page):
        page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


@pytest.mark.parametrize(("path", "title", "shot"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_opens_without_an_error(
    app_url: str, page: Page, screenshot: Shoot, path: str, title: str, shot: str | None
):
    open_page(page, app_url + path)
    assert page.locator("h1").first.inner_text().startswith(title)
    assert_no_error(page)
    # The shared filters are on every page.
    assert sidebar_choice(page, "Network") == "Bow Common"
    assert sidebar_choice(page, "Indicator") == "MMR1 by 24 months"
    # No "Deploy" button (Streamlit's cloud, an outside server) or developer menu on a laptop.
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    if path in ("/", "/funnel", "/trends", "/networks"):
        assert wait_for_charts(page) >= 1
    if shot:
        path_png = screenshot(page, shot)
        assert path_png.stat().st_size > 10_000


def test_a_filter_changed_in_the_sidebar_is_in_the_url_and_the_url_reproduces_the_view(
    app_url: str, page: Page, new_page: Callable[[], Page]
):
    open_page(page, app_url + "/")
    choose(page, "Network", "Canal Basin")
    choose(page, "Indicator", "Diabetic retinal screening attended")
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("League table").click()
    page.wait_for_url(re.compile(r"/league"))
    page.wait_for_selector("h1:has-text('League table')")
    expect(page).to_have_url(re.compile(r"[?&]network="))
    expect(page).to_have_url(re.compile(r"[?&]indicator="))
    check_accessibility(page, "/league after changing the filters")
    assert_no_error(page)
    params = query(page)
    assert params["network"] == ["N2"]  # codes, not labels (issue 12)
    assert params["indicator"] == ["DM_RETINAL"]
    link = page.url

    # A colleague opens the link in their own browser: the same view.
    fresh = new_page()
    open_page(fresh, link)
    assert fresh.locator("h1").first.inner_text() == (
        "League table: Diabetic retinal screening attended"
    )
    assert sidebar_choice(fresh, "Network") == "Canal Basin"
    assert sidebar_choice(fresh, "Indicator") == "Diabetic retinal screening attended"
    assert_no_error(fresh)


def test_switches_are_kept_in_the_url(app_url: str, page: Page, new_page: Callable[[], Page]):
    open_page(page, app_url + "/funnel")
    switch(page, "Anonymise practices")
    switch(page, "Net of exceptions")
    # The URL follows the switches (the browser's address, updated by the app's front end).
    expect(page).to_have_url(re.compile(r"[?&]anonymise=true"))
    expect(page).to_have_url(re.compile(r"[?&]net_exceptions=true"))
    params = query(page)
    assert params["anonymise"] == ["true"]
    assert params["net_exceptions"] == ["true"]
    fresh = new_page()
    open_page(fresh, page.url)
    side = fresh.locator('[data-testid="stSidebar"]')
    assert side.get_by_role("switch", name="Anonymise practices").is_checked()
    assert side.get_by_role("switch", name="Net of exceptions").is_checked()
    # Anonymised: the trends practice choice shows no names either.
    assert re.fullmatch(r"Practice [A-Z]+", sidebar_choice(fresh, "Practice (trends)"))
    assert_no_error(fresh)


def test_presentation_mode_enlarges_the_page(app_url: str, page: Page, screenshot: Shoot):
    open_page(page, app_url + "/")
    wait_for_charts(page)

    def h1_size() -> float:
        return float(page.locator("h1").first.evaluate("e => getComputedStyle(e).fontSize")[:-2])

    normal = h1_size()
    switch(page, "Presentation mode")
    page.wait_for_function(
        "n => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize) > n",
        arg=normal,
        timeout=10_000,
    )
    assert h1_size() >= 1.3 * normal
    assert query(page)["present"] == ["true"]
    wait_for_charts(page)
    assert_no_error(page)
    check_accessibility(page, "/ in presentation mode")
    assert screenshot(page, "overview-presentation").stat().st_size > 10_000


def test_league_table_downloads_as_csv(app_url: str, page: Page):
    open_page(page, app_url + "/league")
    # The download is the table as shown; the click does not rerun (nor fade) the page.
    with no_rerun(page), page.expect_download() as download:
        page.get_by_role("button", name="Download this table (CSV)").click()
    content = download.value.path().read_bytes()
    table = pl.read_csv(io.BytesIO(content))
    assert table.height == 36
    for column in (
        "rank",
        "rank_lower",
        "rank_upper",
        "label",
        "numerator",
        "denominator",
        "value",
        "ci95_lower",
        "ci95_upper",
        "rag",
        "comparison",
        "change",
    ):
        assert column in table.columns
    assert table["rank"].to_list() == sorted(table["rank"].to_list())
    assert download.value.suggested_filename == "league_IMM_MMR1_2026-09-01.csv"


def test_data_page_switches_to_another_folder(
    app_url: str, page: Page, tmp_path_factory: pytest.TempPathFactory
):
    folder = write_tiny(tmp_path_factory.mktemp("data") / "tiny")
    open_page(page, app_url + "/data")
    page.get_by_label("Folder or database URL").fill(str(folder))
    with rerun(page):
        page.get_by_role("button", name="Check and load", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(m => m.innerText.trim().split(/\\s+/).join(' ') === 'Practices 6')",
        timeout=30_000,
    )
    wait_for_app(page)
    assert_no_error(page)
    assert sidebar_choice(page, "Data set") == f"Loaded: {folder}"
    metrics = [m.inner_text().split() for m in page.locator('[data-testid="stMetric"]').all()]
    assert metrics == [
        ["Networks", "3"],
        ["Practices", "6"],
        ["Indicators", "4"],
        ["Periods", "6"],
        ["Values", "102"],
    ]
    check_accessibility(page, "/data with another folder loaded")
    # Every page now shows the loaded data set.
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("League table").click()
    page.wait_for_selector("h1:has-text('League table: Alpha screening')", timeout=30_000)
    assert_no_error(page)
    check_accessibility(page, "/league of another folder")
