"""When a day has no free times the booking form says why: the day has passed, the
centre is closed that day (with the closure's reason: Newark's staff training day),
or it does not open on that weekday (Sunday)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certwright.scheduling.models import Closure
from tests.browser.booking_support import (
    booking_page,
    chicago_today,
    next_weekday,
    show_free_times,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_day_without_times_says_why(browser: Any, live_server: Any) -> None:
    # given a centre open Monday to Saturday, closed next Wednesday for training
    context, page, centre = booking_page(browser, live_server)
    today = chicago_today(centre)
    wednesday = next_weekday(today, 2)
    Closure.objects.create(
        centre=centre, starts_on=wednesday, ends_on=wednesday, reason="Staff training"
    )
    try:
        # when the candidate picks a past day
        text = show_free_times(page, centre, today - dt.timedelta(days=2))
        # then
        assert "has passed" in text, text
        # when a Sunday
        text = show_free_times(page, centre, next_weekday(today, 6))
        # then
        assert f"{centre.name} is closed every Sunday." in text, text
        # when the training day
        text = show_free_times(page, centre, wednesday)
        # then
        assert (
            f"{centre.name} is closed on {wednesday.isoformat()}: Staff training."
            in text
        ), text
        assert "No free times" not in text
    finally:
        context.close()
