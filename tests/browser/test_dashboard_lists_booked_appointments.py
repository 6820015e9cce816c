"""The dashboard's "Tests bought and appointments" lists every booked appointment:
the tests, the date and time at the centre with its zone, the centre, and the last
day it may be changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certwright.scheduling import hours
from certwright.scheduling.selectors import centre_local_today, last_change_day
from certwright.scheduling.services import appointment_book

from .pages_setup import candidate, lines_bought, midday_centre
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_todays_a1_and_a_future_a5_show_on_the_dashboard(
    phone: Any, live_server: Any, shoot: Any
) -> None:
    """A1 today (seated as a walk-in) and A5 in ten days both show, each with its
    centre time, zone, centre and change deadline."""
    # given a candidate with A1 booked today and A5 in ten days
    user, technician = candidate()
    centre = midday_centre()
    a1, a5 = lines_bought(technician, "A1", "A5")
    local_today = centre_local_today(centre)
    today_slot = hours.local_to_utc(local_today, dt.time(14), centre.tz)
    appointment_book(
        technician_id=technician.pk,
        centre_id=centre.pk,
        starts_at=today_slot,
        order_line_ids=[a1.pk],
        walk_in=True,
    )
    later = local_today + dt.timedelta(days=10)
    future = appointment_book(
        technician_id=technician.pk,
        centre_id=centre.pk,
        starts_at=hours.local_to_utc(later, dt.time(9), centre.tz),
        order_line_ids=[a5.pk],
    )

    # when she opens her dashboard
    sign_in(phone, user, live_server.url)
    phone.goto("/me/")
    section = phone.locator("section[aria-labelledby=orders]")
    text = section.inner_text()
    shoot(phone, "dashboard-appointments")

    # then both appointments are listed with their centre time and zone
    items = section.locator("li.appointment")
    assert items.count() == 2
    first, second = items.nth(0).inner_text(), items.nth(1).inner_text()
    assert "A1" in first
    assert f"{local_today:%A} {local_today.day} " in first
    assert "14:00" in first
    assert centre.time_zone in first
    assert "A5" in second
    assert "09:00" in second
    assert centre.time_zone in second
    assert "Pages Test Centre" in text
    # and the last day each may be changed (today's: no longer)
    assert "can no longer be changed" in first
    assert f"through {last_change_day(future):%Y-%m-%d}" in second
