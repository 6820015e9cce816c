"""In a practice test the first answer to a question counts: once the feedback has
shown the key, a later save that changes or clears the choice is not applied; it is
acknowledged with the first answer and the same feedback ("not right"), and the
score counts the first answer. The flag may still change. An exam's answers stay
free to change."""

from __future__ import annotations

import pytest

from certwright.delivery.answers import answer_save
from certwright.delivery.attempts import attempt_submit, practice_attempt_create
from certwright.delivery.models import Response
from tests.delivery.test_practice_tests import _entitle
from tests.support.delivery import KEYS, form_create, form_items, save

pytestmark = pytest.mark.django_db


def _practice(candidate):
    _entitle(candidate)
    form_create(kind="practice")
    return practice_attempt_create(technician_id=candidate.pk, test="A1")


def _save(attempt, item, *, seq, choice, flagged=False):
    return answer_save(
        attempt_id=attempt.pk,
        form_item_id=item.pk,
        choice=choice,
        flagged=flagged,
        client_seq=seq,
        by=attempt.technician.user,
        feedback=True,
    )


def test_switching_to_the_key_after_not_quite_is_not_applied(candidate, frozen):
    # given a practice question answered wrongly
    attempt = _practice(candidate)
    item = form_items(attempt)["A1-001"]
    key = KEYS["A1-001"]
    wrong = (key + 1) % 4
    first = _save(attempt, item, seq=1, choice=wrong)
    assert first.applied
    assert first.feedback["correct"] is False
    # when the candidate switches to the key
    second = _save(attempt, item, seq=2, choice=key)
    # then it is not applied: the first answer stands, and so does its feedback
    assert second.applied is False
    assert second.choice == wrong
    assert second.feedback == {**first.feedback}
    assert second.feedback["correct"] is False
    assert Response.objects.get(form_item=item).choice == wrong
    # when they try to clear it
    cleared = _save(attempt, item, seq=3, choice=None)
    # then that is not applied either
    assert cleared.applied is False
    assert Response.objects.get(form_item=item).choice == wrong
    # when they flag it (the same answer)
    flagged = _save(attempt, item, seq=4, choice=wrong, flagged=True)
    # then the flag is saved
    assert flagged.applied is True
    assert Response.objects.get(form_item=item).flagged is True
    # and the score counts the first answer
    finished = attempt_submit(attempt_id=attempt.pk, by=candidate.user)
    assert finished.raw_score == 0


def test_a_flag_before_the_first_answer_does_not_lock_the_question(candidate, frozen):
    # given a practice question flagged but not answered
    attempt = _practice(candidate)
    item = form_items(attempt)["A1-001"]
    _save(attempt, item, seq=1, choice=None, flagged=True)
    # when it is answered
    ack = _save(attempt, item, seq=2, choice=KEYS["A1-001"], flagged=True)
    # then the answer is applied and right
    assert ack.applied is True
    assert ack.feedback["correct"] is True


def test_an_exam_answer_can_still_be_changed(started):
    # given an exam question answered
    item = form_items(started)["A1-001"]
    save(started, item, seq=1, choice=0)
    # when the candidate changes the answer, then it is applied
    assert save(started, item, seq=2, choice=3).applied is True
    assert Response.objects.get(form_item=item).choice == 3
    # and clearing it too
    assert save(started, item, seq=3, choice=None).applied is True
    assert Response.objects.get(form_item=item).choice is None
