"""Background work: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.core.tasks import carries_request_id
from certwright.notifications.services import outbound_email_deliver


@task()
@carries_request_id
def email_send_task(outbound_id: int) -> str:
    """Send one stored e-mail (enqueued on commit); returns its status afterwards."""
    return outbound_email_deliver(outbound_id=outbound_id)


@task()
@carries_request_id
def email_send_many_task(outbound_ids: list[int]) -> dict[str, int]:
    """Send stored e-mails one after another (enqueued once per batch by
    ``email_store_many``); each is claimed and retried on its own, a transient
    failure re-enqueueing that message alone. Returns how many ended in each
    status."""
    counts: dict[str, int] = {}
    for outbound_id in outbound_ids:
        status = outbound_email_deliver(outbound_id=outbound_id)
        counts[status] = counts.get(status, 0) + 1
    return counts
