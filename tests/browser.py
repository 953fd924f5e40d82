"""Real-browser test helpers: Debian's Chromium driven by Playwright.

Browser tests are skipped, with a reason that says how to get them, when no Chromium is installed.
Use the `chromium_browser` fixture (one browser for the whole session) and mark modules with
`pytestmark = [pytest.mark.browser, requires_chromium]`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SKIP_REASON = (
    "no Chromium found: install Debian's chromium (apt-get install chromium) to run browser tests"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or any `chromium` on PATH, or None."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


requires_chromium = pytest.mark.skipif(chromium_path() is None, reason=SKIP_REASON)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium for every browser test of the session."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(SKIP_REASON)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
