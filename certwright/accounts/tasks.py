"""Background work: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.accounts.watch import watch_digests_send


@task()
def watch_digests_task() -> int:
    """Send the employers' weekly digests that are due; returns how many went out.

    Safe to enqueue daily (or hourly): each organization's digest is due a week
    after its last, and each change is reported once.
    """
    return watch_digests_send()
