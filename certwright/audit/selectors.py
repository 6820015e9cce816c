"""Reading the audit trail."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from certwright.audit.models import Event
from certwright.audit.personal_data import export_part


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


def personal_data(
    *, technician_id: int, user_id: int | None
) -> dict[str, list[dict[str, Any]]]:
    """audit's part of a person's data export: the events about them and the
    events of what they did themselves."""
    match = Q(technician_id=technician_id)
    if user_id is not None:
        match |= Q(actor_id=user_id)
    return export_part(Event.objects.filter(match).order_by("occurred_at", "id"))
