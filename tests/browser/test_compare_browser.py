"""Compare practices (League table page) and Compare two indicators (Overview) in headless
Chromium: the network changed first, then the bar chart and the scatter draw, clicking a bar
or a point offers that practice's profile, and presentation mode at 1366×768 keeps every
bar's label at 16 px or more. Screenshots: compare-practices, compare-indicators and
compare-practices-presentation (look at them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    SCREENSHOTS_KEY,
    check_accessibility,
    rerun,
    settle,
    wait_for_app,
)
from tests.browser.test_app_browser import choose

pytestmark = pytest.mark.browser

NETWORK = "Limekiln Fields"  # N1
PRACTICE = "Maltings Practice"  # P002, in Limekiln Fields
BARS = '[data-testid="stVegaLiteChart"][aria-label^="Bar chart of"]'
SCATTER = '[data-testid="stVegaLiteChart"][aria-label^="Scatter plot of"]'
PROJECTOR = {"width": 1366, "height": 768}


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    return request.config.stash[SCREENSHOTS_KEY]


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)


def chart_shot(page: Page, selector: str, path: Path) -> None:
    """The whole chart in one picture: a window tall enough for it (Streamlit scrolls
    inside its own container), then back to the size it had."""
    size = page.viewport_size or {"width": 1500, "height": 1000}
    height = int(page.locator(selector).bounding_box()["height"]) + 400
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    settle(page)
    page.locator(selector).screenshot(path=str(path))
    page.set_viewport_size(size)
    settle(page)


def drawn_texts(page: Page, selector: str) -> list[dict]:
    return page.locator(selector).evaluate(
        """chart => [...chart.querySelectorAll('svg.marks text')]
            .filter(t => t.textContent.trim() !== '')
            .map(t => ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize)}))"""
    )


def click_mark(page: Page, selector: str, mark: str, label: str) -> None:
    target = page.locator(f'{selector} g.{mark} path[aria-label*="{label}"]')
    expect(target).to_have_count(1)
    with rerun(page):
        target.dispatch_event("click")


def test_compare_practices_draws_and_a_bar_opens_the_profile_button(
    app_url: str, page: Page, screenshot: Callable[[Page, str], Path], shots: Path
):
    open_app(page, f"{app_url}/league")
    choose(page, "Network", NETWORK)
    page.locator(BARS).locator("svg.marks").wait_for(timeout=60_000)
    settle(page)
    label = page.locator(BARS).get_attribute("aria-label") or ""
    assert label.startswith("Bar chart of 36 practices on MMR1 by 24 months")
    assert f"of them in {NETWORK}" in label
    texts = {t["text"] for t in drawn_texts(page, BARS)}
    assert f"◆ {PRACTICE}" in texts  # the network's practices marked on the axis
    assert any(t.startswith(("✔ ", "▲ ", "✖ ")) for t in texts)  # RAG symbols at the ends
    check_accessibility(page, "League table with the Compare practices chart")
    chart_shot(page, BARS, shots / "compare-practices.png")

    click_mark(page, BARS, "mark-rect", f"bar_label: ◆ {PRACTICE};")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name=PRACTICE)).to_be_visible()
    expect(main.get_by_role("button", name=f"Profile of {PRACTICE}")).to_be_visible()
    screenshot(page, "compare-practices-picked")

    # By name, only the network's practices: five bars, in name order.
    with rerun(page):
        main.get_by_text("By name", exact=True).click()
    with rerun(page):
        main.get_by_text("Bars: only my network's practices", exact=True).click()
    page.locator(BARS).locator("svg.marks").wait_for(timeout=60_000)
    settle(page)
    label = page.locator(BARS).get_attribute("aria-label") or ""
    assert label.startswith("Bar chart of 5 practices")


def test_compare_indicators_draws_the_scatter_and_a_point_opens_the_profile_button(
    app_url: str, page: Page, shots: Path
):
    open_app(page, f"{app_url}/")
    choose(page, "Network", NETWORK)
    page.locator(SCATTER).locator("svg.marks").wait_for(timeout=60_000)
    settle(page)
    label = page.locator(SCATTER).get_attribute("aria-label") or ""
    assert label.startswith("Scatter plot of 36 practices")
    assert "Pearson's r = " in label and "n = 36" in label
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Over the 36 practices", exact=False)).to_be_visible()
    assert PRACTICE in {t["text"] for t in drawn_texts(page, SCATTER)}
    check_accessibility(page, "Overview with the Compare two indicators scatter")
    chart_shot(page, SCATTER, shots / "compare-indicators.png")

    click_mark(page, SCATTER, "mark-symbol", f"{PRACTICE}: ")
    expect(main.get_by_role("button", name=f"Profile of {PRACTICE}")).to_be_visible()


def test_compare_practices_reads_from_the_back_of_the_room(
    app_url: str, new_page: Callable[[], Page], shots: Path
):
    page = new_page()
    page.set_viewport_size(PROJECTOR)
    open_app(page, f"{app_url}/league?present=true&network=N1")
    page.locator(BARS).locator("svg.marks").wait_for(timeout=60_000)
    settle(page)
    texts = drawn_texts(page, BARS)
    small = sorted({(t["px"], t["text"]) for t in texts if t["px"] < 16})
    assert not small, small[:10]
    assert not [t["text"] for t in texts if t["text"].endswith("…")]
    # Every practice's name is drawn (36 bars, none left out for lack of room).
    names = [t["text"] for t in texts if t["text"].endswith(("Practice", "Centre", "Surgery"))]
    assert len(set(names)) >= 35
    overflow = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return main.scrollWidth - main.clientWidth;
        }"""
    )
    assert overflow <= 0
    check_accessibility(page, "Compare practices in presentation mode at 1366×768")
    page.screenshot(path=str(shots / "compare-practices-presentation-screen.png"))
    chart_shot(page, BARS, shots / "compare-practices-presentation.png")
