"""A new API token shows whole in its field on a phone (nothing cut off) and a
"Copy the token" button puts exactly it on the clipboard."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.accounts.models import ApiToken
from tests.browser.test_exam_player import _signed_in
from tests.support.browser import PHONE
from tests.support.scheduling import candidate_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_new_token_is_whole_and_copies(browser: Any, live_server: Any) -> None:
    # given a candidate on their profile, on a phone
    technician = candidate_create("Tam Token")
    context = _signed_in(
        browser,
        live_server,
        technician.user,
        viewport=PHONE,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    try:
        page.goto("/account/profile/")
        # when they create a token
        page.get_by_label("Name").last.fill("payroll sync")
        page.get_by_role("button", name="Create token").click()
        page.wait_for_selector("#new-token")
        # then the field shows the whole token: nothing scrolls out of sight
        field = page.locator("#new-token")
        raw = field.input_value()
        assert raw.startswith("cw_")
        assert ApiToken.objects.filter(user=technician.user).count() == 1
        assert field.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert field.evaluate("el => el.scrollHeight <= el.clientHeight")
        # when they press Copy
        page.get_by_role("button", name="Copy the token").click()
        # then the clipboard holds the token and the page says so
        page.get_by_text("Copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == raw
    finally:
        context.close()
