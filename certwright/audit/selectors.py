"""Reading the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from certwright.audit.models import Event


def event_list(
    *, technician_id: int | None = None, kind: str | None = None
) -> QuerySet[Event]:
    """Events, newest first, optionally for one technician and/or one kind."""
    qs = Event.objects.all()
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-occurred_at", "-id")
