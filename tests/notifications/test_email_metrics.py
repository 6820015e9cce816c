"""E-mails sent, retried and failed are counted for Prometheus."""

from __future__ import annotations

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY

from certwright.notifications.services import email_send

from .smtp import smtp_server

pytestmark = pytest.mark.django_db


def count(outcome: str) -> float:
    return (
        REGISTRY.get_sample_value("certwright_emails_total", {"outcome": outcome}) or 0
    )


def test_sent_and_failed_mail_is_counted(django_capture_on_commit_callbacks):
    # given
    sent_before, failed_before = count("sent"), count("failed")

    # when: one message accepted, one refused for good
    with smtp_server(), django_capture_on_commit_callbacks(execute=True):
        email_send(to="pat@example.com", template="test_message", context={})
    with (
        smtp_server(refuse="550 5.1.1 No such user"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email_send(to="nobody@example.com", template="test_message", context={})

    # then
    assert count("sent") == sent_before + 1
    assert count("failed") == failed_before + 1


@override_settings(CERTWRIGHT_EMAIL_MAX_ATTEMPTS=3)
def test_each_transient_failure_is_a_retry(django_capture_on_commit_callbacks):
    """451 three times: two retries, then failed."""
    # given
    retrying_before, failed_before = count("retrying"), count("failed")
    # when
    with (
        smtp_server(refuse="451 4.2.1 Mailbox busy"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email_send(to="pat@example.com", template="test_message", context={})
    # then
    assert count("retrying") == retrying_before + 2
    assert count("failed") == failed_before + 1
