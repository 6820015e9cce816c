"""E-mail through a real SMTP server on loopback, parsed back with the email package
and the icalendar library."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import icalendar
import pytest

from certwright.notifications.ics import appointment_ics, ics_attachment
from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import email_send

from .smtp import smtp_server

pytestmark = pytest.mark.django_db


def _invitation(sequence: int, method: str) -> bytes:
    return appointment_ics(
        uid="appointment-42@certwright.test",
        sequence=sequence,
        method=method,  # type: ignore[arg-type]
        summary="ASE A1 Engine Repair",
        description="Bring a photo ID.",
        start=dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
        end=dt.datetime(2026, 5, 4, 15, 15, tzinfo=dt.UTC),
        location="Springfield Test Centre, 1 Main St",
        organizer_email="noreply@certwright.test",
        attendee_email="pat@example.com",
    )


def test_an_email_with_an_invitation_arrives_through_smtp_with_its_ics_intact(
    django_capture_on_commit_callbacks,
):
    """A message sent after commit reaches a real SMTP server with a text body, an
    HTML alternative and a text/calendar; method=REQUEST part whose UID, SEQUENCE
    and METHOD read back with icalendar."""
    # given
    ics = _invitation(2, "REQUEST")
    # when
    with (
        smtp_server() as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = email_send(
            to="pat@example.com",
            template="test_message",
            context={"note": "Fish & chips <b>"},
            attachments=[ics_attachment(ics, method="REQUEST")],
            headers={"X-Certwright-Test": "yes"},
        )

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert len(server.messages) == 1
    assert server.envelopes[0].rcpt_tos == ["pat@example.com"]
    message = email.message_from_bytes(server.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Test message"
    assert message["To"] == "pat@example.com"
    assert message["X-Certwright-Test"] == "yes"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    # The text part is not HTML-escaped; the HTML part is.
    assert "Fish & chips <b>" in text.get_content()
    assert "Fish &amp; chips &lt;b&gt;" in html.get_content()
    [calendar_part] = [
        p for p in message.walk() if p.get_content_type() == "text/calendar"
    ]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_filename() == "invite.ics"
    payload = calendar_part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "Certwright" in str(calendar["PRODID"])
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "appointment-42@certwright.test"
    assert int(str(event["SEQUENCE"])) == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == dt.datetime(2026, 5, 4, 13, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 5, 4, 15, 15, tzinfo=dt.UTC)
    assert "DTSTAMP" in event


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence(
    django_capture_on_commit_callbacks,
):
    """A cancellation goes out as METHOD CANCEL, STATUS CANCELLED, with the
    appointment's UID and a higher SEQUENCE than the invitation it cancels."""
    # given: a server; when: a message is sent
    with (
        smtp_server() as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        email_send(
            to=["pat@example.com"],
            template="test_message",
            context={},
            attachments=[ics_attachment(_invitation(3, "CANCEL"), method="CANCEL")],
        )

    # then
    message = email.message_from_bytes(server.messages[0], policy=email.policy.default)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == "appointment-42@certwright.test"
    assert int(str(event["SEQUENCE"])) == 3
    assert str(event["STATUS"]) == "CANCELLED"
    assert OutboundEmail.objects.get().status == EmailStatus.SENT
