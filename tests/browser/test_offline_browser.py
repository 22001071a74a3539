"""netcompare runs offline (PRODUCT.md, issue 12): every page makes no request to any host but
the app's own. Each request the browser makes (documents, scripts, styles, fonts, images,
fetches, the app's websocket) while every page opens and draws its charts is recorded; each
must go to the app's own host and port. ``data:`` and ``blob:`` URLs never leave the browser."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import VIEWPORT, wait_for_app
from tests.browser.test_app_browser import PAGES, assert_no_error, wait_for_charts

pytestmark = pytest.mark.browser

CHARTED = ("/", "/funnel", "/trends", "/networks")
LOCAL_SCHEMES = ("data", "blob")


def own_host(url: str, app_url: str) -> bool:
    """Whether ``url`` is the app's own (same port on 127.0.0.1 or localhost) or never leaves
    the browser (``data:``, ``blob:``)."""
    parsed, app = urlparse(url), urlparse(app_url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return (
        parsed.scheme in ("http", "https", "ws", "wss")
        and parsed.hostname in ("127.0.0.1", "localhost")
        and parsed.port == app.port
    )


def test_own_host_tells_the_app_from_anything_else():
    app = "http://127.0.0.1:8765"
    assert own_host("http://127.0.0.1:8765/static/js/index.js", app)
    assert own_host("ws://localhost:8765/_stcore/stream", app)
    assert own_host("data:image/svg+xml;base64,PHN2Zz4=", app)
    assert own_host("blob:http://127.0.0.1:8765/6c1c-4f", app)
    assert not own_host("http://127.0.0.1:8766/", app)
    assert not own_host("https://fonts.googleapis.com/css2?family=Inter", app)
    assert not own_host("https://webhooks.fivetran.com/webhooks/x", app)


def test_every_page_makes_no_request_to_any_host_but_the_apps_own(app_url: str, browser: Browser):
    context = browser.new_context(viewport=VIEWPORT)
    requests: list[tuple[str, str]] = []  # (page path, URL)
    where = {"path": "(before the first page)"}
    context.on("request", lambda r: requests.append((where["path"], r.url)))
    try:
        page = context.new_page()
        page.on("websocket", lambda ws: requests.append((where["path"], ws.url)))
        for path, title, _ in PAGES:
            where["path"] = path
            # Not open_page: axe-core is checked by the page tests, and its script is the
            # test's own, not a request of the app.
            page.goto(app_url + path)
            page.wait_for_selector("h1", timeout=60_000)
            wait_for_app(page)
            assert page.locator("h1").first.inner_text().startswith(title)
            if path in CHARTED:
                assert wait_for_charts(page) >= 1
            assert_no_error(page)
    finally:
        context.close()
    # The recording works: the pages themselves are among the requests.
    assert {(path, app_url + path) for path, _, _ in PAGES} <= set(requests)
    outside = sorted({(path, url) for path, url in requests if not own_host(url, app_url)})
    assert not outside, "requests to other hosts:\n" + "\n".join(
        f"- on {path}: {url}" for path, url in outside
    )
