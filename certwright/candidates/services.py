"""Writing technicians.

Facts about a technician (results, experience, credits, revocations) are recorded by
``certwright.credentials.services``: recording one also marks the technician's derived
state stale and schedules its recompute, which is the credentials domain's business.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.ids import certification_id_new, certification_id_normalize
from certwright.candidates.models import Technician

# 32^8 IDs: a collision is a one-in-10^7 event at a million technicians; a few tries
# make a failure practically impossible without a lock or a sequence.
_ID_ATTEMPTS = 5


def _unused_certification_id() -> str:
    for _ in range(_ID_ATTEMPTS):
        candidate = certification_id_new()
        if not Technician.objects.filter(certification_id=candidate).exists():
            return candidate
    raise RuntimeError("could not find an unused certification ID")


def technician_create(
    *,
    name: str,
    email: str = "",
    user_id: int | None = None,
    certification_id: str | None = None,
    actor: Actor = None,
) -> Technician:
    """Register a technician under a new (or a given, valid) certification ID."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A technician needs a name."})
    if certification_id is not None:
        normalized = certification_id_normalize(certification_id)
        if normalized is None:
            raise ValidationError(
                {"certification_id": f"{certification_id!r} is not a certification ID."}
            )
        certification_id = normalized
    with transaction.atomic():
        technician = Technician(
            certification_id=certification_id or _unused_certification_id(),
            name=name,
            email=email.strip(),
            user_id=user_id,
        )
        technician.full_clean()
        technician.save()
        event_record(
            kind=EventKind.TECHNICIAN_CREATED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"after": {"name": technician.name, "email": technician.email}},
        )
    return technician


def technician_update(
    *, technician_id: int, name: str, email: str, actor: Actor = None
) -> Technician:
    """Change a technician's name or e-mail (the certification ID never changes)."""
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        before = {"name": technician.name, "email": technician.email}
        technician.name = name.strip()
        technician.email = email.strip()
        after = {"name": technician.name, "email": technician.email}
        if after == before:
            return technician
        technician.full_clean()
        technician.save(update_fields=["name", "email"])
        event_record(
            kind=EventKind.TECHNICIAN_UPDATED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"before": before, "after": after},
            reason="contact details changed",
        )
    return technician
