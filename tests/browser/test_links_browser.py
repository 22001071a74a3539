"""Links in the real app (issue 12): a drill-down from the RAG chart after a filter change
opens its page without an error and with the sidebar, the URL then carries codes (not
labels), and that URL opens the same view in a colleague's fresh browser."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, rerun, wait_for_app
from tests.browser.test_app_browser import (
    assert_no_error,
    choose,
    open_page,
    query,
    sidebar_choice,
    wait_for_charts,
)

pytestmark = pytest.mark.browser

NETWORK = "Limekiln Fields"  # N1
LIMEKILN = {
    "P001": "Pepper Street Medical Centre",
    "P002": "Maltings Practice",
    "P003": "Gasholder Medical Centre",
    "P004": "Bellfield Health Centre",
    "P005": "Brickfield Group Practice",
}
INDICATOR = "Diabetes care plan in 12 months"  # DM_CAREPLAN
JUMPS = [
    # button, URL path, title
    ("Funnel plot", "/funnel", f"Funnel plot: {INDICATOR}"),
    ("League table for this indicator", "/league", f"League table: {INDICATOR}"),
    ("Trend and SPC for this practice", "/trends", f"Trends: {INDICATOR}"),
]


def click_rag_cell(page: Page, practice: str, indicator: str) -> None:
    """Click one cell of the RAG chart (an SVG rect Vega labels with its row and indicator)."""
    cell = page.locator(
        f'[data-testid="stVegaLiteChart"] g.mark-rect path[aria-label*="row_label: {practice};"]'
        f'[aria-label*="Indicator: {indicator};"]'
    )
    expect(cell).to_have_count(1)
    with rerun(page):
        cell.dispatch_event("click")


def assert_sidebar_present(page: Page) -> None:
    side = page.locator('[data-testid="stSidebar"]')
    expect(side).to_be_visible()
    expect(side.get_by_role("combobox", name="Network")).to_be_visible()


@pytest.mark.parametrize(("button", "path", "title"), JUMPS, ids=[j[1] for j in JUMPS])
def test_a_drill_down_after_changing_the_network_opens_its_page_and_the_link_reproduces_it(
    app_url: str, page: Page, new_page: Callable[[], Page], button: str, path: str, title: str
):
    open_page(page, app_url + "/")
    # The filter first: the drill-down used to crash only after a change like this.
    choose(page, "Network", NETWORK)
    wait_for_charts(page)
    # The trends practice follows the network (it used to keep a Bow Common practice).
    assert re.fullmatch(r".+ \((P\d{3})\)", sidebar_choice(page, "Practice (trends)"))
    assert sidebar_choice(page, "Practice (trends)")[-5:-1] in LIMEKILN
    assert query(page)["network"] == ["N1"]

    click_rag_cell(page, "Maltings Practice", INDICATOR)
    jump = page.get_by_role("button", name=button, exact=True)
    expect(jump).to_be_visible()
    with rerun(page):
        jump.click()
    page.wait_for_url(re.compile(re.escape(path) + r"\?"))
    expect(page.locator("h1").first).to_have_text(title)
    assert_no_error(page)
    assert_sidebar_present(page)
    assert sidebar_choice(page, "Network") == NETWORK
    assert sidebar_choice(page, "Indicator") == INDICATOR
    assert sidebar_choice(page, "Period") == "Sep 2026"
    if path == "/trends":
        assert sidebar_choice(page, "Practice (trends)") == "Maltings Practice (P002)"
        wait_for_charts(page)
        expect(page.get_by_text("Maltings Practice: " + INDICATOR).first).to_be_attached()

    # The URL carries codes, not the labels the sidebar shows.
    params = query(page)
    assert params["data"] == ["sample"]
    assert params["network"] == ["N1"]
    assert params["indicator"] == ["DM_CAREPLAN"]
    assert params["period"] == ["2026-09"]
    if path == "/trends":
        assert params["practice"] == ["P002"]
    assert params["practice"][0] in LIMEKILN
    for label in (NETWORK, INDICATOR, "Sep 2026", "Riverbank"):
        assert label.split()[0] not in page.url

    # A colleague opens the link in a fresh browser: the same page and view.
    fresh = new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector("h1", timeout=60_000)
    wait_for_app(fresh)
    expect(fresh.locator("h1").first).to_have_text(title)
    assert_no_error(fresh)
    assert_sidebar_present(fresh)
    assert sidebar_choice(fresh, "Network") == NETWORK
    assert sidebar_choice(fresh, "Indicator") == INDICATOR
    assert sidebar_choice(fresh, "Period") == "Sep 2026"
    assert sidebar_choice(fresh, "Practice (trends)") == sidebar_choice(page, "Practice (trends)")
    assert fresh.locator('[data-testid="stAlert"]').filter(has_text="This link").count() == 0

    # Accessibility last, so that everything above is checked on every page even where axe
    # finds a critical problem of the page itself.
    check_accessibility(page, f"{path} after a drill-down")
    check_accessibility(fresh, f"{path} opened from a link")


def test_an_unknown_code_in_a_link_is_named_on_the_page(app_url: str, page: Page):
    open_page(page, app_url + "/league?network=N1&indicator=NO_SUCH")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="NO_SUCH")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("indicator")
    assert sidebar_choice(page, "Network") == NETWORK
    assert sidebar_choice(page, "Indicator") == "MMR1 by 24 months"
    assert_no_error(page)
    expect(page).to_have_url(re.compile(r"[?&]indicator=IMM_MMR1"))
