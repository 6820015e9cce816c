"""A subscribed technician, on a phone, opens the renewal questions, opens this
month's, answers it with the keyboard alone, and sees the result and the rationale;
each screen fits 375 px and axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from certwright.core.clock import now
from certwright.credentials.models import RenewalCredit
from certwright.renewal.answer_pass import answer_pass_read
from certwright.renewal.models import Question, QuestionStatus
from tests.support.browser import PHONE, axe_violations
from tests.support.renewal import dispatch, renewal_items, subscribed_technician

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page, impacts=("serious", "critical")) == []


def test_a_technician_answers_this_months_question_by_keyboard_on_a_phone(
    browser: Any, live_server: Any
) -> None:
    # given a technician subscribed today with this month's A1 question waiting
    renewal_items("A1")
    today = now().date()
    technician, _ = subscribed_technician(
        passed_on=today - dt.timedelta(days=400), starts_on=today, time_zone="UTC"
    )
    dispatch(now())
    question = Question.objects.get()
    client = Client()
    assert technician.user is not None
    client.force_login(technician.user)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()

        # when they open the list on a phone
        page.goto("/renewal/questions/")

        # then the question is waiting, the app can be installed, the screen fits
        assert page.locator('link[rel="manifest"]').count() == 1
        _fits(page)

        # when they follow it and open it
        page.get_by_role("link", name="A1").first.click()
        page.get_by_text("You will have 10 minutes once you open it.").wait_for()
        _fits(page)
        page.get_by_role("button", name="Open the question").focus()
        page.keyboard.press("Enter")

        # then the stem is the group's legend, with the time left from the server
        group = page.get_by_role("group", name=question.item_version.stem)
        group.wait_for()
        assert page.locator("#time-left").inner_text().count(":") == 1
        assert page.locator("#time-announce").get_attribute("aria-live") == "polite"
        _fits(page)
        assert "Rationale of" not in page.content()
        # and the form carries the answer pass of this question and this session
        # (what lets the web process take the answer before Django's middleware)
        granted = page.locator('input[name="answer_pass"]').get_attribute("value")
        session = next(
            c["value"]
            for c in context.cookies()
            if c["name"] == settings.SESSION_COOKIE_NAME
        )
        found = answer_pass_read(granted, question_id=question.pk, session_key=session)
        assert found is not None
        assert found.technician_id == technician.pk

        # when they choose C with the arrow keys and submit with Enter
        page.get_by_label("A. A1-").focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.get_by_label("C. A1-").is_checked()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")

        # then they see that it is right, the key, the rationale and the credit
        page.get_by_role("heading", name="Correct", exact=True).wait_for()
        text = page.get_by_role("main").inner_text()
        assert "The correct answer is C" in text
        assert question.item_version.rationale in text
        assert "Credits so far for A1 in this subscription: 1." in text
        _fits(page)
    finally:
        context.close()
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert RenewalCredit.objects.filter(technician=technician).count() == 1
