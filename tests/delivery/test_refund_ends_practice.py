"""A refund ends the practice tests its purchase unlocked: an open practice attempt
stops answering with keys and rationales the moment the line is refunded."""

from __future__ import annotations

import pytest

from certwright.commerce.models import Entitlement, EntitlementKind, LineStatus
from certwright.commerce.services import order_line_refund
from certwright.delivery.answers import answer_save
from certwright.delivery.attempts import practice_attempt_create
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.itembank.models import FormItem
from tests.support.delivery import form_create
from tests.support.scheduling import lines_buy

pytestmark = pytest.mark.django_db


def _entitled(technician, test="A1", status=LineStatus.PURCHASED):
    (line,) = lines_buy(technician, test, status=status)
    for kind in EntitlementKind.values:
        Entitlement.objects.create(
            technician=technician, test=test, kind=kind, source_line=line
        )
    return line


def _save(attempt, seq):
    item = FormItem.objects.filter(form_id=attempt.form_id).order_by("pk").first()
    assert item is not None
    return answer_save(
        attempt_id=attempt.pk,
        form_item_id=item.pk,
        choice=0,
        flagged=False,
        client_seq=seq,
        by=attempt.technician.user,
        feedback=True,
    )


def test_a_refund_ends_the_open_practice_attempt(candidate, exam_form):
    """Before the refund a practice answer brings the key; after it the attempt is
    ended and a save is refused, with no key."""
    form_create(kind="practice")
    line = _entitled(candidate)
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    assert _save(attempt, 1).feedback is not None
    # when the line is refunded
    order_line_refund(line_id=line.pk, reason="changed my mind", actor="staff")
    # then the practice attempt is over and answers nothing secret
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.VOIDED
    assert attempt.ended_by == "refund"
    with pytest.raises(DeliveryError) as refused:
        _save(attempt, 2)
    assert refused.value.code == "finished"


def test_another_purchase_of_the_test_keeps_practice_open(candidate, exam_form):
    """A retake refunded leaves the practice tests of the first purchase (sat,
    its entitlements kept)."""
    form_create(kind="practice")
    _entitled(candidate, status=LineStatus.TAKEN)
    line = _entitled(candidate)
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    order_line_refund(line_id=line.pk, reason="bought twice", actor="staff")
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS
    assert _save(attempt, 1).feedback is not None


def test_no_key_once_the_entitlement_is_revoked_by_any_means(candidate, exam_form):
    """Keys are what the entitlement sells: with it revoked (here straight in the
    table, as an operator might), a save is kept but comes back without one."""
    form_create(kind="practice")
    _entitled(candidate)
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    Entitlement.objects.update(revoked_at=attempt.created_at)
    ack = _save(attempt, 1)
    assert ack.applied
    assert ack.feedback is None
