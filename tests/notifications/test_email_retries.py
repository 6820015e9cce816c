"""A failing SMTP server: transient errors are retried with backoff, then the message
is marked failed with the error kept for staff; permanent errors fail at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import (
    email_send,
    outbound_email_retry,
    retry_delay,
)

from .smtp import free_port, smtp_server

pytestmark = pytest.mark.django_db


@override_settings(CERTWRIGHT_EMAIL_MAX_ATTEMPTS=4)
def test_a_server_that_keeps_answering_451_gets_every_attempt_then_failed(
    django_capture_on_commit_callbacks,
):
    """A 4xx answer is retried until the attempts run out; the row ends failed with
    the server's answer as its last error, and nothing was delivered."""
    # given: a server that refuses; when: a message is sent
    with (
        smtp_server(refuse="451 4.3.0 Mailbox busy, try later") as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = email_send(to="pat@example.com", template="test_message", context={})

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.FAILED
    assert sent.attempts == 4
    assert "451" in sent.last_error
    assert "Mailbox busy" in sent.last_error
    assert sent.sent_at is None
    assert server.messages == []


def test_an_unreachable_server_is_retried_too(django_capture_on_commit_callbacks):
    """Nothing listening on the port (connection refused) counts as transient."""
    # given
    port = free_port()
    nobody_listening = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=2,
        CERTWRIGHT_EMAIL_MAX_ATTEMPTS=3,
    )
    # when
    with nobody_listening, django_capture_on_commit_callbacks(execute=True):
        sent = email_send(to="pat@example.com", template="test_message", context={})

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.FAILED
    assert sent.attempts == 3
    assert "ConnectionRefusedError" in sent.last_error


def test_a_permanent_refusal_fails_at_once(django_capture_on_commit_callbacks):
    """A 5xx answer ("no such user") is not worth retrying: one attempt, failed."""
    # given: a server that refuses; when: a message is sent
    with (
        smtp_server(refuse="550 5.1.1 No such user") as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = email_send(to="nobody@example.com", template="test_message", context={})

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.FAILED
    assert sent.attempts == 1
    assert "550" in sent.last_error
    assert server.messages == []


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    CERTWRIGHT_EMAIL_RETRY_SECONDS=60,
)
def test_with_a_deferring_queue_the_retry_waits_with_exponential_backoff(
    django_capture_on_commit_callbacks,
):
    """On a queue that can defer (the database backend in production) a failed
    attempt re-enqueues the task with run_after = now + 60 s × 2^(attempt-1)."""
    from django_tasks import task_backends
    from django_tasks.backends.dummy import DummyBackend

    from certwright.notifications.services import outbound_email_deliver

    # given: the task is queued, not run
    with django_capture_on_commit_callbacks(execute=True):
        sent = email_send(to="pat@example.com", template="test_message", context={})
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    assert len(backend.results) == 1
    assert backend.results[0].task.run_after is None

    with smtp_server(refuse="421 4.7.0 Try again later"):
        # when: a worker runs it twice
        outbound_email_deliver(outbound_id=sent.pk)
        first_retry = backend.results[-1]
        outbound_email_deliver(outbound_id=sent.pk)
        second_retry = backend.results[-1]

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.QUEUED
    assert sent.attempts == 2
    assert len(backend.results) == 3
    # The retry carries the request id along (none here: a worker, not a request).
    assert first_retry.kwargs == {"outbound_id": sent.pk, "request_id": "-"}
    first_at, second_at = first_retry.task.run_after, second_retry.task.run_after
    assert first_at is not None
    assert second_at is not None
    gap = second_at - first_at
    # The second wait (120 s) follows the first (60 s), give or take the test's time.
    assert dt.timedelta(seconds=55) < gap < dt.timedelta(seconds=65)
    assert sent.next_attempt_at == second_at
    assert retry_delay(1) == dt.timedelta(seconds=60)
    assert retry_delay(3) == dt.timedelta(seconds=240)


def test_staff_can_send_a_failed_message_again(django_capture_on_commit_callbacks):
    """Retrying a failed message starts a fresh set of attempts; once the server is
    back it is sent."""
    # given: a server that refuses; when: a message is sent
    with (
        smtp_server(refuse="550 5.7.1 Relaying denied"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = email_send(to="pat@example.com", template="test_message", context={})
    sent.refresh_from_db()
    assert sent.status == EmailStatus.FAILED

    # when
    # when
    with (
        smtp_server() as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbound_email_retry(outbound_id=sent.pk)

    # then
    sent.refresh_from_db()
    assert sent.status == EmailStatus.SENT
    assert sent.attempts == 1
    assert len(server.messages) == 1
    assert OutboundEmail.objects.count() == 1
