"""Only the scored (operational) items count: raw score per content area, pass or
fail at the form's cut, the scaled score from its table."""

from __future__ import annotations

import pytest

from certwright.delivery.attempts import attempt_submit
from certwright.delivery.models import AttemptStatus
from certwright.delivery.score_breakdown import ScoringItem, attempt_score
from tests.support.delivery import KEYS, SEATS, form_items, save

pytestmark = pytest.mark.django_db


def _answer(attempt, candidate, answers):
    items = form_items(attempt)
    for seq, (code, choice) in enumerate(answers.items(), start=1):
        save(attempt, items[code], seq=seq, choice=choice)


def test_the_pretest_item_does_not_count(started, candidate, exam_form):
    """Two right scored answers in A, the pretest item right too, one wrong in B:
    raw 2 (A 2/2, B 0/2), below the cut of 3: a fail, scaled from the table."""
    # given the answers
    _answer(
        started,
        candidate,
        {
            "A1-001": KEYS["A1-001"],
            "A1-002": KEYS["A1-002"],
            "A1-003": (KEYS["A1-003"] + 1) % 4,
            "A1-005": KEYS["A1-005"],  # the pretest item, right
        },
    )
    # when submitted
    attempt = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    # then only the scored items count
    assert attempt.status == AttemptStatus.SUBMITTED
    assert (attempt.raw_score, attempt.scored_items) == (2, 4)
    assert [(a["code"], a["raw"], a["of"]) for a in attempt.area_scores] == [
        ("A", 2, 2),
        ("B", 0, 2),
    ]
    assert exam_form.cut_score == 3
    assert attempt.passed is False
    assert attempt.scaled_score == exam_form.scale[2]
    assert attempt.scaled_score < 500


def test_exactly_the_cut_passes_at_the_pass_mark(started, candidate, exam_form):
    """Raw 3 of 4 = the cut: a pass, scaled 500 (the default table's pass mark)."""
    _answer(
        started,
        candidate,
        {code: KEYS[code] for code in ["A1-001", "A1-003", "A1-004"]},
    )
    attempt = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    assert (attempt.raw_score, attempt.passed, attempt.scaled_score) == (3, True, 500)
    assert [a["raw"] for a in attempt.area_scores] == [1, 2]
    assert attempt.area_scores[0]["name"] == "General Engine Diagnosis"


def test_the_pure_scorer_counts_areas_in_blueprint_order():
    """The pure function: area order from the blueprint, unanswered = wrong."""
    items = [
        ScoringItem(form_item_id=1, key=0, scored=True, area="B"),
        ScoringItem(form_item_id=2, key=1, scored=True, area="A"),
        ScoringItem(form_item_id=3, key=2, scored=False, area="A"),
        ScoringItem(form_item_id=4, key=3, scored=True, area="A"),
    ]
    score = attempt_score(
        items=items,
        choices={1: 0, 2: 1, 3: 2, 4: None},
        cut_score=2,
        scale=[200, 400, 600, 800],
        area_order=["A", "B"],
    )
    assert [(a.code, a.raw, a.of) for a in score.areas] == [("A", 1, 2), ("B", 1, 1)]
    assert (score.raw, score.of, score.passed, score.scaled) == (2, 3, True, 600)
