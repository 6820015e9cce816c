"""The end of a practice test is a summary, not a result: titled as a practice
test, how many first answers were right, and every question with its stem, the
answer chosen, the key and the rationale. Without the practice entitlement (a
refund) the review is withheld; an exam's result page never shows a rationale."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.commerce.models import Entitlement
from certwright.delivery.attempts import attempt_submit, practice_attempt_create
from certwright.delivery.practice import practice_review
from tests.delivery.test_practice_tests import _entitle
from tests.support.delivery import KEYS, form_create, form_items, save
from tests.support.scheduling import NOW

pytestmark = pytest.mark.django_db


def _finished_practice(candidate):
    """A practice test with A1-001 right, A1-002 wrong, the rest unanswered."""
    _entitle(candidate)
    form_create(kind="practice")
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    items = form_items(attempt)
    save(attempt, items["A1-001"], seq=1, choice=KEYS["A1-001"])
    save(attempt, items["A1-002"], seq=2, choice=(KEYS["A1-002"] + 1) % 4)
    return attempt_submit(attempt_id=attempt.pk, by=candidate.user)


def test_the_practice_summary_reviews_every_question(client, candidate, frozen):
    # given a finished practice test
    attempt = _finished_practice(candidate)
    total = len(form_items(attempt))
    client.force_login(candidate.user)
    # when its end page is opened
    page = client.get(reverse("delivery:result", args=[attempt.pk]))
    text = page.content.decode()
    # then it is a practice summary, not a result
    assert page.status_code == 200
    assert "A1 practice test: summary" in text
    assert "result" not in text.split("<main")[1].split("</h1>")[0].lower()
    assert "Your A1 result" not in text
    assert f"1 of {total} questions right" in text
    # and every question is there with its stem, the chosen answer, the key and why
    review = practice_review(attempt)
    assert len(review) == total
    for question in review:
        assert f'id="review-{question.number}"' in text
        assert question.rationale in text
    assert text.count("(your answer)") == 2
    assert text.count("(the answer)") == total
    assert "RATIONALE-A1-001" in text
    right = next(q for q in review if q.chosen == KEYS["A1-001"] and q.correct)
    assert right.chosen == right.key


def test_after_a_refund_the_review_is_withheld(client, candidate, frozen):
    # given a finished practice test whose entitlement was then revoked
    attempt = _finished_practice(candidate)
    Entitlement.objects.update(revoked_at=NOW)
    client.force_login(candidate.user)
    # when its end page is opened
    text = client.get(reverse("delivery:result", args=[attempt.pk])).content.decode()
    # then the score shows but no key or rationale
    assert "A1 practice test: summary" in text
    assert "RATIONALE-" not in text
    assert "(the answer)" not in text


def test_an_exam_is_never_reviewed(started):
    # given an exam attempt, when a review is asked for, then it is refused
    with pytest.raises(ValueError, match="only a finished practice attempt"):
        practice_review(started)
