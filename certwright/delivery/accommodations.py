"""Accommodations: extra time approved for a candidate, for one test or for all,
given to the attempts authorised after the approval (``accommodation_extra_seconds``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.core.clock import now as clock_now
from certwright.core.program import current_program
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Accommodation


def accommodation_check(
    *, test: str, extra_percent: int | None, extra_minutes: int | None
) -> None:
    """The rules of an accommodation (the admin form checks them too, so a refusal
    shows on its field): ``test`` one of the program's tests or "" (all), and the
    extra time as exactly one of a percentage or minutes, a whole number 1–400.
    Refused with code ``test`` or ``minutes``."""
    if test and test not in current_program().tests:
        raise DeliveryError(
            "test",
            _("%(test)s is not a test of the program; leave it empty for every test.")
            % {"test": test},
        )
    if (extra_percent is None) == (extra_minutes is None):
        raise DeliveryError(
            "minutes", _("Give the extra time as a percentage or as minutes.")
        )
    amount = extra_percent if extra_percent is not None else extra_minutes
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= 400:
        raise DeliveryError(
            "minutes", _("The extra time must be a whole number from 1 to 400.")
        )


def accommodation_approve(
    *,
    technician_id: int,
    test: str = "",
    extra_percent: int | None = None,
    extra_minutes: int | None = None,
    note: str = "",
    actor: Actor = None,
) -> Accommodation:
    """Approve extra time for a candidate (``test`` empty: every test); it applies
    to attempts authorised from now on."""
    accommodation_check(
        test=test, extra_percent=extra_percent, extra_minutes=extra_minutes
    )
    with transaction.atomic():
        accommodation = Accommodation.objects.create(
            technician_id=technician_id,
            test=test,
            extra_percent=extra_percent,
            extra_minutes=extra_minutes,
            note=note,
            approved_by_id=actor_split(actor)[0],
            approved_at=clock_now(),
        )
        event_record(
            kind=EventKind.ACCOMMODATION_APPROVED,
            subject=f"accommodation:{accommodation.pk}",
            technician_id=technician_id,
            actor=actor,
            data={
                "test": test,
                "extra_percent": extra_percent,
                "extra_minutes": extra_minutes,
            },
            reason=note,
        )
    return accommodation


def accommodation_revoke(
    *, accommodation_id: int, actor: Actor = None, reason: str = ""
) -> Accommodation:
    with transaction.atomic():
        accommodation = (
            Accommodation.objects.select_for_update()
            .filter(pk=accommodation_id)
            .first()
        )
        if accommodation is None:
            raise DeliveryError("not_found", _("There is no such accommodation."))
        if accommodation.revoked_at is None:
            accommodation.revoked_at = clock_now()
            accommodation.save(update_fields=["revoked_at"])
            event_record(
                kind=EventKind.ACCOMMODATION_REVOKED,
                subject=f"accommodation:{accommodation.pk}",
                technician_id=accommodation.technician_id,
                actor=actor,
                reason=reason,
            )
    return accommodation


def accommodation_extra_seconds(
    technician_id: int, test: str, base_seconds: int
) -> int:
    """The largest extra time any approved, unrevoked accommodation gives."""
    found = Accommodation.objects.filter(
        Q(test="") | Q(test=test),
        technician_id=technician_id,
        approved_at__isnull=False,
        revoked_at__isnull=True,
    )
    return max((a.extra_seconds(base_seconds) for a in found), default=0)


def technician_accommodation_notes_clear(*, technician_id: int) -> int:
    """Clear the notes of the technician's accommodations, which may say why one
    was granted (health): an erasure, inside ``privacy.services.person_erase``.
    The extra time granted stays with the attempts it was used in."""
    return (
        Accommodation.objects.filter(technician_id=technician_id)
        .exclude(note="")
        .update(note="")
    )
