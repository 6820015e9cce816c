"""Every order's document reaches the candidate by e-mail: an invoice (a PDF)
when the order is placed with payment due, a receipt when staff record the
payment. Read back with pypdf, as a mail client's viewer would."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from certwright.commerce import services
from certwright.notifications.models import OutboundEmail
from tests.support.commerce import buy


def _pdf_text(email: OutboundEmail) -> tuple[str, str]:
    (attachment,) = email.attachments.all()
    assert attachment.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(bytes(attachment.content)))
    return attachment.filename, " ".join(p.extract_text() for p in reader.pages)


@pytest.mark.django_db
def test_placing_an_order_mails_the_invoice_and_paying_it_the_receipt(
    candidate, california_tax, django_capture_on_commit_callbacks
):
    """Order placed (payment due) → an invoice e-mail with invoice-<id>.pdf naming
    the test and the amount due; marked paid → a receipt e-mail."""
    # when the candidate buys A1
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(candidate, "A1")
    # then one invoice e-mail to her, with the PDF
    (mail,) = OutboundEmail.objects.filter(template="order_invoice")
    assert mail.to == [candidate.email]
    assert f"order {order.pk}" in mail.subject
    name, text = _pdf_text(mail)
    assert name == f"invoice-{order.pk}.pdf"
    assert "A1" in text
    assert "Invoice" in text
    # when staff record the payment
    with django_capture_on_commit_callbacks(execute=True):
        services.order_mark_paid(order_id=order.pk, reference="wire 42")
    # then a receipt follows
    (receipt,) = OutboundEmail.objects.filter(template="order_receipt")
    name, text = _pdf_text(receipt)
    assert name == f"receipt-{order.pk}.pdf"
    assert "Receipt" in text


@pytest.mark.django_db
def test_a_repeated_checkout_mails_nothing_more(
    candidate, django_capture_on_commit_callbacks
):
    """A retried checkout (same idempotency key) returns the first order and does
    not send its invoice twice."""
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        buy(candidate, "A1", key=key)
        services.order_place(
            technician_id=candidate.pk, idempotency_key=key, cart_version=None
        )
    assert OutboundEmail.objects.filter(template="order_invoice").count() == 1


@pytest.mark.django_db
def test_a_failed_checkout_mails_nothing(candidate, django_capture_on_commit_callbacks):
    """An empty cart is refused and no invoice goes out."""
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.CommerceError),
    ):
        services.order_place(
            technician_id=candidate.pk,
            idempotency_key=uuid.uuid4(),
            cart_version=None,
        )
    assert not OutboundEmail.objects.filter(template="order_invoice").exists()
