"""A proctor's pause reaches the candidate's screen within 3 seconds: the paused
screen replaces the question (no answer can be chosen) and the clock stops. Measured
from the pause (the service call) to the paused screen."""

from __future__ import annotations

import time
from typing import Any

import pytest

from certwright.delivery.attempts import attempt_pause
from certwright.delivery.models import Attempt
from tests.browser.test_exam_player import (
    exam,  # noqa: F401 (the fixture)
    exam_to_launch,  # noqa: F401 (the fixture it uses)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pause_shows_within_three_seconds(
    exam: tuple[Any, Attempt],  # noqa: F811
) -> None:
    # given the candidate on a question, the exam running
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    # (a poll has just happened: the next is as far away as it gets)
    page.wait_for_timeout(200)
    # when the proctor pauses the exam
    paused_at = time.monotonic()
    attempt_pause(attempt_id=attempt.pk, actor="proctor", reason="fire alarm")
    # then the paused screen shows within 3 seconds
    page.wait_for_selector("#paused-screen:not([hidden])", timeout=5_000)
    latency = time.monotonic() - paused_at
    assert latency <= 3.0, f"the pause took {latency:.1f} s to reach the screen"
    # and no answer can be chosen, and the clock stands still
    assert page.locator("#item-screen").is_hidden()
    clock = page.locator("#clock").inner_text()
    page.wait_for_timeout(2_100)
    assert page.locator("#clock").inner_text() == clock
