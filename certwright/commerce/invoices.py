"""An order's invoice (payment due) or receipt (paid) as a PDF.

One document per order, drawn from the order as placed: the program's name and
address (program data), the candidate, each line, the registration fee, the
recertification cap, vouchers, tax, and the amount due or paid. WeasyPrint, as the
score report (delivery/reports.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from certwright.commerce.models import Order, PaymentStatus
from certwright.program.model import Program


def invoice_kind(order: Order) -> str:
    """ "receipt" once paid (or nothing was due), "invoice" while payment is due."""
    return "invoice" if order.payment_status == PaymentStatus.DUE else "receipt"


def invoice_context(order: Order, program: Program) -> dict[str, Any]:
    lines = list(order.lines.all())
    kind = invoice_kind(order)
    return {
        "order": order,
        "kind": kind,
        "title": _("Invoice") if kind == "invoice" else _("Receipt"),
        "program": program,
        "rows": [
            (ln, program.tests[ln.test].name if ln.test in program.tests else "")
            for ln in lines
        ],
        "registration_charged": order.subtotal_cents
        - sum(ln.charged_cents for ln in lines),
    }


def invoice_filename(order: Order) -> str:
    return f"{invoice_kind(order)}-{order.pk}.pdf"


def invoice_pdf(order: Order, program: Program) -> bytes:
    """The order's invoice or receipt as PDF bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "commerce/invoice_pdf.html", invoice_context(order, program)
    )
    return bytes(HTML(string=html, base_url=settings.CERTWRIGHT_SITE_URL).write_pdf())
