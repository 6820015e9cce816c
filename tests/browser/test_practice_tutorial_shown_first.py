"""A practice test opens on its tutorial, with the practice-only lines (shorter
than the exam, feedback after each answer), although it is in progress from the
start; after the first answer the player goes straight to the questions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from certwright.candidates.models import Technician
from certwright.delivery.attempts import practice_attempt_create
from tests.browser.test_exam_player import _signed_in, _wait_saved
from tests.delivery.test_practice_tests import _entitle
from tests.support.browser import DESKTOP
from tests.support.delivery import form_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_practice_test_shows_its_tutorial_once(
    browser: Any, live_server: Any
) -> None:
    # given a candidate with the A1 practice entitlement and a practice form four
    # questions long (the exam's blueprint has more)
    user = get_user_model().objects.create_user(
        username="practiser@example.com", email="practiser@example.com", password=None
    )
    technician = Technician.objects.create(
        certification_id="CWT0000001", name="Pat Practiser", email=user.email, user=user
    )
    _entitle(technician)
    form = form_create(kind="practice")
    form.assembly = {"blueprint_scored": 50}
    form.save(update_fields=["assembly"])
    attempt = practice_attempt_create(technician_id=technician.pk, test="A1")
    context = _signed_in(browser, live_server, user, viewport=DESKTOP)
    try:
        page = context.new_page()
        # when they open the practice test
        page.goto(f"/exam/{attempt.pk}/")
        # then the tutorial shows, with the practice lines
        page.wait_for_selector("#tutorial:not([hidden])")
        assert page.locator("#item-screen").is_hidden()
        tutorial = page.locator("#tutorial").inner_text()
        assert "Before you start the practice test" in tutorial
        assert "This practice test is shorter than the exam (50 scored" in tutorial
        assert "After each answer you see whether it is right and why." in tutorial
        # when they start it and answer (pick an option, check it)
        page.click("#start-button")
        page.wait_for_selector("#item-screen:not([hidden])")
        page.check("#options input[value='1']")
        page.click("#check-button")
        _wait_saved(page)
        # then the feedback shows
        page.wait_for_selector("#feedback:not([hidden])")
        # when the page is opened again, then it goes straight to the questions
        page.reload()
        page.wait_for_selector("#item-screen:not([hidden])")
        assert page.locator("#tutorial").is_hidden()
    finally:
        context.close()
