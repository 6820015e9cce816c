"""Calendar invitations for appointments (RFC 5545, iTIP methods REQUEST and CANCEL).

A calendar client matches an update to the event it already has by ``UID`` and keeps
the one with the highest ``SEQUENCE``: a reschedule sends the same UID with a higher
sequence and METHOD REQUEST, a cancellation the same UID, a higher sequence, METHOD
CANCEL and STATUS CANCELLED. Times are written in UTC (``...Z``), which every client
shows in its own zone, so no VTIMEZONE block is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import icalendar

from certwright.core.clock import now

PRODID = "-//Certwright//Certwright appointments//EN"

Method = Literal["REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "CANCELLED", "TENTATIVE"]


def _utc(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(dt.UTC)


def appointment_ics(
    *,
    uid: str,
    sequence: int,
    method: Method,
    summary: str,
    description: str,
    start: dt.datetime,
    end: dt.datetime,
    location: str,
    organizer_email: str,
    attendee_email: str,
    status: Status | None = None,
) -> bytes:
    """One VEVENT in a VCALENDAR, as the bytes of an ``.ics`` file.

    ``status`` defaults to CANCELLED for METHOD CANCEL and CONFIRMED otherwise.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, got {method!r}")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise ValueError("end must be after start")
    status = status or ("CANCELLED" if method == "CANCEL" else "CONFIRMED")

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", now().astimezone(dt.UTC).replace(microsecond=0))
    event.add("dtstart", start_utc)
    event.add("dtend", end_utc)
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("status", status)
    event.add("transp", "OPAQUE")

    organizer = icalendar.vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = icalendar.vText("Certwright")
    event["organizer"] = organizer
    attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText(
        "DECLINED" if method == "CANCEL" else "ACCEPTED"
    )
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    event.add("attendee", attendee, encode=False)

    calendar.add_component(event)
    return calendar.to_ical()


def ics_attachment(
    ics: bytes, *, method: Method, filename: str = "invite.ics"
) -> tuple[str, bytes, str]:
    """The (filename, content, mimetype) triple ``email_send`` attaches."""
    return (filename, ics, f"text/calendar; method={method}; charset=utf-8")
