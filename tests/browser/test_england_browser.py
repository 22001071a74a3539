"""A new user on the England data set (6,378 practices), on a laptop and on a projector: every
page opens without an error, draws what it should, scrolls no further than the window and
passes axe-core; the pictures are saved to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import check_accessibility, wait_for_app
from tests.browser.test_app_browser import assert_no_error, wait_for_charts

pytestmark = pytest.mark.browser

ENGLAND = "england-prevalence-2223"
SIZES = {
    "laptop": ({"width": 1920, "height": 1080}, ""),
    "projector": ({"width": 1366, "height": 768}, "&present=true"),
}
PAGES = {"/": 1, "/league": 0, "/funnel": 1, "/trends": 0, "/networks": 2, "/notes": 0, "/data": 1}


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_on_england(
    app_url: str,
    new_page: Callable[[], Page],
    screenshot: Callable[[Page, str], Path],
    size: str,
) -> None:
    viewport, extra = SIZES[size]
    page = new_page()
    page.set_viewport_size(viewport)
    for path, charts in PAGES.items():
        page.goto(f"{app_url}{path}?data={ENGLAND}{extra}")
        page.wait_for_selector("h1", timeout=90_000)
        wait_for_app(page, timeout=90_000)
        assert_no_error(page)
        # England's first PCN, not the sample borough's network, is what the page shows.
        assert "Bow Common" not in page.locator("body").inner_text(), path
        if charts:
            assert wait_for_charts(page) >= charts, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, width)
        check_accessibility(page, f"{path} on England ({size})")
        screenshot(page, f"england-{size}-{path.strip('/') or 'overview'}")
