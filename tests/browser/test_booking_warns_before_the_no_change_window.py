"""Booking says before the candidate confirms that a day inside the no-change window
cannot be changed afterwards, and offers no same-day seats (ASE's program data:
same_day_booking = false)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certwright.scheduling.models import Appointment
from certwright.scheduling.selectors import centre_local_today

from .pages_setup import candidate, lines_bought, midday_centre
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose(page: Any, centre_id: int, day: dt.date) -> None:
    page.locator("select[name=centre]").select_option(str(centre_id))
    page.locator("input[name=date]").fill(day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.wait_for_load_state()


def test_the_warning_shows_before_booking_inside_the_window_and_not_outside(
    phone: Any, live_server: Any, shoot: Any
) -> None:
    """Tomorrow: the free times come with "No changes after booking." before the
    Book button; ten days out: no such warning."""
    # given a candidate with A4 bought
    user, technician = candidate()
    centre = midday_centre()
    lines_bought(technician, "A4")
    tomorrow = centre_local_today(centre) + dt.timedelta(days=1)
    sign_in(phone, user, live_server.url)
    phone.goto("/booking/book/")

    # when she chooses tomorrow
    _choose(phone, centre.pk, tomorrow)
    shoot(phone, "inside-window")

    # then the warning is on the page with the free times, and nothing is booked
    warning = phone.locator("#no-change-warning")
    assert warning.is_visible()
    assert "cannot be rescheduled or cancelled" in warning.inner_text()
    assert phone.locator("input[name=starts_at]").count() > 0
    assert not Appointment.objects.exists()

    # when she chooses a day ten days out instead
    _choose(phone, centre.pk, tomorrow + dt.timedelta(days=9))

    # then there are free times and no warning
    assert phone.locator("input[name=starts_at]").count() > 0
    assert phone.locator("#no-change-warning").count() == 0


def test_no_same_day_seats_are_offered(phone: Any, live_server: Any) -> None:
    """Today at the centre: no free times, a reason naming the first bookable day,
    and the date input starts tomorrow."""
    # given a candidate with A4 bought, at noon at the centre
    user, technician = candidate()
    centre = midday_centre()
    lines_bought(technician, "A4")
    local_today = centre_local_today(centre)
    sign_in(phone, user, live_server.url)
    phone.goto("/booking/book/")

    # when she asks for today's free times
    _choose(phone, centre.pk, local_today)

    # then none is offered, and the page says why
    assert phone.locator("input[name=starts_at]").count() == 0
    tomorrow = local_today + dt.timedelta(days=1)
    assert "cannot be booked for the same day" in phone.locator("main").inner_text()
    assert tomorrow.isoformat() in phone.locator("#slot-picker").inner_text()
    assert (
        phone.locator("input[name=date]").get_attribute("min") >= tomorrow.isoformat()
    )
