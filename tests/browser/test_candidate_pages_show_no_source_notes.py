"""Notes meant for the program's maintainers (where a figure came from, what is not
confirmed) are not on candidates' pages: the catalog and each test's page."""

from __future__ import annotations

from typing import Any

import pytest

from .pages_setup import candidate
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCE_NOTES = (
    "[unconfirmed]",
    "Not confirmed: read from a cut-off sentence in the official study guide.",
    "Third-party sources only.",
    "Some amounts are estimates.",
    "Launch date estimated",
    "estimate",
)


def test_catalog_and_test_pages_carry_no_source_note(
    phone: Any, live_server: Any
) -> None:
    """The catalog, and the pages of L2, L3 and L4 (whose data carry such notes),
    show none of them, while still naming the prerequisites."""
    # given a signed-in candidate
    user, _technician = candidate()
    sign_in(phone, user, live_server.url)

    # when she reads the catalog and the advanced tests' pages
    texts = {}
    for path in (
        "/me/catalog/",
        "/me/catalog/L2/",
        "/me/catalog/L3/",
        "/me/catalog/L4/",
    ):
        phone.goto(path)
        texts[path] = phone.locator("main").inner_text()

    # then no maintainer's note is on any of them
    for path, text in texts.items():
        for note in SOURCE_NOTES:
            assert note not in text, (path, note)
    # and the prerequisites are still there, in plain words
    assert "Prerequisites" in texts["/me/catalog/L2/"]
    assert "(A9 or H2 or S2 or T2)" in texts["/me/catalog/L2/"]
