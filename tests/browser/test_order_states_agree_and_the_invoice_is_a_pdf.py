"""An order's page says one thing about payment: while an invoice is due, the page
says "payment due" with the amount and no "Paid"; its lines are "purchased"; the
invoice is a PDF with the program's name and address, the lines, tax and the
amount due. Once paid, the same link gives a receipt."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.template.loader import render_to_string

from certwright.commerce.invoices import invoice_context
from certwright.commerce.models import Order, PaymentStatus
from certwright.commerce.services import (
    cart_line_add,
    cart_region_set,
    order_mark_paid,
    order_place,
)
from certwright.core.program import current_program

from .pages_setup import candidate
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_order_with_payment_due_and_then_paid(
    phone: Any, live_server: Any, client: Any
) -> None:
    """Due: "payment due", "Amount due", lines "purchased", the API's line status
    "purchased", an invoice PDF. Paid: "Paid ... on", a receipt PDF."""
    # given a candidate who ordered A1 to pay by invoice
    user, technician = candidate()
    cart_line_add(technician_id=technician.pk, test="A1")
    cart_region_set(technician_id=technician.pk, region="US-IL")
    order_place(
        technician_id=technician.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=None,
    )
    order = Order.objects.get(technician=technician)
    assert order.payment_status == PaymentStatus.DUE

    # when she opens the order
    sign_in(phone, user, live_server.url)
    phone.goto(f"/shop/orders/{order.pk}/")
    text = phone.locator("main").inner_text()

    # then the page says payment due, the amount, and never "Paid"
    total = f"${order.total_cents / 100:.2f}"
    assert "payment due" in text
    assert f"Amount due: {total}" in text
    assert "Paid" not in text
    assert "purchased" in text
    # and the API agrees
    client.force_login(user)
    body = client.get(f"/api/commerce/orders/{order.pk}").json()
    assert body["payment_status"] == "due"
    assert [line["status"] for line in body["lines"]] == ["purchased"]

    # when she opens the invoice
    response = phone.request.get(f"/shop/orders/{order.pk}/invoice.pdf")
    # then it is a PDF, and the document names the program, its address, the line,
    # the tax and the amount due
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert f"invoice-{order.pk}.pdf" in response.headers["content-disposition"]
    program = current_program()
    html = render_to_string(
        "commerce/invoice_pdf.html", invoice_context(order, program)
    )
    assert program.name in html
    assert program.address[0] in html
    assert "A1 Engine Repair" in html
    assert "Sales tax" in html
    assert f"Amount due: {total}" in html

    # when the order is paid
    order_mark_paid(order_id=order.pk)
    phone.goto(f"/shop/orders/{order.pk}/")
    text = phone.locator("main").inner_text()
    receipt = phone.request.get(f"/shop/orders/{order.pk}/invoice.pdf")

    # then the page says paid, and the PDF is the receipt
    assert "payment due" not in text
    assert f"Paid {total} on" in text
    assert f"receipt-{order.pk}.pdf" in receipt.headers["content-disposition"]
    order.refresh_from_db()
    html = render_to_string(
        "commerce/invoice_pdf.html", invoice_context(order, program)
    )
    assert f"Paid: {total} on" in html
