"""AppTest runs of the real app on the sample data, with a temporary notes database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from netcompare.ui.guard import LAST_ERROR_KEY
from tests.notes.pg_cluster import cluster, own_pg  # noqa: F401 (fixtures: own PostgreSQL for fault tests)

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def isolated_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the user's own notes database in tests."""
    monkeypatch.setenv("NETCOMPARE_DB_URL", f"sqlite:///{tmp_path / 'notes.db'}")
    monkeypatch.delenv("NETCOMPARE_DATA", raising=False)
    yield


@pytest.fixture(autouse=True)
def navigation_not_pages_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run app.py's ``st.navigation`` on every AppTest run, as the real server does.

    AppTest (streamlit 1.67) resets ``PagesManager.uses_pages_directory`` before each run and
    a new ``PagesManager`` sets it again because a ``pages/`` folder exists. From the second
    run on, the requested page then matches the legacy pages-folder page of the same URL path
    and AppTest runs ``pages/<page>.py`` alone, without app.py: no sidebar, no filters. In the
    server the flag is cleared for good by the first ``st.navigation`` call; do the same here.
    """
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def page_errors_fail_the_test(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app.py's guard turns an exception into a readable message (issue 13): AppTest would
    no longer see it in ``at.exception``. After every run, fail the test with the traceback
    the guard logged, unless the test is about the guard (``@pytest.mark.page_errors``)."""
    if request.node.get_closest_marker("page_errors"):
        return
    original = AppTest.run

    def run(self: AppTest, *args: object, **kwargs: object) -> AppTest:
        result = original(self, *args, **kwargs)
        state = self.session_state
        if LAST_ERROR_KEY in state:
            number, trace = state[LAST_ERROR_KEY]
            pytest.fail(f"the page guard caught error {number}:\n{trace}")
        return result

    monkeypatch.setattr(AppTest, "run", run)


@pytest.fixture
def app() -> AppTest:
    """The app, run once on its default page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Every file handed to a download button, by its download file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes | str):
            data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
            files[filename] = data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files
