"""Writing share links: made and revoked by the technician they show."""

from __future__ import annotations

from django.db import transaction

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.core.clock import now
from certwright.verification.models import ShareLink

LABEL_MAX = 100


def share_link_create(
    *, technician_id: int, label: str, actor: Actor = None
) -> ShareLink:
    """A new link to the technician's certifications, labelled for the technician
    (say, who it was given to)."""
    label = " ".join(label.split())[:LABEL_MAX]
    if not label:
        raise ValueError("A share link needs a label.")
    with transaction.atomic():
        link = ShareLink.objects.create(
            technician_id=technician_id, label=label, created_at=now()
        )
        event_record(
            kind=EventKind.SHARE_LINK_CREATED,
            subject=f"share_link:{link.pk}",
            technician_id=technician_id,
            actor=actor,
            data={"label": label},
        )
    return link


def share_link_revoke(*, link_id: int, actor: Actor = None) -> ShareLink:
    """Stop the link answering. Revoking again changes nothing."""
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().get(pk=link_id)
        if link.revoked_at is not None:
            return link
        link.revoked_at = now()
        link.save(update_fields=["revoked_at"])
        event_record(
            kind=EventKind.SHARE_LINK_REVOKED,
            subject=f"share_link:{link.pk}",
            technician_id=link.technician_id,
            actor=actor,
            data={"label": link.label},
        )
    return link
