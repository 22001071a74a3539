"""The learning-set loop (issue 15) as a network lead lives it, in headless Chromium on the
sample data: at the meeting (the period filter set to an earlier month first) the lead adds an
action for a practice and an indicator with the date the change starts; months later (the
period moved on), the practice's Trends page draws the change on the trend and SPC charts,
with its label, and says whether it worked; one click rebases the SPC chart at the change.

Every page is checked with axe-core. Screenshots (look at them): loop-meeting (the Peer notes
page with the new action), loop-trends and loop-rebased (the Trends page before and after the
rebase), at 1920×1080; at 1366×768 in presentation mode loop-projector-trends-top (the
controls), -trends (the SPC chart with its rule and label), -verdict, -works ("what works
here" on the Peer notes page) and -actions (the open actions).

The loop closes in the meeting pack: on the Networks page the lead picks the indicators (the
defaults cleared, MMR1 and one more picked), makes the pack and downloads the PDF and the HTML;
both show the network, the action from the last meeting with its owner, status and "did it
work?" verdict, and only the indicators picked (loop-projector-pack: the section with its
downloads at 1366×768 in presentation mode).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import (
    PAGES_KEY,
    check_accessibility,
    rerun,
    serve_app,
    settle,
    wait_for_app,
)
from tests.browser.test_app_browser import assert_no_error

pytestmark = pytest.mark.browser

NETWORK = "Limekiln Fields"  # N1
PRACTICE = "Gasholder Medical Centre"  # P003
INDICATOR = "MMR1 by 24 months"
MEETING = "Jan 2026"  # the period shown at the meeting
STARTED = "05/01/2026"  # the change starts that month
NEXT = "Sep 2026"  # the period months later
BODY = "Recall change: the coordinator phones every family overdue for MMR1 each Friday"
OWNER = "Practice manager, Gasholder"
AUTHOR = "Dr Rahman, network lead"
WIDE = {"width": 1920, "height": 1080}
PROJECTOR = {"width": 1366, "height": 768}
SPC = '[data-testid="stVegaLiteChart"]'


@pytest.fixture(scope="module")
def loop_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a notes database of its own (the action added here is in no other test)."""
    db = tmp_path_factory.mktemp("loop-notes") / "notes.db"
    log = tmp_path_factory.mktemp("loop-server") / "streamlit.log"
    with serve_app(db, log) as url:
        yield url


def window(browser: Browser, request: pytest.FixtureRequest, size: dict[str, int]) -> Page:
    context = browser.new_context(viewport=size)
    page = context.new_page()
    request.node.stash.setdefault(PAGES_KEY, []).append(page)  # photographed if the test fails
    return page


def choose(select: Locator, option: str) -> None:
    """Pick an option in a Streamlit selectbox: type to narrow the list, click the option."""
    select.click()
    select.page.keyboard.type(option.split(" (")[0])
    with rerun(select.page):
        select.page.get_by_role("option", name=option, exact=True).click()


def sidebar_select(page: Page, label: str) -> Locator:
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label
    )


def type_date(form: Locator, label: str, value: str) -> None:
    """Type a date (DD/MM/YYYY) into a Streamlit date field: its day, month and year parts
    are spin buttons, each moving on to the next when full."""
    form.get_by_role("spinbutton", name=f"day, {label}").click()
    form.page.keyboard.type(value.replace("/", ""))
    expect(form.get_by_role("spinbutton", name=f"year, {label}")).to_have_text(value[-4:])


def open_page(page: Page, link: str) -> None:
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=link).click()
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    assert_no_error(page)


def top_screenshot(screenshot: Callable[[Page, str], Path], page: Page, name: str) -> Path:
    """One screen, from the top of the page (Streamlit scrolls inside its own container)."""
    page.locator('[data-testid="stMain"]').evaluate("el => el.scrollTo(0, 0)")
    settle(page)
    return screenshot(page, name)


def scroll_to(target: Locator) -> None:
    """Scroll the page so that ``target`` is at the top of the window, below Streamlit's
    header bar, and wait for the layout to settle."""
    target.evaluate(
        """el => {
            el.scrollIntoView({block: 'start'});
            document.querySelector('[data-testid="stMain"]').scrollBy(0, -90);
        }"""
    )
    settle(target.page)


def spc_chart(page: Page) -> Locator:
    return page.locator(SPC).filter(has=page.locator("svg.marks")).nth(1)


def test_an_action_from_the_meeting_is_on_next_months_trend_with_its_verdict(
    loop_url: str,
    browser: Browser,
    request: pytest.FixtureRequest,
    screenshot: Callable[[Page, str], Path],
) -> None:
    page = window(browser, request, WIDE)
    page.goto(loop_url)
    wait_for_app(page)

    # -- the meeting: network, practice, indicator, and the period of the meeting first ------
    choose(sidebar_select(page, "Network"), NETWORK)
    choose(sidebar_select(page, "Period"), MEETING)
    choose(sidebar_select(page, "Practice"), f"{PRACTICE} (P003)")
    open_page(page, "Peer notes")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name=f"0 open actions · {NETWORK}")).to_be_visible()
    main.get_by_text("Add an action", exact=True).click()
    form = main.locator('[data-testid="stForm"]').filter(has_text="What will be done")
    form.get_by_label("What will be done").fill(BODY)
    form.get_by_label("Owner").fill(OWNER)
    type_date(form, "Due by", "27/02/2026")
    practices = form.locator('[data-testid="stMultiSelect"]')
    practices.click()
    page.keyboard.type(PRACTICE)
    page.get_by_role("option", name=PRACTICE, exact=True).click()
    page.keyboard.press("Escape")
    expect(form.get_by_role("combobox", name="Indicator")).to_have_value(INDICATOR)
    type_date(form, "Change started on (optional)", STARTED)
    form.get_by_label("Your name and role").fill(AUTHOR)
    with rerun(page):
        form.get_by_role("button", name="Save action").click()
    expect(main.get_by_text(f"Saved: action for {OWNER}, due 27 Feb 2026.")).to_be_visible()
    expect(
        main.get_by_role("heading", name=f"1 open action, 1 overdue · {NETWORK}")
    ).to_be_visible()
    # in the list of actions with its controls, and in All notes
    expect(main.locator('[data-testid="stText"]').filter(has_text=BODY)).to_have_count(2)
    expect(main.get_by_role("button", name="Done")).to_be_visible()
    assert_no_error(page)
    check_accessibility(page, "Peer notes, the action added")
    scroll_to(main.get_by_role("heading", name="Actions"))
    screenshot(page, "loop-meeting")

    # -- months later: the period moved on, the practice's trend -----------------------------
    choose(sidebar_select(page, "Period"), NEXT)
    open_page(page, "Trends")
    expect(main.get_by_role("heading", name=f"Trends: {INDICATOR}")).to_be_visible()
    spc = spc_chart(page)
    spc.locator("svg.marks text").first.wait_for(timeout=60_000)
    settle(page)
    # the rule and its label on both charts (Vega draws the label as SVG text)
    for chart in (page.locator(SPC).nth(0), spc):
        label = chart.locator("svg.marks text").filter(has_text="Recall change")
        expect(label.first).to_be_visible()
    expect(main.get_by_role("heading", name="Did it work?")).to_be_visible()
    verdict = main.get_by_text(re.compile("^Since “Recall change")).first
    expect(verdict).to_be_visible()
    words = verdict.inner_text()
    assert "Jan 2026" in words, words
    check_accessibility(page, "Trends with an intervention")
    scroll_to(spc)
    screenshot(page, "loop-trends")

    # -- one click: new limits from the change ---------------------------------------------
    rebase_box = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Rebase at")
    expect(rebase_box).not_to_contain_text(MEETING)
    with rerun(page):
        main.get_by_role("button", name=f"Rebase at {MEETING}").click()
    wait_for_app(page)
    expect(rebase_box).to_contain_text(MEETING)
    expect(main.get_by_role("button", name=f"Rebase at {MEETING}")).to_be_disabled()
    assert "rebase=2026-01-01" in page.url
    assert_no_error(page)
    check_accessibility(page, "Trends rebased at the intervention")
    scroll_to(spc)
    screenshot(page, "loop-rebased")

    # -- the same on a projector, in presentation mode -------------------------------------
    link = page.url.replace("/trends?", "/trends?present=true&")
    projector = window(browser, request, PROJECTOR)
    projector.goto(link)
    projector.wait_for_selector("h1", timeout=60_000)
    wait_for_app(projector)
    spc_chart(projector).locator("svg.marks text").first.wait_for(timeout=60_000)
    settle(projector)
    assert_no_error(projector)
    assert projector.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    check_accessibility(projector, "Trends in presentation mode")
    top_screenshot(screenshot, projector, "loop-projector-trends-top")
    scroll_to(spc_chart(projector))
    screenshot(projector, "loop-projector-trends")
    scroll_to(projector.get_by_role("heading", name="Did it work?"))
    screenshot(projector, "loop-projector-verdict")

    notes_link = link.replace("/trends?", "/notes?")
    projector.goto(notes_link)
    projector.wait_for_selector("h1", timeout=60_000)
    wait_for_app(projector)
    assert_no_error(projector)
    check_accessibility(projector, "Peer notes in presentation mode")
    # months later the change shows special cause improvement: "what works here"
    works = projector.get_by_role("heading", name="What works here")
    expect(works).to_be_visible()
    worked = projector.locator('[data-testid="stMain"]').get_by_text(
        re.compile("Since “Recall change.*special cause improvement$")
    )
    expect(worked.first).to_be_visible()
    scroll_to(works)
    screenshot(projector, "loop-projector-works")
    scroll_to(projector.get_by_role("heading", name=f"1 open action, 1 overdue · {NETWORK}"))
    screenshot(projector, "loop-projector-actions")
    # the compact table fits the projector's width: no column cut off on the right
    grid = projector.locator('[data-testid="stDataFrame"]').filter(has_text="Status").first
    box = grid.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PROJECTOR["width"]
    expect(grid.locator('table[role="grid"] thead th').filter(has_text="Practices")).to_have_count(
        1
    )

    # -- next month's meeting pack: the lead picks indicators and downloads it ---------------
    networks_link = link.replace("/trends?", "/networks?")
    projector.goto(networks_link)
    projector.wait_for_selector("h1", timeout=60_000)
    wait_for_app(projector)
    assert_no_error(projector)
    pack = projector.locator('[data-testid="stMain"]')
    heading = pack.get_by_role("heading", name="Meeting pack")
    scroll_to(heading)
    picks = pack.locator('[data-testid="stMultiSelect"]').filter(has_text="Indicators in the pack")
    # clear the defaults, then pick MMR1 and the diabetes care plans
    clear = picks.get_by_role("button", name=re.compile("^Clear all"))
    if clear.count():
        with rerun(projector):
            clear.first.click()
    for name in (INDICATOR, "Diabetes care plan"):
        picks.click()
        projector.keyboard.type(name)
        option = projector.get_by_role("option", name=re.compile("^" + re.escape(name)))
        with rerun(projector):
            option.first.click()
        projector.keyboard.press("Escape")
    chosen = picks.inner_text()
    assert INDICATOR in chosen and "Diabetes care plan" in chosen, chosen
    with rerun(projector, timeout=120_000):
        pack.get_by_role("button", name="Make the meeting pack").click()
    download_pdf = pack.get_by_role("button", name="Download the PDF (A4)")
    download_pdf.wait_for(timeout=120_000)
    assert_no_error(projector)
    check_accessibility(projector, "Networks page, the meeting pack made")
    scroll_to(heading)
    screenshot(projector, "loop-projector-pack")
    with projector.expect_download() as got_pdf:
        download_pdf.click()
    with projector.expect_download() as got_html:
        pack.get_by_role("button", name="Download the HTML file (opens offline)").click()
    assert got_pdf.value.suggested_filename == "meeting-pack-N1-2026-09.pdf"
    pdf_file = Path(got_pdf.value.path())
    assert pdf_file.read_bytes()[:5] == b"%PDF-"
    text = re.sub(
        r"\s+",
        " ",
        subprocess.run(
            ["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )
    page_html = Path(got_html.value.path()).read_text(encoding="utf-8")
    flat_html = re.sub(r"\s+", " ", page_html)
    for shown in (text, flat_html):
        assert f"Meeting pack: {NETWORK}" in shown
        assert "MMR1 by 24 months" in shown and "Diabetes care plan" in shown
        actions = shown[shown.rindex("Actions") :]
        assert "Recall change: the coordinator" in actions  # the action from the last meeting
        assert re.search("Open —.{0,60}overdue", actions), actions  # its status (wraps)
        assert "9 points above the mean" in actions, actions
        assert "special cause improvement" in actions  # and whether it worked
    # in the HTML the table cells are whole: the owner and the verdict words as written
    assert OWNER in flat_html
    assert "Since “Recall change: the coordinator…” in Jan 2026" in flat_html
