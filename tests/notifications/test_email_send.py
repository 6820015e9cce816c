"""email_send renders the three templates and sends only after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import email_send

pytestmark = pytest.mark.django_db


def test_mail_goes_out_with_a_text_body_and_an_html_alternative(
    django_capture_on_commit_callbacks,
):
    """The message has the rendered subject (one line), the text body and the HTML
    alternative, with the site's URL available to every template."""
    # when
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to=["a@example.com", "b@example.com"], template="test_message", context={}
        )

    # then
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.subject == "Test message"
    assert message.to == ["a@example.com", "b@example.com"]
    assert "outgoing e-mail works" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert isinstance(html, str)
    assert "<h1" in html
    assert "http://" in message.body
    assert OutboundEmail.objects.get().status == EmailStatus.SENT


def test_nothing_is_sent_before_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    """Until commit the message waits, queued; a rolled-back transaction sends
    nothing at all."""
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(to="a@example.com", template="test_message", context={})

    # then
    assert mail.outbox == []
    assert len(callbacks) == 1
    assert OutboundEmail.objects.get().status == EmailStatus.QUEUED

    # when: a rolled-back transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_send(to="b@example.com", template="test_message", context={})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    # then
    assert callbacks == []
    assert mail.outbox == []


def test_an_email_needs_a_recipient():
    """An empty recipient list is a programming error, refused before any row."""
    with pytest.raises(ValueError, match="recipient"):
        email_send(to=["", " "], template="test_message", context={})
    assert not OutboundEmail.objects.exists()
