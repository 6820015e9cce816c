"""Background work: thin wrappers that take ids and call a service."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from certwright.core.clock import today
from certwright.core.tasks import carries_request_id
from certwright.credentials.models import RecomputeRun, RecomputeScope
from certwright.credentials.recompute import (
    recompute_run_continue,
    recompute_run_drain,
    recompute_run_start,
    technician_recompute,
)


@task()
@carries_request_id
def technician_recompute_task(technician_id: int) -> bool:
    """Recompute one technician after a fact was recorded (enqueued on commit)."""
    return technician_recompute(technician_id=technician_id)


@task()
def recompute_due_task(as_of: str | None = None) -> int:
    """The daily sweep (``certwright recompute --due``) in the task worker: resumes
    an unfinished due run, else plans one; returns how many technicians changed.
    One process: the worker is the parallelism."""
    day = dt.date.fromisoformat(as_of) if as_of else today()
    run = recompute_run_start(as_of=day, scope=RecomputeScope.DUE, actor="task")
    return recompute_run_continue(run, workers=1, actor="task").changed


@task()
def recompute_run_drain_task(run_id: int) -> int:
    """A share of a planned run (``certwright recompute --all --enqueue``): chunks
    until none is left, alongside the other workers draining the same run; returns
    how many technicians this worker visited."""
    run = RecomputeRun.objects.get(pk=run_id)
    return recompute_run_drain(run, actor="task")
