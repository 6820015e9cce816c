"""Reopening an exam goes back to the question last viewed, in the same browser and
in a new one the proctor moved the exam to; on question 1 "Previous" is disabled and
looks it; the submit dialog counts the flagged questions beside the unanswered."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.delivery.launch import attempt_device_reset
from certwright.delivery.models import Attempt
from tests.browser.test_exam_player import (
    _signed_in,
    _wait_position_kept,
    _wait_saved,
    exam,  # noqa: F401 (the fixture)
    exam_to_launch,  # noqa: F401 (the fixture it uses)
)
from tests.support.browser import launch_code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _on_question(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('item-heading').textContent"
        ".startsWith('Question ' + n + ' ')",
        arg=n,
    )


def _looks_disabled(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            "s => { const b = document.querySelector(s);"
            " return b.disabled && getComputedStyle(b).opacity < 0.6; }",
            selector,
        )
    )


def test_previous_is_disabled_on_question_one(
    exam: tuple[Any, Attempt],  # noqa: F811
) -> None:
    # given the exam just started, on question 1
    page, _attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    _on_question(page, 1)
    # then Previous is disabled and looks it; Next does not
    assert _looks_disabled(page, "#prev-button")
    assert not _looks_disabled(page, "#next-button")


def test_the_submit_dialog_counts_flagged_questions(
    exam: tuple[Any, Attempt],  # noqa: F811
) -> None:
    # given one question answered and flagged, another flagged only
    page, _attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    page.check("#options input[value='1']")
    page.check("#flag")
    page.click("#next-button")
    page.check("#flag")
    _wait_saved(page)
    # when the candidate asks to submit
    page.click("#review-button")
    page.click("#submit-button")
    page.wait_for_selector("#confirm-dialog[open]")
    # then the dialog says how many are unanswered and how many flagged
    text = page.locator("#confirm-text").inner_text()
    assert "4 unanswered question(s) and 2 flagged for review" in text


def test_a_new_browser_reopens_on_the_last_question_viewed(
    exam: tuple[Any, Attempt],  # noqa: F811
    browser: Any,
    live_server: Any,
) -> None:
    # given the candidate moved on to question 3
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    page.check("#options input[value='2']")
    page.click("#next-button")
    page.click("#next-button")
    _on_question(page, 3)
    _wait_saved(page)
    # when the page is reloaded, then it is on question 3
    page.reload()
    page.wait_for_selector("#item-screen:not([hidden])")
    _on_question(page, 3)
    # when the proctor moves the exam to a new browser (empty storage)
    _wait_position_kept(attempt.pk, 2)  # the player tells the server where it is
    attempt_device_reset(
        attempt_id=attempt.pk, actor=attempt.authorised_by, reason="browser froze"
    )
    other = _signed_in(browser, live_server, attempt.technician.user)
    try:
        fresh = other.new_page()
        fresh.goto(f"/exam/{attempt.pk}/")
        fresh.get_by_label("Launch code").fill(launch_code_of(attempt.pk))
        fresh.get_by_role("button", name="Launch the exam").click()
        fresh.wait_for_selector("#item-screen:not([hidden])")
        # then it opens on question 3 too
        _on_question(fresh, 3)
        # and question 1 still holds its answer
        fresh.click("#prev-button")
        fresh.click("#prev-button")
        _on_question(fresh, 1)
        assert fresh.is_checked("#options input[value='2']")
    finally:
        other.close()
