"""Two netcompare instances behind nginx on one PostgreSQL (issue 16, part 4), in Chromium.

The deployment is started as an operator starts it (deploy/instances.py, what
``deploy/run-instances`` runs): a fresh PostgreSQL database holding the notes and the named
data set ``borough`` (loaded with ``python -m netcompare db load``), two ``streamlit run``
instances in shared mode on free ports, nginx in front. Every browser goes through nginx; one
is sent to a chosen instance by a route cookie nginx hashes there, and nginx's access log says
which instance served each request. Nothing sleeps for a fixed time: every wait is on a
condition with a deadline.

Access is open (``NETCOMPARE_ACCESS=open``). For sign-in, the ``deploy_options`` fixture
gives both deployments ``extra_env`` (``NETCOMPARE_ACCESS=sign-in``) and a ``secrets_file``
holding ``[auth]`` (see :func:`tests.browser.deploy.stack.deployed`), and each browser signs in
after ``_on`` / before ``_open``.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, expect

from deploy.instances import _alive, start
from tests.browser.conftest import VIEWPORT, check_accessibility, rerun, wait_for_app
from tests.browser.deploy.stack import DATASET_KEY, ROOT, Stack, db_load, deployed
from tests.browser.test_app_browser import assert_no_error
from tests.browser.test_notes_browser import (
    AUTHOR,
    BODY,
    INDICATOR,
    choose,
    fill_note_form,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

NOTES_CACHE_S = 30  # netcompare.ui.notes.CACHE_TTL_S: an instance's notes lists are this old
CATALOGUE_S = 5  # netcompare.ui.dataset.CATALOGUE_TTL_S: how often the version is looked up
OLD_NAME = "Pepper Street Medical Centre"  # P001 in sample_data
NEW_NAME = "Pepper Street Surgery (renamed in version 2)"
PROFILE = f"/profile?data={DATASET_KEY}&network=all&practice=P001"


@pytest.fixture(scope="module")
def deploy_options() -> dict[str, Any]:
    """More for :func:`deployed`: ``extra_env`` and ``secrets_file`` (none: access open)."""
    return {}


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, deploy_options: dict[str, Any]
) -> Iterator[Stack]:
    with deployed(tmp_path_factory.mktemp("run"), **deploy_options) as running:
        yield running


def _instance(stack: Stack, number: int) -> str:
    return f"127.0.0.1:{stack.deployment.instances[number - 1].port}"


def _on(browser: Browser, stack: Stack, number: int) -> tuple[Page, str]:
    """A fresh browser (its own cookies) whose route cookie nginx sends to instance
    ``number``; the page and its route."""
    route = stack.route_to(number)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_cookies([stack.route_cookie(route)])  # type: ignore[list-item]
    return context.new_page(), route


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    wait_for_app(page)
    assert_no_error(page)


def _until(check: Callable[[], bool], deadline_s: float, what: str) -> float:
    """Run ``check`` (which reloads what it looks at) until it is true; the seconds taken."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > deadline_s:
            pytest.fail(f"{what}: not within {deadline_s:.0f} s")
    return time.monotonic() - start


def _health(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as reply:
        return reply.status, reply.read().decode()


def test_health_is_answered_through_nginx_and_by_each_instance(stack: Stack) -> None:
    assert _health(stack.url) == (200, "ok")
    for instance in stack.deployment.instances:
        assert _health(instance.url) == (200, "ok")


def test_the_app_loads_and_reruns_through_nginx_on_one_instance(
    stack: Stack, page: Page, screenshot
) -> None:
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    _open(page, f"{stack.url}/?data={DATASET_KEY}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    # The websocket went through nginx, and the page reruns over it.
    assert sockets and all(u.startswith(stack.url.replace("http", "ws")) for u in sockets)
    with rerun(page):
        page.get_by_role("link", name="League table").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("League table")
    assert_no_error(page)
    check_accessibility(page, "League table through nginx")
    screenshot(page, "deploy-league-through-nginx")
    # nginx gave this browser a route cookie, and every request of it went to one instance.
    [route] = [c["value"] for c in page.context.cookies() if c["name"] == "netcompare_route"]
    served = stack.served_by(route)
    assert len(served) == 1 and served <= {_instance(stack, 1), _instance(stack, 2)}, served


def test_downloads_are_not_logged_or_cached_and_metrics_stay_inside(
    stack: Stack, page: Page
) -> None:
    media: list[dict[str, str]] = []
    page.on(
        "response",
        lambda r: media.append(r.headers) if urlparse(r.url).path.startswith("/media/") else None,
    )
    _open(page, f"{stack.url}/league?data={DATASET_KEY}&network=N1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this table (CSV)").click()
    assert download.value.path().read_text(encoding="utf-8").startswith("rank,")
    assert media and all(h.get("cache-control") == "no-store" for h in media), media
    assert all(h.get("referrer-policy") == "no-referrer" for h in media)
    log = stack.access_log.read_text()
    assert '"GET /media/' not in log  # the file's id is all that guards it
    assert "?" not in log  # no query (links, the sign-in callback's code) in the log
    # Streamlit's metrics answer on an instance, not through nginx.
    one = stack.deployment.instances[0]
    with urllib.request.urlopen(f"{one.url}/_stcore/metrics", timeout=10) as reply:
        assert reply.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.url}/_stcore/metrics", timeout=10)
    assert refused.value.code == 404


def test_a_note_added_through_one_instance_appears_through_the_other(
    stack: Stack, browser: Browser, screenshot
) -> None:
    writer, writer_route = _on(browser, stack, 1)
    reader, reader_route = _on(browser, stack, 2)
    try:
        _open(writer, f"{stack.url}/?data={DATASET_KEY}")
        choose(
            writer.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
                has_text="Indicator"
            ),
            INDICATOR,
        )
        with rerun(writer):
            writer.get_by_role("link", name="Peer notes").click()
        link = writer.url
        # The reader's instance shows the notes page first, without the note (so its notes
        # cache holds the list from before: the note must still come through).
        _open(reader, link)
        expect(reader.get_by_text(BODY)).to_have_count(0)

        main = writer.locator('[data-testid="stMain"]')
        form = fill_note_form(main)
        with rerun(writer):
            form.get_by_role("button", name="Save note").click()
        expect(main.get_by_text("Saved: what we do for P007.")).to_be_visible()
        screenshot(writer, "deploy-note-saved-on-instance-1")

        def reader_sees_it() -> bool:
            _open(reader, link)
            return reader.get_by_text(BODY).count() > 0

        _until(reader_sees_it, NOTES_CACHE_S + 30, "the note through instance 2")
        expect(reader.get_by_text(AUTHOR).first).to_be_visible()
        screenshot(reader, "deploy-note-seen-on-instance-2")
        assert stack.served_by(writer_route) == {_instance(stack, 1)}
        assert stack.served_by(reader_route) == {_instance(stack, 2)}
    finally:
        writer.context.close()
        reader.context.close()


def _renamed_copy(folder: Path) -> Path:
    shutil.copytree(ROOT / "sample_data", folder)
    practices = pl.read_csv(folder / "practices.csv", infer_schema=False)
    assert OLD_NAME in practices.get_column("practice_name").to_list()
    practices.with_columns(pl.col("practice_name").replace(OLD_NAME, NEW_NAME)).write_csv(
        folder / "practices.csv"
    )
    return folder


def test_a_new_data_set_version_is_served_by_both_without_a_restart(
    stack: Stack, browser: Browser, tmp_path: Path, screenshot
) -> None:
    pids = [p.pid for p in stack.deployment.instances]
    pages = [_on(browser, stack, 1), _on(browser, stack, 2)]
    try:
        for page, _ in pages:  # each instance has version 1 loaded and cached
            _open(page, f"{stack.url}{PROFILE}")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Practice profile: {OLD_NAME}"
            )
        printed = db_load(_renamed_copy(tmp_path / "v2"), stack.db_url)
        assert "version 2" in printed

        for number, (page, route) in enumerate(pages, start=1):

            def renamed(page: Page = page) -> bool:
                _open(page, f"{stack.url}{PROFILE}")
                return page.get_by_role("heading", level=1).inner_text().endswith(NEW_NAME)

            _until(renamed, CATALOGUE_S + 60, f"version 2 through instance {number}")
            assert stack.served_by(route) == {_instance(stack, number)}
            screenshot(page, f"deploy-version-2-on-instance-{number}")
        assert all(_alive(pid) for pid in pids)  # the same processes: no restart
    finally:
        for page, _ in pages:
            page.context.close()


def test_stopping_one_instance_by_its_pid_leaves_nginx_serving(
    browser: Browser, tmp_path: Path, screenshot, deploy_options: dict[str, Any]
) -> None:
    """Its own deployment: this one is broken on purpose."""
    with deployed(tmp_path / "run", **deploy_options) as stack:
        page, route = _on(browser, stack, 1)
        try:
            _open(page, f"{stack.url}/?data={DATASET_KEY}")
            assert stack.served_by(route) == {_instance(stack, 1)}

            pid = int((stack.deployment.run_dir / "instance-1.pid").read_text())
            assert pid == stack.deployment.instances[0].pid
            os.kill(pid, signal.SIGKILL)
            _until(lambda: not _alive(pid), 15, "instance 1 to end")
            assert _health(stack.url) == (200, "ok")

            # The open page lost its websocket; it reconnects through nginx to instance 2 and
            # reruns there.
            expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
                "data-test-connection-state", "CONNECTED", timeout=60_000
            )
            wait_for_app(page)
            with rerun(page):
                page.get_by_role("link", name="Funnel plot").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Funnel plot")
            assert_no_error(page)

            # A browser whose cookie named instance 1 opens the app afresh: served by 2.
            before = len(stack.upstreams(route))
            page.reload()
            page.wait_for_selector("h1", timeout=60_000)
            wait_for_app(page)
            assert_no_error(page)
            after = stack.upstreams(route)[before:]
            assert after and after[-1] == _instance(stack, 2), after
            screenshot(page, "deploy-after-instance-1-stopped")
            # and a new browser too
            other = browser.new_context(viewport=VIEWPORT).new_page()
            _open(other, f"{stack.url}/league?data={DATASET_KEY}")
            expect(other.get_by_role("heading", level=1)).to_contain_text("League table")
            other.context.close()
            assert _health(stack.url) == (200, "ok")

            # `start` again, as the operator's guide says: only instance 1 is started; the
            # instance and nginx that kept serving are left as they are (same PIDs).
            d = stack.deployment
            again = start(
                d.run_dir,
                [p.port for p in d.instances],
                d.nginx.port,
                stack.env,
                secrets_file=deploy_options.get("secrets_file"),
            )
            assert again.instances[1].pid == d.instances[1].pid
            assert again.nginx.pid == d.nginx.pid
            assert again.instances[0].pid not in (pid, d.instances[0].pid)
            assert _alive(again.instances[0].pid)
            assert _health(f"http://127.0.0.1:{again.instances[0].port}") == (200, "ok")
        finally:
            page.context.close()
