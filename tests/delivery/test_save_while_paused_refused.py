"""While the proctor has paused an exam, saves are refused (the player keeps them
queued and sends them after the resume)."""

from __future__ import annotations

import pytest

from certwright.delivery.attempts import attempt_pause, attempt_resume
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Response
from tests.support.delivery import form_items, save

pytestmark = pytest.mark.django_db


def test_a_save_while_paused_is_refused_and_accepted_after_the_resume(
    started, candidate, proctor
):
    item = form_items(started)["A1-001"]
    # given the proctor paused the exam
    attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire alarm")
    # when the candidate's save arrives
    with pytest.raises(DeliveryError) as refused:
        save(started, item, seq=1, choice=2)
    # then it is refused and nothing is stored
    assert refused.value.code == "paused"
    assert not Response.objects.exists()
    # when the proctor resumes and the queued save is replayed
    attempt_resume(attempt_id=started.pk, actor=proctor)
    ack = save(started, item, seq=1, choice=2)
    # then it is saved
    assert ack.applied
    assert Response.objects.get().choice == 2
