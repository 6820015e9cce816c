"""Background work: a thin wrapper that calls the dispatch."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from certwright.renewal.dispatch import renewal_dispatch


@task()
def renewal_dispatch_task(at: str | None = None) -> int:
    """Send the renewal questions due at ``at`` (ISO 8601, default now); returns how
    many were sent. Safe to enqueue as often as wanted: each month's question goes
    out once."""
    moment = dt.datetime.fromisoformat(at) if at else None
    return renewal_dispatch(at=moment).sent
