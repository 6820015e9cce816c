"""`make run` prints mail to the console: attachments show as one line (name,
type, size), not as base64 a newcomer must scroll past to find a link."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from certwright.notifications.console import EmailBackend


def test_an_attachment_prints_as_one_line_and_the_text_in_full():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Invoice for order 7",
        body="Your order: http://127.0.0.1:8000/shop/orders/7/\n",
        from_email="tests@example.com",
        to=["candidate@example.com"],
    )
    message.attach(
        "invoice-7.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, "application/pdf"
    )
    EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "http://127.0.0.1:8000/shop/orders/7/" in printed
    assert "[invoice-7.pdf: application/pdf, 10,249 bytes, not printed]" in printed
    assert "JVBERi0" not in printed  # base64 of "%PDF-"
    assert len(printed) < 2000
