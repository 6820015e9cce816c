"""Reading reminder preferences and the ladder's record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from certwright.audit.personal_data import export_part
from certwright.candidates.models import Technician
from certwright.reminders.models import (
    ExpiryReminder,
    ReminderChoice,
    ReminderPreference,
)

# Keeps an IN list well under every backend's bound-parameter limit.
_IN_BATCH = 5000


def reminder_choice(technician_id: int) -> ReminderChoice:
    """What the technician chose; every reminder until they say otherwise."""
    row = ReminderPreference.objects.filter(technician_id=technician_id).first()
    return ReminderChoice(row.choice) if row is not None else ReminderChoice.ALL


def reminder_choices(technician_ids: Iterable[int]) -> dict[int, ReminderChoice]:
    """The choice of each technician who chose other than every reminder."""
    ids = sorted(set(technician_ids))
    out: dict[int, ReminderChoice] = {}
    for start in range(0, len(ids), _IN_BATCH):
        rows = (
            ReminderPreference.objects.filter(
                technician_id__in=ids[start : start + _IN_BATCH]
            )
            .exclude(choice=ReminderChoice.ALL)
            .values_list("technician_id", "choice")
        )
        out.update((tid, ReminderChoice(choice)) for tid, choice in rows)
    return out


def technician_reminders(technician_id: int) -> QuerySet[ExpiryReminder]:
    """The technician's reminders, newest first (their settings page lists them)."""
    return ExpiryReminder.objects.filter(technician_id=technician_id).order_by(
        "-on", "-id"
    )


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """reminders' part of the technician's data export: their choice and the
    expiry reminders sent to them."""
    return export_part(
        ReminderPreference.objects.filter(technician_id=technician.pk),
        ExpiryReminder.objects.filter(technician_id=technician.pk),
    )
