"""/api/docs renders Swagger UI on a machine without internet: its script and
style come from this site (django-ninja's bundled assets), not a CDN (issue 8,
item 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_appears_with_every_other_host_unreachable(browser, live_server):
    """With every request to another host refused, as offline, the page shows
    Swagger UI: the API's title and its operations."""
    from playwright.sync_api import expect

    # given a browser that can reach only the live server
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    here = urlsplit(live_server.url).netloc
    refused: list[str] = []

    def offline(route: Any) -> None:
        if urlsplit(route.request.url).netloc == here:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    try:
        page = context.new_page()
        # when the API docs open
        page.goto("/api/docs")
        # then Swagger UI has drawn the API: its title and the health operation
        expect(page.locator("#swagger-ui .swagger-ui .info .title")).to_contain_text(
            "Certwright API"
        )
        expect(
            page.locator(".opblock-summary-path", has_text="/api/health")
        ).to_be_visible()
        # then it asked nothing of any other host
        assert refused == []
    finally:
        context.close()
