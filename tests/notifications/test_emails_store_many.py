"""emails_store_many stores many rendered messages in one insert and queues one
delivery task per batch after commit; a message without a recipient refuses the
whole call before anything is stored."""

from __future__ import annotations

import pytest
from django.core import mail

from certwright.notifications import services
from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import Mail, emails_store_many

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
    monkeypatch.setattr(services, "BATCH_TASK_SIZE", 2)
    # when five messages are stored together
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = emails_store_many(_mails(5))
    # then three tasks ran, and five messages went out in order, headers kept
    assert len(callbacks) == 3
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
        emails_store_many([*_mails(2), Mail(to=" ", subject="s", text="t")])
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []
