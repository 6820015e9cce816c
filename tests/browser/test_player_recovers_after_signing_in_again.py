"""A candidate signed out mid-exam (in another tab) keeps answering: the player
keeps the answers queued, says so with a link to sign in again in a new tab, and
once they have signed in again it sends the queue by itself, with the new CSRF
token, without the exam page being reloaded."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress

from tests.browser.test_exam_player import (
    _player_items,
    _seat_authorised,
    _stored,
    _wait_saved,
)
from tests.support.browser import DESKTOP, launch_at_seat, launch_code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple 42"


def _csrf_cookie(context: Any) -> str:
    (value,) = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(value)


def test_queued_answers_are_sent_after_signing_in_again(
    browser: Any, live_server: Any
) -> None:
    # given a candidate signed in through the form, in the exam
    attempt = _seat_authorised()
    user = attempt.technician.user
    assert user is not None
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    try:
        other = context.new_page()
        other.goto("/accounts/login/")
        other.get_by_label("Email").fill(user.email)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        page = context.new_page()
        page.goto(f"/exam/{attempt.pk}/")
        launch_at_seat(page, launch_code_of(attempt.pk))
        page.click("#start-button")
        page.wait_for_selector("#item-screen:not([hidden])")
        ids = _player_items(page)
        page.check("#options input[value='1']")
        _wait_saved(page)
        page.evaluate("() => { window.sameExamPage = true; }")
        token_before = _csrf_cookie(context)
        # when they sign out in the other tab
        other.get_by_role("button", name="Sign out", exact=True).click()
        other.wait_for_load_state()
        # and choose two more answers in the exam
        page.click("#next-button")
        page.check("#options input[value='2']")
        page.click("#next-button")
        page.check("#options input[value='3']")
        # then the player says so, keeps them, and offers to sign in in a new tab
        page.wait_for_selector("#save-status[data-state=signed_out]")
        assert "answers are kept here" in page.locator("#save-status").inner_text()
        link = page.locator("#signin-link")
        assert link.is_visible()
        assert link.get_attribute("target") == "_blank"
        assert _stored(attempt) == {ids[0]: (1, False)}
        # when they sign in again in the other tab (a new CSRF token)
        other.goto("/accounts/login/")
        other.get_by_label("Email").fill(user.email)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        assert _csrf_cookie(context) != token_before
        # then the open exam page sends the queued answers by itself
        _wait_saved(page)
        assert not link.is_visible()
        assert page.evaluate("() => window.sameExamPage") is True
        assert _stored(attempt) == {
            ids[0]: (1, False),
            ids[1]: (2, False),
            ids[2]: (3, False),
        }
    finally:
        context.close()
