"""The practice profile in headless Chromium, as a clinician reaches it: Overview → League
table → click a practice's row → "Profile of …" → the spine chart of that practice. Then the
same profile in presentation mode on a 1366×768 projector. Screenshots "practice-profile" and
"practice-profile-presentation" go to the screenshot folder; look at them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, rerun, settle, wait_for_app
from tests.browser.test_notes_browser import grid_rows, open_page, tall_screenshot

pytestmark = pytest.mark.browser

PRACTICE = "Bellfield Health Centre"  # P004, in Limekiln Fields (not the default network)
CHART = '[data-testid="stVegaLiteChart"]'
PROJECTOR = {"width": 1366, "height": 768}
SPINE_TEXT = """() => {
    const chart = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .find(c => c.getAttribute('aria-label')?.startsWith('Spine chart of'));
    if (!chart) return null;
    const svg = chart.querySelector('svg.marks');
    if (!svg) return null;
    const frame = svg.getBoundingClientRect();
    return {
        label: chart.getAttribute('aria-label'),
        box: frame.toJSON(),
        symbols: svg.querySelectorAll('g.mark-symbol path').length,
        rects: svg.querySelectorAll('g.mark-rect path').length,
        texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '')
            .map(t => ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize),
                        box: t.getBoundingClientRect().toJSON()})),
    };
}"""


def spine(page: Page) -> dict:
    page.wait_for_function(f"({SPINE_TEXT})() !== null", timeout=60_000)
    settle(page)
    return page.evaluate(SPINE_TEXT)


def overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    """Pairs of chart texts whose glyphs overlap: their boxes overlap sideways, and their
    lines (each line's middle ± 0.4 of the font size, as a box holds the line's leading too)
    overlap up and down. Multi-line texts (the title) are measured line by line elsewhere."""
    lines = [t for t in texts if t["box"]["height"] < 2 * t["px"]]
    out = []
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            x = min(a["box"]["right"], b["box"]["right"]) - max(a["box"]["x"], b["box"]["x"])
            ya = (a["box"]["y"] + a["box"]["bottom"]) / 2
            yb = (b["box"]["y"] + b["box"]["bottom"]) / 2
            if x > 1 and abs(ya - yb) < 0.4 * (a["px"] + b["px"]):
                out.append((a["text"], b["text"]))
    return out


def test_overview_to_league_table_to_a_practices_profile(
    app_url: str, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    page.goto(app_url)
    wait_for_app(page)
    check_accessibility(page, "Overview")
    main = page.locator('[data-testid="stMain"]')

    open_page(page, "League table")
    expect(main.get_by_role("heading", name="League table: MMR1 by 24 months")).to_be_visible()
    rows = grid_rows(page, 0)
    mine = [row for row in rows if row["Practice"] == PRACTICE]
    assert len(mine) == 1, [row.get("Practice") for row in rows]
    # Select the row: click its row marker (the checkbox column left of the first column).
    canvas = page.locator('[data-testid="stDataFrame"]').first.locator("canvas").first
    box = canvas.bounding_box()
    assert box is not None
    header = canvas.locator("thead th").first.bounding_box() or {"height": 35}
    row_height = 35
    position = int(mine[0]["_index"]) - 2  # aria-rowindex 1 is the header row
    with rerun(page):
        page.mouse.click(
            box["x"] + 16, box["y"] + header["height"] + row_height * position + row_height / 2
        )
    button = main.get_by_role("button", name=f"Profile of {PRACTICE}")
    expect(button).to_be_visible()
    with rerun(page):
        button.click()
    page.wait_for_url(re.compile(r"/profile\?"))
    expect(page.locator("h1").first).to_have_text(f"Practice profile: {PRACTICE}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "practice=P004" in page.url and "network=all" in page.url

    drawn = spine(page)
    assert drawn["label"].startswith(f"Spine chart of {PRACTICE} on 16 indicators")
    # 16 rows: two bands each (32 rects), and a practice and a network marker per row.
    assert drawn["rects"] >= 32
    assert drawn["symbols"] >= 32
    words = {t["text"] for t in drawn["texts"]}
    assert {"Benchmark", "Worst / lowest", "Best / highest", "MMR1 by 24 months"} <= words
    assert not overlapping(drawn["texts"]), overlapping(drawn["texts"])[:5]
    expect(main.get_by_role("heading", name="Notes and open questions")).to_be_visible()
    expect(main.get_by_role("button", name="Data (CSV)")).to_be_visible()
    check_accessibility(page, "Practice profile")
    assert tall_screenshot(screenshot, page, "practice-profile", 2600).stat().st_size > 20_000

    # -- the same profile on a projector --------------------------------------------------------
    link = page.url + "&present=true"
    page.set_viewport_size(PROJECTOR)
    page.goto(link)
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text(f"Practice profile: {PRACTICE}")
    drawn = spine(page)
    small = sorted({(t["px"], t["text"]) for t in drawn["texts"] if t["px"] < 16})
    assert not small, small[:10]
    assert not overlapping(drawn["texts"]), overlapping(drawn["texts"])[:5]
    assert drawn["box"]["right"] <= PROJECTOR["width"]
    outside = [
        t["text"]
        for t in drawn["texts"]
        if t["box"]["x"] < drawn["box"]["x"] - 1 or t["box"]["right"] > drawn["box"]["right"] + 1
    ]
    assert not outside, outside[:5]
    check_accessibility(page, "Practice profile in presentation mode at 1366×768")
    page.locator('[data-testid="stMain"]').evaluate("el => el.scrollTo(0, 0)")
    settle(page)
    path = screenshot(page, "practice-profile-presentation")
    assert path.stat().st_size > 20_000
    page.set_viewport_size({"width": PROJECTOR["width"], "height": 3000})
    settle(page)
    page.locator(CHART).first.screenshot(
        path=str(path.with_name("practice-profile-presentation-chart.png"))
    )
