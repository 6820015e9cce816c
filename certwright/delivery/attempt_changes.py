"""How an attempt's state is changed: under its row lock, only if nobody changed it
since it was read, and with an audit event. The state machine (``attempts``), the
workstation (``launch``) and incident notes (``incidents``) lock and write attempts
only through these.

Every change of an attempt's state writes an audit event in its transaction and
raises ``Attempt.version`` with a conditional UPDATE (``WHERE version = <read>``), so
two tabs, a proctor and the expiry sweep can never both apply a change made against
the same state. Lock order: the attempt's row first; finishing a proctored attempt
then takes the technician's and the appointment's rows through scheduling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record_change
from certwright.core.clock import now as clock_now
from certwright.delivery.errors import DeliveryError, attempt_not_found
from certwright.delivery.models import Attempt
from certwright.delivery.selectors import check_centre_staff
from certwright.scheduling.models import Appointment


def attempt_lock(attempt_id: int) -> Attempt:
    """The attempt, its row locked until the caller's transaction ends."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise attempt_not_found()
    return attempt


def attempt_lock_for_proctor(attempt_id: int, actor: Actor) -> Attempt:
    """The attempt locked (``attempt_lock``), for a proctor of its centre only."""
    attempt = attempt_lock(attempt_id)
    centre_id = None
    if attempt.appointment_id is not None:
        centre_id = (
            Appointment.objects.filter(pk=attempt.appointment_id)
            .values_list("centre_id", flat=True)
            .first()
        )
    check_centre_staff(actor, centre_id)
    return attempt


def attempt_snapshot(attempt: Attempt) -> dict[str, Any]:
    """The state an event records before and after a change."""
    return {
        "status": attempt.status,
        "version": attempt.version,
        "budget_seconds": attempt.budget_seconds,
        "paused_seconds": attempt.paused_seconds,
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
    }


def attempt_event_record(
    attempt: Attempt,
    *,
    kind: EventKind,
    actor: Actor,
    before: dict[str, Any] | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """The audit event of a change of the attempt (its state after, and ``before``)."""
    event_record_change(
        kind=kind,
        subject=f"attempt:{attempt.pk}",
        technician_id=attempt.technician_id,
        actor=actor,
        after=attempt_snapshot(attempt),
        before=before,
        extra=extra,
        reason=reason,
    )


def attempt_save_if_unchanged(attempt: Attempt, fields: Iterable[str]) -> None:
    """Store ``fields`` of ``attempt`` and raise its version, only if nobody changed
    it since it was read (DeliveryError ``stale`` otherwise)."""
    names = [*fields, "updated_at"]
    attempt.updated_at = clock_now()
    values = {name: getattr(attempt, name) for name in names}
    updated = Attempt.objects.filter(pk=attempt.pk, version=attempt.version).update(
        version=attempt.version + 1, **values
    )
    if updated != 1:
        raise DeliveryError(
            "stale",
            _("This exam changed in another window or by the proctor; reload it."),
        )
    attempt.version += 1


def refuse_if_finished(attempt: Attempt) -> None:
    """An attempt that is over changes no more (DeliveryError ``finished``)."""
    if attempt.is_finished:
        raise DeliveryError(
            "finished",
            _("This exam is over (%(status)s); nothing can be changed.")
            % {"status": attempt.get_status_display()},
        )
