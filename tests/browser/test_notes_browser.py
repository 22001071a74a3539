"""Peer notes in headless Chromium: add a note through the real form on the Peer notes page,
then see it against that practice on the league table (its notes count, and the note itself
in the row's notes panel).

Streamlit draws ``st.dataframe`` on a canvas (glide-data-grid); the grid keeps an
accessibility table (``canvas table[role=grid]``, rows with ``aria-rowindex``) in the DOM for
the rows on screen, which is what is read here. Rows are selected by clicking the row-marker
column at the row's position on the canvas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from .conftest import check_accessibility, rerun, settle, wait_for_app

INDICATOR = "Diabetes care plan in 12 months"
PRACTICE = "Mariners Medical Centre"  # significantly better than all practices on it (sample)
NETWORK = "Canal Basin"
BODY = (
    "Care plans are agreed in the review appointment itself; the HCA books the follow-up "
    "before the patient leaves."
)
AUTHOR = "Diabetes nurse lead, Mariners"


def open_page(page: Page, link: str) -> None:
    with rerun(page):
        page.get_by_role("link", name=link).click()
    check_accessibility(page, link)


def choose(select: Locator, option: str) -> None:
    """Pick an option in a Streamlit selectbox (a BaseWeb select): type to narrow the
    (virtualised) list, then click the option."""
    select.click()
    select.page.keyboard.type(option.split(" · ")[0])
    with rerun(select.page):
        select.page.get_by_role("option", name=option, exact=True).click()


def _rendered_cells(grid: Locator) -> dict[str, dict[str, str]]:
    """{aria-rowindex: {column header: cell text}} for the cells the grid renders now."""
    grid.locator('table[role="grid"] tbody tr').first.wait_for(state="attached")
    return grid.evaluate(
        """el => {
            const table = el.querySelector('table[role="grid"]');
            const heads = {};
            table.querySelectorAll('thead th').forEach(th => {
                heads[th.getAttribute('aria-colindex')] = th.innerText.trim();
            });
            const rows = {};
            table.querySelectorAll('tbody tr').forEach(tr => {
                const row = {};
                tr.querySelectorAll('td').forEach(td => {
                    const head = heads[td.getAttribute('aria-colindex')];
                    if (head !== undefined) row[head] = td.innerText.trim();
                });
                rows[tr.getAttribute('aria-rowindex')] = row;
            });
            return rows;
        }"""
    )


def _wait_for_columns(grid: Locator, *, last: bool) -> None:
    """Wait until the grid has scrolled to its right end and renders its last column
    (``last``), or back to the left and renders its first one."""
    grid.locator('table[role="grid"]').first.wait_for(state="attached")
    grid.page.wait_for_function(
        """([el, last]) => {
            const table = el.querySelector('table[role="grid"]');
            const scroller = el.querySelector('.dvn-scroller');
            if (!table || !scroller) return false;
            const cols = [...table.querySelectorAll('thead th')]
                .map(th => Number(th.getAttribute('aria-colindex')));
            const end = scroller.scrollWidth - scroller.clientWidth;
            return last
                ? scroller.scrollLeft >= end - 1
                    && cols.includes(Number(table.getAttribute('aria-colcount')))
                : scroller.scrollLeft === 0 && cols.includes(1);
        }""",
        arg=[grid.element_handle(), last],
        timeout=10_000,
    )


def grid_rows(page: Page, index: int = 0) -> list[dict[str, str]]:
    """The rows on screen of the ``index``-th dataframe, every column: the grid only renders
    the columns in view, so read it, scroll it sideways, read it again and merge."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    rows = _rendered_cells(grid)
    grid.hover()
    page.mouse.wheel(5000, 0)
    _wait_for_columns(grid, last=True)
    for key, cells in _rendered_cells(grid).items():
        rows.setdefault(key, {}).update(cells)
    page.mouse.wheel(-5000, 0)
    _wait_for_columns(grid, last=False)
    return [
        {"_index": key, **cells} for key, cells in sorted(rows.items(), key=lambda kv: int(kv[0]))
    ]


def tall_screenshot(
    screenshot: Callable[[Page, str], Path], page: Page, name: str, height: int = 2200
) -> Path:
    """Streamlit scrolls inside its own container, so a full-page shot is one screen: make
    the window tall enough for the page, scroll to the top, wait for the layout to settle,
    shoot, and restore the size."""
    size = page.viewport_size or {"width": 1500, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": height})
    page.locator('[data-testid="stMain"]').evaluate("el => el.scrollTo(0, 0)")
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)
    path = screenshot(page, name)
    page.set_viewport_size(size)
    settle(page)
    return path


def fill_note_form(main: Locator) -> Locator:
    """On Peer notes (``main``: the page's main area): pick the test's practice and type the
    note and the author into its form, as a user does; the form, to add to and save."""
    choose(
        main.locator('[data-testid="stSelectbox"]').filter(has_text="Practice"),
        f"{PRACTICE} · {NETWORK}",
    )
    form = main.locator('[data-testid="stForm"]').filter(has_text=f"Note for {PRACTICE}")
    form.get_by_label(f"Note for {PRACTICE}").fill(BODY)
    form.get_by_label("Your name and role").fill(AUTHOR)
    return form


def test_add_a_note_and_see_it_on_the_league_table(
    app_url: str, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    page.goto(app_url)  # the app's front door first: it sets up the page navigation
    wait_for_app(page)
    check_accessibility(page, "Overview")
    choose(
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
            has_text="Indicator"
        ),
        INDICATOR,
    )

    # -- the Peer notes page: who to learn from, then the form -------------------------------
    open_page(page, "Peer notes")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Doing significantly better")).to_be_visible()
    standouts = grid_rows(page, 0)
    assert PRACTICE in [row["Practice"] for row in standouts]

    form = fill_note_form(main)
    form.get_by_label("Tags (optional, comma separated)").fill("template, recall")
    with rerun(page):
        form.get_by_role("button", name="Save note").click()

    expect(main.get_by_text("Saved: what we do for P007.")).to_be_visible()
    # under "What they do" (its expander now says notes: 1) and in "All notes"
    expect(main.get_by_text(BODY)).to_have_count(2)
    expect(main.get_by_text(f"{PRACTICE} · {NETWORK} · notes: 1")).to_be_visible()
    check_accessibility(page, "Peer notes after saving a note")
    assert tall_screenshot(screenshot, page, "notes").stat().st_size > 10_000

    # -- the league table: the practice's notes count, then its notes panel -----------------
    open_page(page, "League table")
    expect(main.get_by_role("heading", name=f"League table: {INDICATOR}")).to_be_visible()
    rows = grid_rows(page, 0)
    mine = [row for row in rows if row["Practice"] == PRACTICE]
    assert len(mine) == 1, rows
    assert mine[0]["Notes"] == "1"
    others = [row["Notes"] for row in rows if row["Practice"] != PRACTICE]
    assert others and set(others) == {"0"}

    # Select the row: click its row marker (the checkbox column left of the first column).
    canvas = page.locator('[data-testid="stDataFrame"]').first.locator("canvas").first
    box = canvas.bounding_box()
    assert box is not None
    header = canvas.locator("thead th").first.bounding_box() or {"height": 35}
    row_height = 35
    position = int(mine[0]["_index"]) - 2  # aria-rowindex 1 is the header row
    with rerun(page):
        page.mouse.click(
            box["x"] + 16,
            box["y"] + header["height"] + row_height * position + row_height / 2,
        )
    expect(main.get_by_role("heading", name=f"Notes: {PRACTICE}")).to_be_visible()
    expect(main.get_by_text(BODY)).to_be_visible()
    expect(main.get_by_text(AUTHOR)).to_be_visible()
    check_accessibility(page, "League table with a practice's notes")
    assert tall_screenshot(screenshot, page, "league_with_note").stat().st_size > 10_000
