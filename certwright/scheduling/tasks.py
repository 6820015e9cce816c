"""Background work: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.scheduling.services import appointment_reminders_send


@task()
def appointment_reminders_task() -> int:
    """Send the day-before reminders that are due; returns how many were sent.

    Safe to enqueue as often as wanted (hourly, say): each appointment's reminder is
    claimed once.
    """
    return appointment_reminders_send()
