"""Background work: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.core.tasks import carries_request_id
from certwright.scoring.services import run_execute


@task()
@carries_request_id
def analysis_run_task(run_id: int) -> str | None:
    """Run a queued analysis, calibration or equating (enqueued on commit)."""
    run = run_execute(run_id=run_id)
    return None if run is None else run.status
