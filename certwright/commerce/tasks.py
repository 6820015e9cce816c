"""Background work: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task

from certwright.commerce.mail import order_document_mail


@task()
def order_document_mail_task(order_id: int) -> None:
    """Draw the order's invoice or receipt and e-mail it (see commerce/mail.py)."""
    order_document_mail(order_id=order_id)
