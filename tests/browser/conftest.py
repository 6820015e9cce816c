"""Fixtures for the browser tests: Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without
that binary the tests are skipped with the reason; nothing else skips them.
Screenshots go to $CERTWRIGHT_SCREENSHOTS_DIR, or to pytest's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, PHONE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The live server runs in a thread of this process; Playwright's sync API must not
# see Django's "async unsafe" guard trip over its event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("CERTWRIGHT_SCREENSHOTS_DIR")
    path = (
        Path(configured)
        if configured
        else tmp_path_factory.getbasetemp() / "browser-screenshots"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized page on the live server."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot(
    browser: Any, live_server: Any, screenshots_dir: Path, request: Any
) -> Callable[..., None]:
    """``shoot(page, name)``: a full-page phone screenshot now, and the same URL in a
    desktop window with the same cookies."""
    prefix = request.node.name

    def take(page: Any, name: str, *, desktop: bool = True) -> None:
        page.screenshot(
            path=screenshots_dir / f"{prefix}-{name}-phone.png", full_page=True
        )
        if not desktop:
            return
        context = browser.new_context(
            viewport=DESKTOP,
            base_url=live_server.url,
            storage_state=page.context.storage_state(),
        )
        try:
            other = context.new_page()
            other.goto(page.url)
            other.screenshot(
                path=screenshots_dir / f"{prefix}-{name}-desktop.png", full_page=True
            )
        finally:
            context.close()

    return take


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium through Playwright (slow)"
    )
