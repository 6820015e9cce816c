"""A short tour of the site in chromium logs no Content-Security-Policy violation:
public pages, the API docs (Swagger UI), the candidate's pages, the proctor's console
with its htmx polling, the item analysis with its plots, and the admin.

The policy (certwright/settings.py) allows no inline script and no inline <style>;
a page that needed either would be broken for real users, and shows up here as a
`securitypolicyviolation` event or a console message.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from certwright.accounts.demo import PASSWORD
from certwright.candidates.models import Technician
from certwright.itembank.models import Form
from certwright.proctoring.demo import CANDIDATE_EMAIL, CENTRE_CODE
from certwright.scheduling.models import TestCentre
from tests.support.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page: every violation the page causes is kept.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


class Tour:
    """Browsers that record every CSP violation of the pages they open."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser = browser
        self.live_server = live_server
        self.contexts: list[Any] = []
        self.violations: list[str] = []

    def browser_for(self, email: str | None) -> Any:
        """A new browser, signed in through the form as ``email`` (or anonymous)."""
        context = self.browser.new_context(
            base_url=self.live_server.url, viewport=DESKTOP
        )
        context.set_default_timeout(15_000)
        context.add_init_script(LISTEN)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        if email:
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            # Each role lands on its own page (docs/portal.md): wait to leave this one.
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            self.collect(page)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def visit(self, page: Any, path: str, *, wait_for: str = "main") -> None:
        """Open ``path``, wait for the content and a moment of scripts, collect."""
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.locator(wait_for).first.wait_for()
        page.wait_for_timeout(300)
        self.collect(page)

    def collect(self, page: Any) -> None:
        found = page.evaluate("() => window.__csp.splice(0)")
        self.violations += [f"{page.url}: {v}" for v in found]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def tour(settings: Any, browser: Any, live_server: Any) -> Iterator[Tour]:
    """The demo data of `make run` (no second factor for staff), and the tour."""
    settings.CERTWRIGHT_STAFF_MFA = False
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    opened = Tour(browser, live_server)
    yield opened
    opened.close()


def test_a_tour_of_the_site_logs_no_policy_violation(tour: Tour) -> None:
    """Every page of the tour loads and runs without one CSP violation."""
    priya = Technician.objects.get(email=CANDIDATE_EMAIL)
    centre = TestCentre.objects.get(code=CENTRE_CODE)
    form = Form.objects.get(test="A1", kind="initial", number=1)

    # given: the detector sees a violation made on purpose
    probe = tour.browser_for(None)
    tour.visit(probe, "/", wait_for="body")
    probe.evaluate(
        "() => document.head.appendChild(document.createElement('style'))"
        ".textContent = 'body { color: red }'"
    )
    probe.wait_for_timeout(300)
    tour.collect(probe)
    assert any("style-src" in v for v in tour.violations), tour.violations
    tour.violations.clear()

    # when: anonymous pages and the API docs
    anonymous = tour.browser_for(None)
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/me/catalog/",
                 "/verify/"):  # fmt: skip
        tour.visit(anonymous, path, wait_for="body")
    # the demo candidate's share link, with its inline SVG QR code
    demo_link = priya.share_links.filter(revoked_at__isnull=True).first()
    assert demo_link is not None
    tour.visit(anonymous, f"/v/{demo_link.token}", wait_for=".qr-code svg")
    tour.visit(anonymous, "/api/docs", wait_for=".swagger-ui .info")

    # when: the candidate's pages
    candidate = tour.browser_for("candidate@example.com")
    for name in (
        "portal:dashboard",
        "portal:tests",
        "candidates:experience_list",
        "commerce:cart",
        "scheduling:appointment_list",
        "delivery:attempt_list",
        "accounts:profile",
        "verification:share_links",
    ):
        tour.visit(candidate, reverse(name))

    # when: the proctor's console, long enough for htmx to poll the board once
    proctor = tour.browser_for("proctor@example.com")
    tour.visit(proctor, reverse("proctor:home"))
    tour.visit(proctor, reverse("proctor:day", args=[centre.pk]), wait_for="#board")
    with proctor.expect_response(lambda r: "/board/" in r.url, timeout=30_000):
        pass
    tour.collect(proctor)

    # when: program staff's item analysis (matplotlib plots) and the admin
    staff = tour.browser_for("staff@example.com")
    tour.visit(staff, reverse("scoring:index"))
    tour.visit(staff, reverse("scoring:form", args=[form.pk]), wait_for="figure svg")
    tour.visit(staff, "/admin/", wait_for="#content")
    tour.visit(
        staff,
        reverse("admin:candidates_technician_change", args=[priya.pk]),
        wait_for="#why",
    )

    # then
    assert tour.violations == []
