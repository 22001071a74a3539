"""A hostile data set and hostile notes on every page, in the real app in Chromium (issue 13,
point 3): names, titles, captions, tooltips, table cells, note headers and bodies carrying
Markdown, HTML, Streamlit directives and shortcodes, autolinks, bidi overrides and formulas.

Every request each page makes is recorded: any that is not to the app's own server fails the
test (a Markdown image or an HTML ``<img>`` rendered from data would fetch 127.0.0.1:9). The
rendered pages must hold none of what that text would have become — images, links, bold,
code, headings, coloured text, badges, icons, maths, scripts — and no bidi control; and the
text itself must be there, as typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Browser, Page

from netcompare.data.load import load_dataset
from netcompare.notes import open_notes_store
from tests.browser.conftest import VIEWPORT, check_accessibility, serve_app, wait_for_app
from tests.browser.test_app_browser import assert_no_error
from tests.browser.test_offline_browser import own_host
from tests.hostile import OFF_SERVER, RLO, SKULL, write_hostile_dataset, write_hostile_notes

pytestmark = pytest.mark.browser

PAGES = ["/", "/league", "/funnel", "/trends", "/networks", "/notes", "/data"]
WORD_JOINER = "\u2060"

# What the hostile text would have rendered as, found in the rendered page (JavaScript
# returning a list of offending elements' outer HTML, shortened).
RENDERED_MARKUP = f"""() => {{
  const bad = [];
  const short = (el) => el.outerHTML.slice(0, 160);
  const own = (u) => {{
    try {{ const p = new URL(u, location.href); return p.host === location.host
      || ["data:", "blob:", "javascript:"].includes(p.protocol) && p.protocol !== "javascript:"; }}
    catch (e) {{ return false; }} }};
  for (const img of document.querySelectorAll("img")) if (!own(img.src)) bad.push(short(img));
  for (const a of document.querySelectorAll("a[href]")) {{
    const h = a.getAttribute("href");
    if (h.startsWith("#")) continue;
    if (!own(h)) bad.push(short(a));
  }}
  const selectors = [".stMarkdownColoredText", ".stMarkdownBadge", ".katex", "script:not([src])"];
  for (const s of selectors)
    for (const el of document.querySelectorAll(s))
      if (s !== "script:not([src])" || el.textContent.includes("alert(1)")) bad.push(short(el));
  for (const el of document.querySelectorAll('[role="img"]'))
    if (el.textContent.trim() === "{SKULL}") bad.push(short(el));
  for (const el of document.querySelectorAll("strong, em, code"))
    if (["bold", "it", "code"].includes(el.textContent.trim())) bad.push(short(el));
  for (const el of document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    if (/^Heading \\d+$/.test(el.textContent.trim())) bad.push(short(el));
  for (const el of document.querySelectorAll("*"))
    if (el.childElementCount === 0 && /[\\u202a-\\u202e\\u2066-\\u2069]/.test(el.textContent))
      bad.push(short(el));
  return bad;
}}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on the hostile data set (``NETCOMPARE_DATA``), its notes store seeded with
    the hostile notes."""
    root = tmp_path_factory.mktemp("hostile")
    data = write_hostile_dataset(root / "data")
    db = root / "notes.db"
    open_notes_store(f"sqlite:///{db}", seed=write_hostile_notes(root / "notes.csv")).close()
    env = {"NETCOMPARE_DATA": str(data)}
    with serve_app(db, root / "streamlit.log", env) as url:
        yield url, data


@pytest.fixture
def recorded(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    yield page, requests
    context.close()


def _assert_shown_as_text(page: Page, requests: list[str], app_url: str, where: str) -> None:
    assert_no_error(page)
    off = [u for u in requests if not own_host(u, app_url)]
    assert not off, f"{where}: requests off the server: {off}"
    assert not any(OFF_SERVER in u for u in requests), where
    bad = page.evaluate(RENDERED_MARKUP)
    assert not bad, f"{where}: text from data rendered as markup: {bad}"
    body = page.locator("body").inner_text().replace(WORD_JOINER, "")
    assert RLO not in body, where


def test_every_page_shows_hostile_names_and_notes_as_text(
    hostile_server: tuple[str, Path], recorded: tuple[Page, list[str]], screenshot
) -> None:
    url, folder = hostile_server
    page, requests = recorded
    for path in PAGES:
        page.goto(f"{url}{path}?network=N1")
        page.wait_for_selector("h1", timeout=60_000)
        wait_for_app(page)
        _assert_shown_as_text(page, requests, url, path)
        screenshot(page, f"hostile{path.replace('/', '-') or '-overview'}")
    check_accessibility(page, "/data (hostile data set)")

    # The titles say the hostile names literally, exactly as typed.
    page.goto(f"{url}/league?network=N1&indicator=IMM_MMR1")
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    title = page.locator("h1").first.inner_text().replace(WORD_JOINER, "")
    indicators = load_dataset(folder).indicators
    [name] = indicators.filter(pl.col("indicator_id") == "IMM_MMR1")["name"].to_list()
    assert title == f"League table: {name}"
    assert "](" in name or "<" in name or ":" in name  # a hostile name, not a plain one
    _assert_shown_as_text(page, requests, url, "/league")


def test_note_headers_and_bodies_stay_text(
    hostile_server: tuple[str, Path], recorded: tuple[Page, list[str]], screenshot
) -> None:
    url, _ = hostile_server
    page, requests = recorded
    page.goto(f"{url}/notes?network=ALL")
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    body = page.locator("body").inner_text().replace(WORD_JOINER, "")
    # Authors, bodies and tags from the hostile notes, as typed.
    assert f"![x](http://{OFF_SERVER}/img" in body or f"[click](http://{OFF_SERVER}" in body
    assert ":red[Danger]" in body or ":blue-badge[Verified]" in body
    assert f":material/{SKULL}:" in body
    _assert_shown_as_text(page, requests, url, "/notes (all networks)")
    screenshot(page, "hostile-notes-all")
