"""The day-before reminder: appointments starting tomorrow in their centre's
calendar, each reminded exactly once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from certwright.notifications.models import OutboundEmail
from certwright.scheduling.models import Appointment
from certwright.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reminders_send,
    appointment_reschedule,
)
from tests.support.scheduling import NOW, days_from_now, local


def _book(candidate, centre, start, buy):
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=start,
        order_line_ids=[buy(candidate, "A1")[0].pk],
    )


def _reminders() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template="appointment_reminder"))


@pytest.mark.django_db
def test_a_reminder_goes_out_once_the_day_before(frozen, centre, make_candidate, buy):
    """Run twice on Monday: Tuesday's appointment is reminded once; Wednesday's and
    a cancelled one are not."""
    # given appointments on Tuesday, on Wednesday, and a cancelled one on Tuesday,
    # booked a week earlier
    frozen.move_to(NOW - dt.timedelta(days=7))
    tuesday = _book(make_candidate(), centre, local(days_from_now(1), 9), buy)
    _book(make_candidate(), centre, local(days_from_now(2), 9), buy)
    cancelled = _book(make_candidate(), centre, local(days_from_now(1), 10), buy)
    appointment_cancel(appointment_id=cancelled.pk)
    frozen.move_to(NOW)
    # when the sweep runs twice
    first = appointment_reminders_send()
    second = appointment_reminders_send()
    # then one reminder was sent, to Tuesday's candidate, and none the second time
    assert (first, second) == (1, 0)
    (email,) = _reminders()
    assert email.to == [tuesday.technician.email]
    assert "Tomorrow at 09:00" in email.subject
    tuesday.refresh_from_db()
    assert tuesday.reminder_sent_at == NOW


@pytest.mark.django_db
def test_tomorrow_is_the_centres_local_tomorrow(frozen, make_centre, candidate, buy):
    """At 20:00 UTC on Monday it is already Tuesday 05:00 in Tokyo: a Tokyo
    appointment on Wednesday morning (still Tuesday in UTC) is the one reminded."""
    # given a Tokyo centre and an appointment there on Wednesday 09:00 local
    tokyo = make_centre(time_zone="Asia/Tokyo")
    wednesday = local(days_from_now(2), 9, tz=ZoneInfo("Asia/Tokyo"))
    _book(candidate, tokyo, wednesday, buy)
    # when the sweep runs on Monday at 20:00 UTC
    frozen.move_to(NOW.replace(hour=20))
    sent = appointment_reminders_send()
    # then it is reminded
    assert sent == 1


@pytest.mark.django_db
def test_a_rescheduled_appointment_is_reminded_again(frozen, centre, candidate, buy):
    """A reminder belongs to a date: moving the appointment makes a new one due."""
    # given an appointment in ten days whose reminder is marked sent
    appointment = _book(candidate, centre, local(days_from_now(10), 9), buy)
    Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=NOW)
    # when it is moved a day later
    appointment_reschedule(
        appointment_id=appointment.pk, starts_at=local(days_from_now(11), 9)
    )
    # then the reminder is due again, and sent the day before the new date
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    frozen.move_to(NOW + dt.timedelta(days=10))
    assert appointment_reminders_send() == 1


@pytest.mark.django_db
def test_the_command_sends_the_due_reminders(frozen, centre, candidate, buy):
    """``certwright reminders send`` runs the sweep and says how many went out."""
    # given an appointment tomorrow
    frozen.move_to(NOW - dt.timedelta(days=7))
    _book(candidate, centre, local(days_from_now(1), 9), buy)
    frozen.move_to(NOW)
    # when the command runs twice
    out = StringIO()
    call_command("reminders", "send", stdout=out)
    call_command("reminders", "send", stdout=out)
    # then one reminder, then none
    assert out.getvalue().splitlines() == ["1 reminder(s) sent", "0 reminder(s) sent"]
