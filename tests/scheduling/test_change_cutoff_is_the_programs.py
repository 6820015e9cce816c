"""The no-change window is program data ([scheduling] change_cutoff_days): the
booking e-mail and the appointment's pages say the program's number of days, not
ASE's 3 written into the text."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from certwright.core import program as program_module
from certwright.notifications.models import OutboundEmail
from certwright.program import get_program
from certwright.scheduling.services import appointment_book
from tests.support.scheduling import days_from_now, local


@pytest.fixture
def five_day_cutoff(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """The installed program, with changes closing 5 days before a test."""
    base = get_program(settings.CERTWRIGHT_PROGRAM)
    changed = dataclasses.replace(
        base,
        scheduling=dataclasses.replace(base.scheduling, change_cutoff_days=5),
    )
    monkeypatch.setattr(program_module, "get_program", lambda _name: changed)


@pytest.mark.django_db
def test_the_booking_mail_and_pages_say_the_programs_cutoff(
    frozen, candidate, centre, buy, client, five_day_cutoff
):
    """Booked 4 days ahead under a 5-day cutoff: the e-mail says "5 days", the
    appointment page says it can no longer be changed within 5 days, and the
    order page's refund rule says 5 days too; no page says 3."""
    # given an A1 booked four days from now
    line = buy(candidate, "A1")[0]
    day = days_from_now(4)
    while day.weekday() >= 5:  # the test centre is closed at weekends
        day = days_from_now(4 + (7 - day.weekday()))
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(day, 9),
        order_line_ids=[line.pk],
    )
    # then the booking e-mail names the program's cutoff
    mail = OutboundEmail.objects.get(template="appointment_booked")
    assert "until 5 days before the test" in mail.text_body
    assert "until 5 days before the test" in mail.html_body
    assert "3 days" not in mail.text_body
    # and the appointment page, inside the window, says why it cannot change
    client.force_login(candidate.user)
    page = client.get(
        reverse("scheduling:appointment_detail", args=[appointment.pk])
    ).content.decode()
    assert "within 5 days of the test" in page
    cancel = client.get(
        reverse("scheduling:appointment_cancel", args=[appointment.pk])
    ).content.decode()
    assert "changes close 5 days before the test" in cancel
    order = client.get(
        reverse("commerce:order_detail", args=[line.order_id])
    ).content.decode()
    assert "at least 5 days ahead" in order
    for text in (page, cancel, order):
        assert "3 days" not in text
