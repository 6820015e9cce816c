"""Once an attempt is submitted, expired or voided, no answer is accepted for it."""

from __future__ import annotations

import pytest

from certwright.delivery.attempts import attempt_submit, attempt_void
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Response
from tests.support.delivery import SEATS, form_items, launch, save

pytestmark = pytest.mark.django_db


def test_a_save_after_submission_is_refused_and_changes_nothing(started, candidate):
    """A second tab saving after the first submitted: code ``finished``; the stored
    answer and the score stay as submitted."""
    item = form_items(started)["A1-001"]
    # given an answer and a submission
    save(started, item, seq=1, choice=0)
    submitted = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    # when another save arrives (a higher seq, a new choice)
    with pytest.raises(DeliveryError) as refused:
        save(started, item, seq=2, choice=3)
    # then it is refused and the stored answer is unchanged
    assert refused.value.code == "finished"
    assert Response.objects.get(attempt=started, form_item=item).choice == 0
    submitted.refresh_from_db()
    assert submitted.raw_score == 1


def test_a_save_to_a_voided_attempt_is_refused(started, candidate, proctor):
    """The proctor ended the exam: saves are refused."""
    item = form_items(started)["A1-002"]
    # given the proctor voided the attempt
    attempt_void(attempt_id=started.pk, reason="phone in use", actor=proctor)
    # when a save arrives
    with pytest.raises(DeliveryError) as refused:
        save(started, item, seq=1, choice=1)
    # then it is refused
    assert refused.value.code == "finished"
    assert not Response.objects.filter(attempt=started).exists()


def test_a_save_before_the_start_is_refused(authorised, candidate):
    """Authorised but not started (still on the tutorial): nothing is saved, from
    no workstation or from the one launched with the proctor's code."""
    item = form_items(authorised)["A1-001"]
    with pytest.raises(DeliveryError) as refused:
        save(authorised, item, seq=1, choice=1)
    assert refused.value.code == "launch"
    launch(authorised, candidate.user)
    with pytest.raises(DeliveryError) as refused:
        save(authorised, item, seq=1, choice=1)
    assert refused.value.code == "not_started"
    assert not Response.objects.exists()
