"""Background work: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.notifications.services import outbound_email_deliver


@task()
def email_send_task(outbound_id: int) -> str:
    """Send one stored e-mail (enqueued on commit); returns its status afterwards."""
    return outbound_email_deliver(outbound_id=outbound_id)
