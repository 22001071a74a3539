"""The deployment tests drive the real app in Chromium as tests/browser does: the same browser,
pages, screenshots and failure photographs (its fixtures and report hook, imported here)."""

from tests.browser.conftest import (  # noqa: F401  (fixtures and a hook, by their names)
    _screenshot_folders,
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
    screenshot,
)
