"""When the time runs out the attempt is auto-submitted (status expired) and scored:
by the sweep, or lazily by a late save; saves past the deadline are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.credentials.models import TestResult
from certwright.delivery.attempts import LATE_SAVE_GRACE, attempt_pause, attempts_expire
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import AttemptStatus, Response
from tests.support.delivery import KEYS, form_items, save

pytestmark = pytest.mark.django_db


def test_the_sweep_auto_submits_and_scores_an_attempt_past_its_deadline(
    started, candidate, frozen
):
    """Three right answers, then the time runs out: expired, raw 3, a pass fact;
    the sweep run twice closes it once."""
    items = form_items(started)
    # given three right answers
    for seq, code in enumerate(["A1-001", "A1-002", "A1-003"], start=1):
        save(started, items[code], seq=seq, choice=KEYS[code])
    # when the sweep runs just before the deadline
    frozen.move_to(started.deadline - dt.timedelta(seconds=1))
    assert attempts_expire() == 0
    # when it runs after the deadline and the grace, twice
    frozen.move_to(started.deadline + LATE_SAVE_GRACE)
    closed = attempts_expire() + attempts_expire()
    # then the attempt was closed once, scored, and its result recorded
    assert closed == 1
    started.refresh_from_db()
    assert started.status == AttemptStatus.EXPIRED
    assert started.ended_by == "timeout"
    assert (started.raw_score, started.passed) == (3, True)
    assert TestResult.objects.get(technician=candidate).outcome == "pass"


def test_a_save_just_past_the_deadline_is_kept_within_the_grace(
    started, candidate, frozen
):
    """A save sent at the last second arrives 2 s late: it is kept."""
    item = form_items(started)["A1-001"]
    frozen.move_to(started.deadline + dt.timedelta(seconds=2))
    assert save(started, item, seq=1, choice=0).applied


def test_a_late_save_is_refused_and_closes_the_attempt(started, candidate, frozen):
    """A save after the deadline (and grace): refused with ``deadline`` and the
    attempt is auto-submitted on the spot."""
    item = form_items(started)["A1-001"]
    # given the time ran out a minute ago and no sweep has run
    frozen.move_to(started.deadline + dt.timedelta(minutes=1))
    # when a save arrives
    with pytest.raises(DeliveryError) as refused:
        save(started, item, seq=1, choice=0)
    # then it is refused, nothing stored, and the attempt is closed
    assert refused.value.code == "deadline"
    assert not Response.objects.exists()
    started.refresh_from_db()
    assert started.status == AttemptStatus.EXPIRED


def test_a_paused_attempt_does_not_expire(started, proctor, frozen):
    """The clock is stopped while paused: the sweep leaves it open."""
    attempt_pause(attempt_id=started.pk, actor=proctor)
    frozen.move_to(started.deadline + dt.timedelta(hours=1))
    assert attempts_expire() == 0
    started.refresh_from_db()
    assert started.status == AttemptStatus.PAUSED
