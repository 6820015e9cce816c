"""In the staff admin an appointment's time is the centre's clock with its zone (09:00
in Chicago reads "09:00 CDT (America/Chicago)", not UTC's 3 p.m.), the admin index has
one "Accounts" section, and voucher batches are spelled so."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from certwright.scheduling.models import Appointment, AppointmentStatus
from tests.browser.test_exam_player import _signed_in
from tests.support.browser import DESKTOP
from tests.support.scheduling import candidate_create, centre_create, user_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO_NINE = dt.datetime(2026, 6, 9, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def _booked_at_nine_in_chicago() -> Appointment:
    centre = centre_create(time_zone="America/Chicago", code="chicago1")
    return Appointment.objects.create(
        technician=candidate_create("Dana Early"),
        centre=centre,
        starts_at=CHICAGO_NINE,
        ends_at=CHICAGO_NINE + dt.timedelta(hours=2),
        status=AppointmentStatus.BOOKED,
        uid=f"{uuid.uuid4()}@test",
    )


def _superuser() -> Any:
    """A superuser with an authenticator app (staff need a second factor)."""
    from allauth.mfa.models import Authenticator

    user = user_create("root@example.com", is_staff=True, is_superuser=True)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


def test_appointment_times_are_the_centres_with_its_zone(
    browser: Any, live_server: Any
) -> None:
    """The list and the appointment's page show 09:00 CDT, and no 3 p.m."""
    # given an appointment at 09:00 in Chicago (14:00 UTC) and a superuser
    appointment = _booked_at_nine_in_chicago()
    staff = _superuser()
    context = _signed_in(browser, live_server, staff, viewport=DESKTOP)
    page = context.new_page()
    try:
        # when staff open the appointments
        page.goto("/admin/scheduling/appointment/")
        # then the row shows the centre's time and zone
        row = page.locator("#result_list tbody tr").first
        assert "2026-06-09 09:00 CDT (America/Chicago)" in row.inner_text()
        assert "p.m." not in row.inner_text()
        # when they open it
        page.goto(f"/admin/scheduling/appointment/{appointment.pk}/change/")
        # then its start, end and title are on the centre's clock
        body = page.locator("#content").inner_text()
        assert "2026-06-09 09:00 CDT (America/Chicago)" in body
        assert "2026-06-09 11:00 CDT (America/Chicago)" in body
        assert "2026-06-09 09:00 CDT chicago1" in page.title()
        # and nowhere in Django's UTC format ("June 9, 2026, 2 p.m."; the booked
        # and updated stamps are the real clock's, on another day)
        assert "June 9, 2026" not in body
    finally:
        context.close()


def test_the_admin_index_names_each_section_once(
    browser: Any, live_server: Any
) -> None:
    """No two sections of the admin index share a heading; "Voucher batches" is
    spelled right."""
    # given
    staff = _superuser()
    context = _signed_in(browser, live_server, staff, viewport=DESKTOP)
    page = context.new_page()
    try:
        # when
        page.goto("/admin/")
        # then
        headings = [
            text.strip().casefold()
            for text in page.locator("#content-main caption").all_inner_texts()
        ]
        assert headings, "the admin index shows no sections"
        assert len(headings) == len(set(headings)), headings
        assert page.get_by_role("link", name="Voucher batches").count() == 1
        assert "batchs" not in page.locator("#content-main").inner_text().casefold()
    finally:
        context.close()
