"""The result is e-mailed to the candidate after the submission commits, with the
outcome, the scaled score, the content areas and a link to the score report."""

from __future__ import annotations

import pytest
from django.core import mail

from certwright.delivery.attempts import attempt_submit
from tests.support.delivery import KEYS, SEATS, form_items, save

pytestmark = pytest.mark.django_db


def test_the_result_is_mailed_after_commit(
    started, candidate, django_capture_on_commit_callbacks
):
    # given one right answer (a fail)
    item = form_items(started)["A1-001"]
    save(started, item, seq=1, choice=KEYS["A1-001"])
    # when submitted
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    # then one message to the candidate with the result
    results = [m for m in mail.outbox if "A1 result" in m.subject]
    assert len(results) == 1
    message = results[0]
    assert message.to == [candidate.email]
    assert "did not pass" in message.body
    assert f"Scaled score: {attempt.scaled_score}" in message.body
    assert "General Engine Diagnosis: 1 / 2" in message.body
    assert f"/exam/{attempt.pk}/report/" in message.body
    # then no key or rationale is in it
    assert "RATIONALE" not in message.body
    html = message.alternatives[0][0]  # type: ignore[attr-defined]
    assert "did not pass" in str(html)


def test_a_replayed_submit_mails_nothing_more(
    started, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
        attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    assert len([m for m in mail.outbox if "A1 result" in m.subject]) == 1


def test_without_an_address_of_their_own_the_result_goes_to_the_account(
    started, candidate, django_capture_on_commit_callbacks
):
    """Where to write to a technician is candidates' ``technician_email``: their
    own address, else their account's (as every other mail to them)."""
    # given a technician record without an address, on an account with one
    candidate.user.email = "casey.account@example.com"
    candidate.user.save(update_fields=["email"])
    candidate.email = ""
    candidate.save(update_fields=["email"])
    # when submitted
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    # then the result goes to the account's address
    [message] = [m for m in mail.outbox if "A1 result" in m.subject]
    assert message.to == ["casey.account@example.com"]
