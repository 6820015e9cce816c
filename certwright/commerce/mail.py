"""The order's invoice or receipt, e-mailed as a PDF.

A placed order gets its document at once (an invoice while payment is due, a
receipt when nothing is due), and a receipt follows when staff record the payment.
The PDF is drawn by a task after the order commits: WeasyPrint takes a moment, and
the candidate's checkout should not wait for it or fail with it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from certwright.candidates.selectors import technician_email
from certwright.commerce.invoices import invoice_filename, invoice_kind, invoice_pdf
from certwright.commerce.models import Order
from certwright.commerce.pricing import money
from certwright.core.program import current_program
from certwright.notifications.services import email_send

logger = logging.getLogger(__name__)


def order_document_mail(*, order_id: int) -> None:
    """E-mail the order's current document (invoice or receipt) to its candidate."""
    order = Order.objects.select_related("technician__user").get(pk=order_id)
    to = technician_email(order.technician)
    if not to:
        logger.warning("order %s: the candidate has no e-mail", order.pk)
        return
    program = current_program()
    kind = invoice_kind(order)
    email_send(
        to=to,
        template=f"order_{kind}",
        context={
            "name": order.technician.name,
            "order_id": order.pk,
            "program_name": program.name,
            "amount": money(order.total_cents - order.refunded_cents, order.currency),
            "order_url": settings.CERTWRIGHT_SITE_URL
            + reverse("commerce:order_detail", args=[order.pk]),
        },
        attachments=[
            (invoice_filename(order), invoice_pdf(order, program), "application/pdf")
        ],
    )
