"""Driving the pages in Debian's chromium (Playwright): viewports, signing in,
launching an exam at a seat, axe-core's accessibility check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
    # The tutorial is in the page's HTML, so it shows before the deferred player
    # script has bound its buttons; a click then did nothing (a CI run under load
    # waited 15 s for the exam to start). Deferred scripts run before
    # DOMContentLoaded.
    page.wait_for_load_state("domcontentloaded")


def seat_token(context: Any, attempt_id: int) -> str:
    """The seat token a browser context holds for ``attempt_id`` (its HttpOnly
    cookie, read through Playwright as a second tab of that browser would send
    it)."""
    from certwright.delivery.views import SEAT_COOKIE

    name = SEAT_COOKIE.format(attempt_id=attempt_id)
    (value,) = [c["value"] for c in context.cookies() if c["name"] == name]
    return str(value)


AXE = Path(__file__).parents[1] / "browser" / "assets" / "axe.min.js"


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
