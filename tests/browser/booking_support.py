"""Shared by the booking picker's browser tests: a candidate with a paid A1 line and
a Chicago centre open Monday to Saturday, signed in on a desktop page of the booking
form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certwright.core.clock import now
from certwright.scheduling.models import TestCentre
from tests.browser.test_exam_player import _signed_in
from tests.support.browser import DESKTOP
from tests.support.forms import forms_publish_for_every_test
from tests.support.scheduling import candidate_create, centre_create, lines_buy


def chicago_today(centre: TestCentre) -> dt.date:
    return now().astimezone(centre.tz).date()


def next_weekday(after: dt.date, weekday: int) -> dt.date:
    """The first day after ``after`` (at least two days on) that is ``weekday``."""
    day = after + dt.timedelta(days=2)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def booking_page(browser: Any, live_server: Any) -> tuple[Any, Any, TestCentre]:
    """(context, page on /booking/book/, centre)."""
    centre = centre_create(time_zone="America/Chicago", weekdays=(0, 1, 2, 3, 4, 5))
    # Only a test with a published form is booked (tests/support/forms.py).
    forms_publish_for_every_test(["A1"])
    technician = candidate_create("Bo Booker")
    lines_buy(
        technician, "A1", must_take_by=chicago_today(centre) + dt.timedelta(days=60)
    )
    context = _signed_in(browser, live_server, technician.user, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/booking/book/")
    return context, page, centre


def show_free_times(page: Any, centre: TestCentre, day: dt.date) -> str:
    """Choose ``centre`` and ``day``, press "Show free times"; the picker's text."""
    page.get_by_label("2. Test centre").select_option(str(centre.pk))
    page.get_by_label("3. Day").fill(day.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show free times").click()
    return str(page.locator("#slot-picker").inner_text())
