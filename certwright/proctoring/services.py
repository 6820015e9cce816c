"""Writes for the proctor console: check-in with the ID check, the proctor's
controls made safe against a double click, and incident notes.

These wrap the delivery and scheduling services (which own the state and write the
attempt and appointment events) with what the console adds:

- ``appointment_check_in_verified``: the proctor confirms the photo ID was checked
  and that the name on it is the legal name on record, else nothing is recorded;
  the confirmation is an audit event of its own (``appointment.identity_checked``).
- ``attempt_control``: pause, resume, extra time and ending, against the attempt
  ``version`` the proctor's page showed. Sent twice from the same page (a double
  click, a resubmitted form), the second finds the first one's audit event from that
  version and changes nothing; extra time asked for on a page that is out of date
  is refused rather than given twice.
- ``incident_record``: the same note by the same person on the same sitting within
  ``INCIDENT_REPEAT`` is one note.

Refusals raise ``DeliveryError`` with a message for the proctor and write nothing.
Lock order as in delivery.attempt_changes: an attempt's row first; otherwise the
technician's row, then the appointment's (scheduling's order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import Event, EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.candidates.models import Technician
from certwright.core.clock import now as clock_now
from certwright.delivery import attempts, incidents, launch
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, Incident
from certwright.delivery.selectors import check_centre_staff
from certwright.scheduling.models import Appointment, AppointmentStatus
from certwright.scheduling.services import BookingError, appointment_check_in

# The same incident note sent again within this long is the same note.
INCIDENT_REPEAT = dt.timedelta(minutes=10)

ACTIONS = ("pause", "resume", "extend", "end", "device")
_ACTION_EVENTS = {
    "pause": EventKind.ATTEMPT_PAUSED,
    "resume": EventKind.ATTEMPT_RESUMED,
    "extend": EventKind.ATTEMPT_EXTENDED,
    "end": EventKind.ATTEMPT_VOIDED,
    # A new workstation: the bound browser loses the seat, a new launch code.
    "device": EventKind.ATTEMPT_DEVICE_RESET,
}


def _lock_sitting(appointment_id: int) -> Appointment:
    """The appointment locked, after its candidate's row (scheduling's order)."""
    technician_id = (
        Appointment.objects.filter(pk=appointment_id)
        .values_list("technician_id", flat=True)
        .first()
    )
    if technician_id is not None:
        Technician.objects.select_for_update().filter(pk=technician_id).exists()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("technician", "centre")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise DeliveryError("not_found", _("There is no such appointment."))
    return appointment


def _refusal(error: BookingError) -> DeliveryError:
    return DeliveryError(str(error.code or "state"), " ".join(error.messages))


# --- check-in ------------------------------------------------------------------------


def appointment_check_in_verified(
    *,
    appointment_id: int,
    id_checked: bool,
    name_matches: bool | None,
    actor: Actor,
) -> tuple[Appointment, bool]:
    """Check the candidate in once the proctor has confirmed the photo ID was
    checked and the name on it matches the legal name on record; (appointment,
    whether this call checked them in). A candidate already checked in stays so,
    with nothing written again. Refused (DeliveryError, nothing written) without
    the ID confirmation, with a name that does not match (the proctor notes an
    incident instead), or when scheduling refuses (not the appointment's day, not
    booked)."""
    with transaction.atomic():
        appointment = _lock_sitting(appointment_id)
        check_centre_staff(actor, appointment.centre_id)
        if appointment.status == AppointmentStatus.CHECKED_IN:
            return appointment, False
        if appointment.status != AppointmentStatus.BOOKED:
            raise DeliveryError(
                "state",
                _("This appointment is %(status)s.")
                % {"status": appointment.get_status_display()},
            )
        if not id_checked:
            raise DeliveryError(
                "id",
                _(
                    "Confirm that you checked the candidate's photo ID before"
                    " checking them in."
                ),
            )
        if name_matches is None:
            raise DeliveryError(
                "name",
                _("Say whether the name on the ID matches %(name)s.")
                % {"name": appointment.technician.name},
            )
        if not name_matches:
            raise DeliveryError(
                "name",
                _(
                    "The name on the ID does not match the registered name"
                    " (%(name)s): the candidate cannot be checked in. Note an"
                    " incident; the name on record is corrected by program staff."
                )
                % {"name": appointment.technician.name},
            )
        try:
            appointment = appointment_check_in(
                appointment_id=appointment.pk, actor=actor
            )
        except BookingError as error:
            raise _refusal(error) from None
        event_record(
            kind=EventKind.APPOINTMENT_IDENTITY_CHECKED,
            subject=f"appointment:{appointment.pk}",
            technician_id=appointment.technician_id,
            actor=actor,
            data={"id_checked": True, "name_matches": True},
            reason=f"photo ID checked; the name matches {appointment.technician.name}",
        )
    return appointment, True


# --- the proctor's controls on an attempt ------------------------------------------


def _done_from(attempt_id: int, action: str, version: int) -> bool:
    """Whether ``action`` was already applied to the attempt as it stood at
    ``version`` (its audit event records the version it changed)."""
    return Event.objects.filter(
        subject=f"attempt:{attempt_id}",
        kind=_ACTION_EVENTS[action],
        data__before__version=version,
    ).exists()


def _service_call(
    action: str, attempt_id: int, actor: Actor, reason: str, minutes: int | None
) -> Attempt:
    calls: dict[str, Callable[[], Attempt]] = {
        "pause": lambda: attempts.attempt_pause(
            attempt_id=attempt_id, actor=actor, reason=reason
        ),
        "resume": lambda: attempts.attempt_resume(
            attempt_id=attempt_id, actor=actor, reason=reason
        ),
        "extend": lambda: attempts.attempt_extend(
            attempt_id=attempt_id,
            minutes=minutes,  # type: ignore[arg-type]  # checked by the service
            reason=reason,
            actor=actor,
        ),
        "end": lambda: attempts.attempt_void(
            attempt_id=attempt_id, reason=reason, actor=actor
        ),
        "device": lambda: launch.attempt_device_reset(
            attempt_id=attempt_id, reason=reason, actor=actor
        ),
    }
    return calls[action]()


def attempt_control(
    *,
    action: str,
    attempt_id: int,
    version: int | None,
    actor: Actor,
    reason: str = "",
    minutes: int | None = None,
) -> tuple[Attempt, bool]:
    """Pause, resume, extend (``minutes``) or end an attempt as the proctor's page
    showed it (``version``; None: as it is now); (attempt, whether this call changed
    it). Sent again from the same page, an action already applied changes nothing;
    extra time asked for on a page that is out of date is refused (``stale``) so it
    is never given twice. The delivery service's refusals pass through."""
    if action not in _ACTION_EVENTS:
        raise DeliveryError("bad_request", _("That is not something a proctor does."))
    refused: DeliveryError | None = None
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            raise DeliveryError("not_found", _("There is no such exam attempt."))
        centre_id = (
            Appointment.objects.filter(pk=attempt.appointment_id)
            .values_list("centre_id", flat=True)
            .first()
            if attempt.appointment_id is not None
            else None
        )
        check_centre_staff(actor, centre_id)
        if version is not None and attempt.version != version:
            if _done_from(attempt.pk, action, version):
                return attempt, False
            if action == "extend":
                raise DeliveryError(
                    "stale",
                    _(
                        "The exam changed since this page was shown; look at the"
                        " time left and give the extra time again if it is still"
                        " needed."
                    ),
                )
        before = attempt.version
        try:
            attempt = _service_call(action, attempt.pk, actor, reason, minutes)
        except DeliveryError as error:
            # Kept for after the commit: a pause that finds the time already run
            # out closes the attempt before refusing, and that must stand.
            refused = error
    if refused is not None:
        raise refused
    return attempt, attempt.version != before


# --- incidents -----------------------------------------------------------------------


def incident_record(
    *,
    note: str,
    actor: Actor,
    appointment_id: int,
    attempt_id: int | None = None,
) -> tuple[Incident, bool]:
    """Note an incident on an appointment, or on one of its attempts; (incident,
    whether this call wrote it). The same note by the same person on the same
    sitting within ``INCIDENT_REPEAT`` is returned instead of written twice."""
    text = note.strip()
    if not text:
        raise DeliveryError("reason", _("Write what happened."))
    actor_id, label = actor_split(actor)
    with transaction.atomic():
        if attempt_id is not None:
            attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
            if attempt is None or attempt.appointment_id != appointment_id:
                raise DeliveryError("not_found", _("There is no such exam attempt."))
        appointment = _lock_sitting(appointment_id)
        check_centre_staff(actor, appointment.centre_id)
        repeat: dict[str, Any] = (
            {"created_by_id": actor_id}
            if actor_id is not None
            else {"created_by_label": label}
        )
        repeat["attempt_id" if attempt_id is not None else "attempt__isnull"] = (
            attempt_id if attempt_id is not None else True
        )
        same = Incident.objects.filter(
            appointment_id=appointment_id,
            note=text,
            created_at__gte=clock_now() - INCIDENT_REPEAT,
            **repeat,
        ).first()
        if same is not None:
            return same, False
        incident = incidents.incident_note(
            note=text,
            actor=actor,
            attempt_id=attempt_id,
            appointment_id=None if attempt_id is not None else appointment_id,
        )
    return incident, True
