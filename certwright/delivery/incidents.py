"""Incident notes: what a proctor saw (``incident_note``), and what the system notes
for the proctor's console (``incident_note_system``: a second device, a locked
launch). An attempt's row is locked as ``attempt_changes`` says.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.delivery.attempt_changes import attempt_lock_for_proctor
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, Incident
from certwright.delivery.selectors import check_centre_staff
from certwright.scheduling.models import Appointment


def incident_note(
    *,
    note: str,
    actor: Actor,
    attempt_id: int | None = None,
    appointment_id: int | None = None,
) -> Incident:
    """Record what a proctor saw, on an attempt or (before one exists) on an
    appointment."""
    if not note.strip():
        raise DeliveryError("reason", _("Write what happened."))
    with transaction.atomic():
        attempt = None
        if attempt_id is not None:
            attempt = attempt_lock_for_proctor(attempt_id, actor)
            appointment_id = attempt.appointment_id
            technician_id = attempt.technician_id
        elif appointment_id is not None:
            appointment = Appointment.objects.filter(pk=appointment_id).first()
            if appointment is None:
                raise DeliveryError("not_found", _("There is no such appointment."))
            check_centre_staff(actor, appointment.centre_id)
            technician_id = appointment.technician_id
        else:
            raise DeliveryError("not_found", _("Say which exam or appointment."))
        actor_id, label = actor_split(actor)
        incident = Incident.objects.create(
            technician_id=technician_id,
            appointment_id=appointment_id,
            attempt=attempt,
            note=note.strip(),
            created_by_id=actor_id,
            created_by_label=label,
        )
        event_record(
            kind=EventKind.INCIDENT_NOTED,
            subject=f"attempt:{attempt_id}"
            if attempt_id
            else f"appointment:{appointment_id}",
            technician_id=technician_id,
            actor=actor,
            data={"incident": incident.pk},
            reason=incident.note,
        )
    return incident


# Who wrote an incident the system notes (a second device's has its own label,
# launch.DEVICE_LABEL).
SYSTEM_LABEL = "certwright"


def incident_note_system(
    attempt: Attempt, *, note: str, label: str = SYSTEM_LABEL
) -> Incident:
    """An incident the system notes for the proctor's console (no person wrote
    it): a second device, a locked launch. In the caller's transaction, the
    attempt locked."""
    incident = Incident.objects.create(
        technician_id=attempt.technician_id,
        appointment_id=attempt.appointment_id,
        attempt=attempt,
        note=note,
        created_by_label=label,
    )
    event_record(
        kind=EventKind.INCIDENT_NOTED,
        subject=f"attempt:{attempt.pk}",
        technician_id=attempt.technician_id,
        actor="certwright",
        data={"incident": incident.pk},
        reason=note,
    )
    return incident
