"""An appointment as a calendar invitation and as e-mail.

The invitation is built by ``notifications.ics.appointment_ics``; this module decides
what goes in it. The UID is the appointment's for its whole life and the SEQUENCE its
``sequence``, which every reschedule and the cancellation raise, so a calendar
replaces the event it already has. A cancelled appointment is METHOD CANCEL.
"""

from __future__ import annotations

import logging
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse

from certwright.core.program import current_program
from certwright.notifications.ics import Method, appointment_ics, ics_attachment
from certwright.notifications.services import email_send
from certwright.scheduling.models import Appointment, AppointmentStatus

logger = logging.getLogger(__name__)


def organizer_email() -> str:
    """The program's from-address, without its display name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def attendee_email(appointment: Appointment) -> str:
    technician = appointment.technician
    if technician.email:
        return technician.email
    user = technician.user
    return user.email if user is not None else ""


def _test_codes(appointment: Appointment) -> list[str]:
    released = appointment.status == AppointmentStatus.CANCELLED
    return sorted(
        t.test for t in appointment.tests.all() if released or t.released_at is None
    )


def appointment_invite(appointment: Appointment) -> tuple[bytes, Method]:
    """The .ics of the appointment as it stands, and its METHOD."""
    method: Method = (
        "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"
    )
    program = current_program()
    centre = appointment.centre
    codes = ", ".join(_test_codes(appointment))
    local = appointment.local_start()
    description = (
        f"{program.name}: {codes} at {centre.name}, {local:%A %d %B %Y %H:%M}"
        f" ({centre.time_zone}). Arrive on time with a government-issued photo ID;"
        f" the appointment includes 30 minutes for check-in, a tutorial and a survey."
    )
    ics = appointment_ics(
        uid=appointment.uid,
        sequence=appointment.sequence,
        method=method,
        summary=f"{program.name} test: {codes}",
        description=description,
        start=appointment.starts_at,
        end=appointment.ends_at,
        location=centre.address,
        organizer_email=organizer_email(),
        attendee_email=attendee_email(appointment) or organizer_email(),
    )
    return ics, method


def _context(appointment: Appointment) -> dict[str, Any]:
    centre = appointment.centre
    return {
        "name": appointment.technician.name,
        "tests": _test_codes(appointment),
        "centre_name": centre.name,
        "centre_address": centre.address,
        "time_zone": centre.time_zone,
        "local_start": appointment.local_start(),
        "local_end": appointment.local_end(),
        "minutes": appointment.minutes,
        "cutoff_days": current_program().scheduling.change_cutoff_days,
        "appointment_url": settings.CERTWRIGHT_SITE_URL
        + reverse("scheduling:appointment_detail", args=[appointment.pk]),
    }


def appointment_mail(
    appointment: Appointment, *, template: str, invite: bool = True
) -> None:
    """E-mail the candidate (after commit), with the invitation attached."""
    # One read of the tests for the invitation and the text.
    prefetch_related_objects([appointment], "tests")
    to = attendee_email(appointment)
    if not to:
        logger.warning("appointment %s: the candidate has no e-mail", appointment.pk)
        return
    attachments = []
    if invite:
        ics, method = appointment_invite(appointment)
        attachments.append(ics_attachment(ics, method=method))
    email_send(
        to=to,
        template=template,
        context=_context(appointment),
        attachments=attachments,
    )
