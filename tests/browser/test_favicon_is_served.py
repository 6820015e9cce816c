"""/favicon.ico answers with the site's icon (after a redirect to the static file),
not a 404."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_favicon_ico_is_an_icon(browser: Any, live_server: Any) -> None:
    # given
    context = browser.new_context(base_url=live_server.url)
    try:
        # when the browser asks for the icon
        response = context.request.get("/favicon.ico")
        # then it gets an icon image
        assert response.status == 200
        assert response.headers["content-type"] in (
            "image/x-icon",
            "image/vnd.microsoft.icon",
        )
        assert response.body()[:4] == b"\x00\x00\x01\x00"
    finally:
        context.close()
