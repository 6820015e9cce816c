"""Fixtures for the browser tests: Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without
that binary the tests are skipped with the reason; nothing else skips them.
Screenshots go to $CERTWRIGHT_SCREENSHOTS_DIR, or to pytest's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

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


def launch_code_of(attempt_id: int) -> str:
    """The attempt's launch code as the proctor's console shows it (ABC-DEF), read
    from the database (for tests that do not drive the console)."""
    from certwright.delivery.models import Attempt
    from certwright.delivery.seats import launch_code_display

    code = Attempt.objects.values_list("launch_code", flat=True).get(pk=attempt_id)
    assert code, "no launch code: the attempt is launched or over"
    return launch_code_display(code)


def launch_at_seat(page: Any, code: str) -> None:
    """At the seat: the candidate's browser, on the exam's launch page, takes the
    proctor's launch code; the player's tutorial opens."""
    page.wait_for_selector("#launch-code")
    page.get_by_label("Launch code").fill(code)
    page.get_by_role("button", name="Launch the exam").click()
    page.wait_for_selector("#tutorial:not([hidden])")


def seat_token(context: Any, attempt_id: int) -> str:
    """The seat token a browser context holds for ``attempt_id`` (its HttpOnly
    cookie, read through Playwright as a second tab of that browser would send
    it)."""
    from certwright.delivery.views import SEAT_COOKIE

    name = SEAT_COOKIE.format(attempt_id=attempt_id)
    (value,) = [c["value"] for c in context.cookies() if c["name"] == name]
    return str(value)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium through Playwright (slow)"
    )


AXE = Path(__file__).parent / "assets" / "axe.min.js"


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ()) -> list[str]:
    """axe-core's violations on the page as it is now (only those of ``impacts``,
    e.g. ("serious", "critical"), when given), one line each."""
    # Evaluated through the driver, not added as an inline <script>: the page's
    # Content-Security-Policy (rightly) refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => [v.impact, v.id + ": " + v.help +
                " @ " + v.nodes.map(n => n.target.join(" ")).join(", ")]);
        }"""
    )
    return [text for impact, text in found if not impacts or impact in impacts]


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in through the form; returns once on the page sign-in sends this role
    to (each role has its own: docs/portal.md)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@contextmanager
def page_factory(
    browser: Any, base_url: str, *, timeout_ms: int
) -> Iterator[Callable[[], Any]]:
    """A function that opens a page in a browser context of its own (its own
    cookies, a desktop viewport); every context is closed on leaving."""
    opened: list[Any] = []

    def make() -> Any:
        context = browser.new_context(base_url=base_url, viewport=DESKTOP)
        context.set_default_timeout(timeout_ms)
        opened.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in opened:
            context.close()
