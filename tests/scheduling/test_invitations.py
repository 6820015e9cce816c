"""The e-mails and their calendar invitations: one UID for the appointment's life,
a higher SEQUENCE with every change, METHOD REQUEST or CANCEL."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from certwright.notifications.models import OutboundEmail
from certwright.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.support.scheduling import days_from_now, local

FRIDAY = days_from_now(11)


def _invitations(template: str) -> list[tuple[OutboundEmail, icalendar.Calendar]]:
    found = []
    for email in OutboundEmail.objects.filter(template=template).order_by("id"):
        for attachment in email.attachments.all():
            assert attachment.mimetype.startswith("text/calendar")
            found.append(
                (email, icalendar.Calendar.from_ical(bytes(attachment.content)))
            )
    return found


def _event(calendar: icalendar.Calendar) -> icalendar.cal.Component:
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.django_db
def test_book_reschedule_cancel_send_one_event_with_rising_sequence(
    frozen, candidate, centre, buy, settings
):
    """Booking sends METHOD REQUEST with SEQUENCE 0; the reschedule the same UID
    with SEQUENCE 1 and the new time; the cancellation METHOD CANCEL, STATUS
    CANCELLED and SEQUENCE 2. Times are UTC, the location the centre's address and
    the organizer the program's from-address."""
    # given the program's from-address
    settings.DEFAULT_FROM_EMAIL = "ASE Tests <tests@certwright.example>"
    # when A1 is booked, moved and cancelled
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(FRIDAY, 9),
        order_line_ids=[buy(candidate, "A1")[0].pk],
    )
    appointment_reschedule(appointment_id=appointment.pk, starts_at=local(FRIDAY, 11))
    appointment_cancel(appointment_id=appointment.pk)
    # then three e-mails to the candidate, each with one invitation
    ((booked_mail, booked),) = _invitations("appointment_booked")
    ((moved_mail, moved),) = _invitations("appointment_rescheduled")
    ((cancel_mail, cancelled),) = _invitations("appointment_cancelled")
    for email in (booked_mail, moved_mail, cancel_mail):
        assert email.to == [candidate.email]
        assert "A1" in email.subject
    # then the booking is a request for 09:00-10:45 Chicago, in UTC
    first = _event(booked)
    assert booked["METHOD"] == "REQUEST"
    assert first["SEQUENCE"] == 0
    assert first.decoded("DTSTART") == local(FRIDAY, 9).astimezone(dt.UTC)
    assert first.decoded("DTEND") == local(FRIDAY, 10, 45).astimezone(dt.UTC)
    assert first.decoded("DTSTART").tzinfo is not None
    assert str(first["LOCATION"]) == centre.address
    assert str(first["ORGANIZER"]) == "mailto:tests@certwright.example"
    assert str(first["UID"]) == appointment.uid
    assert appointment.uid.endswith("@127.0.0.1") or "@" in appointment.uid
    # then the reschedule updates the same event
    second = _event(moved)
    assert moved["METHOD"] == "REQUEST"
    assert (str(second["UID"]), second["SEQUENCE"]) == (appointment.uid, 1)
    assert second.decoded("DTSTART") == local(FRIDAY, 11).astimezone(dt.UTC)
    # then the cancellation cancels it
    third = _event(cancelled)
    assert cancelled["METHOD"] == "CANCEL"
    assert str(third["STATUS"]) == "CANCELLED"
    assert (str(third["UID"]), third["SEQUENCE"]) == (appointment.uid, 2)


@pytest.mark.django_db
def test_a_refused_booking_sends_nothing(frozen, candidate, centre, buy):
    """An e-mail goes out only for a change that was made."""
    # given a purchased test
    lines = buy(candidate, "A1")
    # when booked on a Sunday (closed)
    with pytest.raises(Exception, match="closed"):
        appointment_book(
            technician_id=candidate.pk,
            centre_id=centre.pk,
            starts_at=local(FRIDAY + dt.timedelta(days=2), 9),
            order_line_ids=[lines[0].pk],
        )
    # then no e-mail was stored
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_the_mail_is_sent_after_commit_with_the_invitation_attached(
    frozen, candidate, centre, buy, mailoutbox, django_capture_on_commit_callbacks
):
    """Once the booking commits, the queued e-mail goes out (inline tasks in tests)
    as a text/calendar part with method=REQUEST."""
    # given a purchased test
    lines = buy(candidate, "A1")
    # when booked and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            technician_id=candidate.pk,
            centre_id=centre.pk,
            starts_at=local(FRIDAY, 9),
            order_line_ids=[lines[0].pk],
        )
    # then one message with the invitation was sent
    (message,) = mailoutbox
    assert message.to == [candidate.email]
    parts = [
        p for p in message.message().walk() if p.get_content_type() == "text/calendar"
    ]
    (part,) = parts
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert _event(calendar)["SEQUENCE"] == 0
