"""Background work: a thin wrapper that calls the sweep."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from certwright.reminders.services import expiry_reminders_send


@task()
def expiry_reminders_task(on: str | None = None) -> int:
    """Send the expiry reminders due on ``on`` (YYYY-MM-DD, default today); returns
    how many were sent. Safe to enqueue as often as wanted: each rung is claimed
    once."""
    day = dt.date.fromisoformat(on) if on else None
    return expiry_reminders_send(on=day).sent
