"""email_store_many stores many rendered messages in one insert and queues one
delivery task per batch after commit; a message without a recipient refuses the
whole call before anything is stored."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks import TaskResult
from django_tasks.signals import task_enqueued

from certwright.notifications import services
from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import Mail, email_store_many

from .smtp import smtp_server

pytestmark = pytest.mark.django_db


def _mails(n: int) -> list[Mail]:
    return [
        Mail(
            to=f"t{i}@example.com",
            subject=f"Hello\n{i}",
            text=f"Body {i}\n",
            headers={"X-Seq": str(i)},
        )
        for i in range(n)
    ]


def test_one_task_per_batch_and_each_message_delivered(
    django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given batches of two
    monkeypatch.setattr(services, "SEND_MANY_BATCH", 2)
    # when five messages are stored together
    enqueued: list[list[int]] = []

    def seen(sender: object, task_result: TaskResult, **kwargs: object) -> None:
        enqueued.append(task_result.kwargs["outbound_ids"])

    task_enqueued.connect(seen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ids = email_store_many(_mails(5))
    finally:
        task_enqueued.disconnect(seen)
    # then three tasks ran, and five messages went out in order, headers kept
    assert enqueued == [ids[0:2], ids[2:4], ids[4:5]]
    assert [m.to for m in mail.outbox] == [[f"t{i}@example.com"] for i in range(5)]
    assert [m.subject for m in mail.outbox] == [f"Hello {i}" for i in range(5)]
    assert mail.outbox[3].extra_headers["X-Seq"] == "3"
    assert (
        list(OutboundEmail.objects.filter(pk__in=ids).values_list("status", flat=True))
        == [EmailStatus.SENT] * 5
    )


def test_a_message_without_a_recipient_stores_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValueError, match="recipient"),
    ):
        email_store_many([*_mails(2), Mail(to=" ", subject="s", text="t")])
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


@override_settings(CERTWRIGHT_EMAIL_MAX_ATTEMPTS=2)
def test_each_message_of_a_batch_is_retried_on_its_own(
    django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a real SMTP server that answers 451: every message of the batch gets
    its own attempts, re-enqueued alone, and ends failed with the server's answer."""
    # given batches of two and a server that refuses
    monkeypatch.setattr(services, "SEND_MANY_BATCH", 2)
    # when three messages are stored together
    with (
        smtp_server(refuse="451 4.3.0 Mailbox busy, try later") as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ids = email_store_many(_mails(3))
    # then each was tried twice and failed; nothing was delivered
    rows = OutboundEmail.objects.filter(pk__in=ids).order_by("pk")
    assert [(r.status, r.attempts) for r in rows] == [(EmailStatus.FAILED, 2)] * 3
    assert all("451" in r.last_error for r in rows)
    assert server.messages == []


def test_nothing_to_store_stores_and_queues_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert email_store_many([]) == []
    assert callbacks == []
