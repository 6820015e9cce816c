"""``certwright email test`` sends a test message; ``certwright email retry``
re-enqueues lost mail and, with --failed, failed mail."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from certwright.core.clock import now
from certwright.notifications.models import EmailStatus, OutboundEmail

pytestmark = pytest.mark.django_db


def _row(**kw: object) -> OutboundEmail:
    defaults: dict[str, object] = {
        "to": ["a@example.com"],
        "subject": "Hello",
        "template": "test_message",
        "text_body": "Hello\n",
    }
    defaults.update(kw)
    return OutboundEmail.objects.create(**defaults)


def test_the_test_command_sends_a_message(django_capture_on_commit_callbacks):
    """The message goes through the queue and the command reports it."""
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("email", "test", "--to", "ops@example.com", stdout=out)
    assert "to ops@example.com" in out.getvalue()
    [message] = mail.outbox
    assert message.to == ["ops@example.com"]


def test_retry_picks_up_lost_and_failed_mail_but_not_fresh_mail():
    """A queued row long overdue and a row stuck in 'sending' are sent; a fresh
    queued row is left to its own task; failed rows only with --failed."""
    # given
    long_ago = now() - dt.timedelta(hours=1)
    overdue = _row(next_attempt_at=long_ago)
    stuck = _row(status=EmailStatus.SENDING, claimed_at=long_ago, attempts=1)
    fresh = _row()
    failed = _row(status=EmailStatus.FAILED, attempts=5, last_error="550")

    # when
    call_command("email", "retry", stdout=StringIO())

    # then
    statuses = {
        r.pk: r.status
        for r in OutboundEmail.objects.filter(pk__in=[overdue.pk, stuck.pk, fresh.pk])
    }
    assert statuses == {
        overdue.pk: EmailStatus.SENT,
        stuck.pk: EmailStatus.SENT,
        fresh.pk: EmailStatus.QUEUED,
    }
    assert OutboundEmail.objects.get(pk=failed.pk).status == EmailStatus.FAILED

    # when
    call_command("email", "retry", "--failed", stdout=StringIO())

    # then
    assert OutboundEmail.objects.get(pk=failed.pk).status == EmailStatus.SENT
