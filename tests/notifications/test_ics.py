"""appointment_ics builds RFC 5545 invitations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import time_machine

from certwright.notifications.ics import appointment_ics

ARGS: dict[str, Any] = {
    "uid": "appt-1@certwright",
    "summary": "A1, A5",
    "description": "Bring an ID; commas, semicolons; and\nnew lines survive.",
    "start": dt.datetime(2026, 1, 10, 8, 30, tzinfo=dt.UTC),
    "end": dt.datetime(2026, 1, 10, 11, 0, tzinfo=dt.UTC),
    "location": "Centre; Room 2",
    "organizer_email": "noreply@certwright.test",
    "attendee_email": "pat@example.com",
}


@time_machine.travel(dt.datetime(2026, 1, 2, 12, 0, 5, tzinfo=dt.UTC), tick=False)
def test_a_request_carries_every_required_property():
    """PRODID, VERSION, METHOD, and in the event UID, SEQUENCE, DTSTAMP, DTSTART and
    DTEND in UTC, STATUS, ORGANIZER and ATTENDEE; text is escaped and round-trips."""
    # when
    raw = appointment_ics(sequence=0, method="REQUEST", **ARGS)

    # then
    text = raw.decode()
    assert "DTSTART:20260110T083000Z" in text
    assert "DTSTAMP:20260102T120005Z" in text
    assert "\r\n" in text
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert int(str(event["SEQUENCE"])) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == ARGS["description"]
    assert str(event["LOCATION"]) == "Centre; Room 2"
    assert str(event["ORGANIZER"]) == "mailto:noreply@certwright.test"
    assert str(event["ATTENDEE"]) == "mailto:pat@example.com"


def test_a_cancel_defaults_to_status_cancelled():
    """METHOD CANCEL without a status says CANCELLED."""
    calendar = icalendar.Calendar.from_ical(
        appointment_ics(sequence=4, method="CANCEL", **ARGS)
    )
    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(str(event["SEQUENCE"])) == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": dt.datetime(2026, 1, 10, 8, 30)}, "timezone-aware"),
        ({"end": dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)}, "after start"),
        ({"method": "PUBLISH"}, "REQUEST or CANCEL"),
    ],
)
def test_impossible_invitations_are_refused(change, message):
    """Naive times, an end before the start and unknown methods are errors."""
    args = {**ARGS, "sequence": 0, "method": "REQUEST", **change}
    with pytest.raises(ValueError, match=message):
        appointment_ics(**args)
