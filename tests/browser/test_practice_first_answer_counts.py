"""Practice in a real browser: after "Not quite" the candidate cannot switch to the
key and be told "Correct." (the first checked answer locks the question), and the
end of the practice test is a summary, not a result, reviewing every question with
the answer chosen, the key and the rationale."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from certwright.candidates.models import Technician
from certwright.delivery.attempts import practice_attempt_create
from certwright.delivery.models import Response
from certwright.itembank.models import FormItem
from tests.browser.test_exam_player import _player_items, _signed_in, _wait_saved
from tests.delivery.test_practice_tests import _entitle
from tests.support.browser import DESKTOP
from tests.support.delivery import form_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_answer_counts_and_the_end_reviews_every_question(
    browser: Any, live_server: Any
) -> None:
    # given a candidate on a started practice test
    user = get_user_model().objects.create_user(
        username="first@example.com", email="first@example.com", password=None
    )
    technician = Technician.objects.create(
        certification_id="CWT0000002", name="Fran First", email=user.email, user=user
    )
    _entitle(technician)
    form_create(kind="practice")
    attempt = practice_attempt_create(technician_id=technician.pk, test="A1")
    keys = dict(
        FormItem.objects.filter(form_id=attempt.form_id).values_list(
            "pk", "item_version__key"
        )
    )
    context = _signed_in(browser, live_server, user, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"/exam/{attempt.pk}/")
        page.click("#start-button")
        page.wait_for_selector("#item-screen:not([hidden])")
        ids = _player_items(page)
        key = keys[ids[0]]
        wrong = (key + 1) % 4
        # when they pick a wrong answer and check it
        page.check(f"#options input[value='{wrong}']")
        page.click("#check-button")
        # then "Not quite", with the key
        page.wait_for_selector("#feedback:not([hidden])")
        assert "Not quite: the answer is " + "ABCD"[key] in page.inner_text("#feedback")
        _wait_saved(page)
        # and the key cannot be chosen any more: the options are locked
        assert page.locator(f"#options input[value='{key}']").is_disabled()
        assert page.locator("#check-button").is_hidden()
        assert page.locator("#item-lock").is_visible()
        # even after a reload
        page.reload()
        page.wait_for_selector("#item-screen:not([hidden])")
        assert page.locator(f"#options input[value='{key}']").is_disabled()
        assert page.is_checked(f"#options input[value='{wrong}']")
        # when they answer the second question right and finish
        page.click("#next-button")
        page.check(f"#options input[value='{keys[ids[1]]}']")
        page.click("#check-button")
        page.wait_for_selector("#feedback:not([hidden])")
        assert "Correct." in page.inner_text("#feedback")
        _wait_saved(page)
        page.click("#review-button")
        page.click("#submit-button")
        page.click("#confirm-submit")
        page.wait_for_url(f"**/exam/{attempt.pk}/result/")
        # then the end is a practice summary, not a result
        heading = page.inner_text("h1")
        assert heading == "A1 practice test: summary"
        assert "result" not in page.title().lower()
        assert f"1 of {len(ids)} questions right" in page.inner_text("#practice-score")
        # with every question: the stem, the answer chosen, the key and why
        for n in range(1, len(ids) + 1):
            assert page.locator(f"#review-{n}").is_visible()
        first = page.inner_text("#review-1")
        assert "(your answer)" in first
        assert "(the answer)" in first
        assert "RATIONALE-" in first
    finally:
        context.close()
    # and the server kept the first answer
    assert Response.objects.get(attempt=attempt, form_item_id=ids[0]).choice == wrong
