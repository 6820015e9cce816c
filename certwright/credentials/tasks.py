"""Background work: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.credentials.recompute import technician_recompute


@task()
def technician_recompute_task(technician_id: int) -> bool:
    """Recompute one technician after a fact was recorded (enqueued on commit)."""
    return technician_recompute(technician_id=technician_id)
