"""A clinician's route through the new views (issue 14), on each built-in data set, in
headless Chromium: from the Overview, one click to the League table and its named bar chart
(the indicator's definition one click away there), a bar, then "Profile of …" to that
practice's profile with its spine chart and its notes, and the definitions one click away.
Screenshots: journey-<data set>-league, -profile and -definition (look at them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from netcompare.data.builtin import builtin_datasets
from netcompare.data.load import load_dataset
from tests.browser.conftest import check_accessibility, rerun, settle, wait_for_app
from tests.browser.test_app_browser import assert_no_error

pytestmark = pytest.mark.browser

BARS = '[data-testid="stVegaLiteChart"][aria-label^="Bar chart of"]'
CHART = '[data-testid="stVegaLiteChart"]'
KEYS = [d.key for d in builtin_datasets()]


def _network_with_practices(key: str) -> str:
    """A network of the data set with at least three practices (the first such, by id)."""
    [path] = [d.path for d in builtin_datasets() if d.key == key]
    practices = load_dataset(path).practices
    sizes = practices.group_by("network_id").len().filter(pl.col("len") >= 3)
    return sorted(sizes.get_column("network_id").to_list())[0]


@pytest.mark.parametrize("key", KEYS)
def test_overview_to_bar_chart_to_profile_definition_and_notes(
    app_url: str, page: Page, screenshot: Callable[[Page, str], Path], key: str
) -> None:
    network = _network_with_practices(key)
    page.goto(f"{app_url}/?data={key}&network={network}")
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    assert_no_error(page)

    # Click 1: the League table, with its named bar chart.
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name="League table"
        ).click()
    page.wait_for_selector("h1:has-text('League table')", timeout=60_000)
    page.locator(BARS).locator("svg.marks").wait_for(timeout=60_000)
    settle(page)
    assert_no_error(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name="Definition")).to_be_visible()
    screenshot(page, f"journey-{key}-league")

    # Click 2: a bar of the chosen network's practices (marked ◆).
    bar = page.locator(f'{BARS} g.mark-rect path[aria-label*="bar_label: ◆ "]').first
    expect(bar).to_have_count(1)
    with rerun(page):
        bar.dispatch_event("click")
    button = main.get_by_role("button", name="Profile of ")
    expect(button).to_be_visible()
    # The button's text is its icon's name, then the label.
    name = button.inner_text().split("Profile of ", 1)[1].strip()

    # Click 3: the practice's profile, its spine chart and its notes.
    with rerun(page):
        button.click()
    page.wait_for_selector("h1:has-text('Practice profile')", timeout=60_000)
    wait_for_app(page)
    page.locator(CHART).first.locator("svg.marks, canvas").first.wait_for(timeout=60_000)
    settle(page)
    assert_no_error(page)
    assert page.locator("h1").first.inner_text().replace("\u2060", "").endswith(name)
    expect(main.get_by_role("heading", name="Notes and open questions")).to_be_visible()
    check_accessibility(page, f"Practice profile ({key})")
    screenshot(page, f"journey-{key}-profile")

    # One more: the definition of an indicator shown, from the profile.
    main.get_by_role("button", name="Definitions").click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    expect(popover.get_by_text("Numerator", exact=True)).to_be_visible()
    expect(popover.get_by_text("Denominator", exact=True)).to_be_visible()
    expect(popover.get_by_text("Licence", exact=True)).to_be_visible()
    settle(page)
    screenshot(page, f"journey-{key}-definition")
