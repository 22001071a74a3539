"""A shared server tried as a hostile visitor would (issue 13), in the real app in Chromium.

The server runs in shared mode with an operator's data set in PostgreSQL and a notes store,
both reached by URLs with a password. A visitor opens every page, and links that name server
folders and database URLs. Everything the browser receives is recorded — every request, every
websocket frame from the server (the protobuf of every element, label and option) and the
page's HTML and address — and none of it may hold the password or the server's data folder;
no request may leave the app's own server; the Data page offers no box for a path or URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page

from netcompare.data.load import write_dataset_sql
from tests.app.tiny_datasets import tiny_tables, write_tiny
from tests.browser.conftest import VIEWPORT, check_accessibility, serve_app, wait_for_app
from tests.browser.test_app_browser import assert_no_error
from tests.browser.test_offline_browser import own_host

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SECRET = "S3cretPW-shared-probe"  # fixed: test ids must match across xdist workers
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGES = ["/", "/league", "/funnel", "/trends", "/networks", "/notes", "/data"]


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app in shared mode: the operator's 'borough' (a folder) and 'ics' (PostgreSQL,
    with a password in its URL), built-ins off, notes in SQLite."""
    root = tmp_path_factory.mktemp("srv")
    folder = write_tiny(root / "operator-secret-folder" / "borough")
    schema = f"nc_shared_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    db_url = (
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/test"
        f"?options=-csearch_path%3D{schema}"
    )
    write_dataset_sql(db_url, tiny_tables())
    (root / "tmp").mkdir()
    env = {
        # The server's temporary folder (where sessions' uploads go), and sessions closed
        # two seconds after their tab is, so the test can watch a session end.
        "TMPDIR": str(root / "tmp"),
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "2",
        "NETCOMPARE_MODE": "shared",
        "NETCOMPARE_ACCESS": "open",  # sign-in is tested in test_signin_browser.py
        "NETCOMPARE_DATASETS": f"borough={folder};ics={db_url}",
        "NETCOMPARE_BUILTIN_DATASETS": "false",
    }
    try:
        with serve_app(root / "notes.db", root / "streamlit.log", env) as url:
            yield url, root
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
    log = (root / "streamlit.log").read_text()
    assert SECRET not in log, "the server log shows the password"


class Recorder:
    """Everything a page receives: requests, the server's websocket frames, HTML, URLs."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.frames: list[bytes] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:  # type: ignore[no-untyped-def]
        def received(payload: str | bytes) -> None:
            self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

        ws.on("framereceived", received)

    def received(self) -> bytes:
        return b"".join(self.frames)


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)


@pytest.fixture
def visitor(browser: Browser) -> Iterator[tuple[Page, Recorder]]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    recorder = Recorder(page)
    yield page, recorder
    context.close()


def _assert_nothing_leaks(page: Page, recorder: Recorder, root: Path, app_url: str) -> None:
    seen = recorder.received() + page.content().encode() + page.url.encode()
    assert SECRET.encode() not in seen, "the password reached the browser"
    assert b"operator-secret-folder" not in seen, "a server folder reached the browser"
    assert str(root).encode() not in seen
    off = [u for u in recorder.requests if not own_host(u, app_url)]
    assert not off, off


@pytest.mark.parametrize("data", ["borough", "ics"])
def test_every_page_of_a_named_data_set_shows_no_secret(
    shared_server: tuple[str, Path], visitor: tuple[Page, Recorder], data: str, screenshot
) -> None:
    url, root = shared_server
    page, recorder = visitor
    for path in PAGES:
        _open(page, f"{url}{path}?data={data}&network=ALL")
        assert_no_error(page)
        assert f"data={data}" in page.url
        _assert_nothing_leaks(page, recorder, root, url)
    check_accessibility(page, f"/data (shared, {data})")
    screenshot(page, f"shared-data-{data}")
    body = page.locator("body").inner_text()
    assert "Folder or database URL" not in body
    assert "choose one in the sidebar" in body
    assert page.locator('input[type="text"][aria-label*="URL"]').count() == 0


@pytest.mark.parametrize(
    "asked",
    [
        "/etc",
        "/root/.ssh",
        "custom",
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/postgres",
        "sqlite:////tmp/netcompare-shared-probe.db",
        "redis://127.0.0.1:6379/0",
    ],
)
def test_a_link_naming_a_path_or_database_opens_nothing(
    shared_server: tuple[str, Path], visitor: tuple[Page, Recorder], asked: str
) -> None:
    url, root = shared_server
    page, recorder = visitor
    _open(page, f"{url}/data?data={quote(asked, safe='')}")
    assert_no_error(page)
    body = page.locator("body").inner_text()
    assert "not available here" in body
    assert "data=borough" in page.url  # the default named data set, by its key
    _assert_nothing_leaks(page, recorder, root, url)
    assert not Path("/tmp/netcompare-shared-probe.db").exists()


def _upload_tiny(page: Page, folder: Path) -> None:
    files = sorted(str(f) for f in folder.glob("*.csv"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(files)
    page.get_by_text("values.csv").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Check and load uploads").click()
    page.get_by_text("Your upload").first.wait_for(timeout=60_000)
    wait_for_app(page)


def _session_uploads(root: Path) -> list[Path]:
    return sorted(root.glob("tmp/netcompare-sessions-*/*/tables-*/values.csv"))


def test_an_upload_is_private_to_its_session_and_removed_when_it_ends(
    shared_server: tuple[str, Path], browser: Browser, tmp_path: Path
) -> None:
    url, root = shared_server
    tiny = write_tiny(tmp_path / "tiny")
    first = browser.new_context(viewport=VIEWPORT)
    page = first.new_page()
    recorder = Recorder(page)
    _open(page, f"{url}/data")
    before = set(_session_uploads(root))
    _upload_tiny(page, tiny)
    assert "data=custom" in page.url
    [mine] = set(_session_uploads(root)) - before
    assert oct(mine.parents[1].stat().st_mode & 0o777) == "0o700"
    _assert_nothing_leaks(page, recorder, root, url)
    assert b"netcompare-sessions" not in recorder.received()
    # The copied link opens the default in another browser: the upload is not theirs.
    link = page.url
    first.close()
    second = browser.new_context(viewport=VIEWPORT)
    other = second.new_page()
    _open(other, link)
    assert "not available here" in other.locator("body").inner_text()
    assert "data=borough" in other.url
    # The first session has ended (its tab closed, 2 s to reconnect): the next upload's
    # sweep, or Streamlit dropping its state, removes its folder.
    other.wait_for_timeout(3_000)
    _upload_tiny(other, tiny)
    for _ in range(50):
        if not mine.exists():
            break
        other.wait_for_timeout(200)
    assert not mine.exists(), "the ended session's upload is still on the server"
    assert len(_session_uploads(root)) >= 1  # the second session's own upload is there
    second.close()
