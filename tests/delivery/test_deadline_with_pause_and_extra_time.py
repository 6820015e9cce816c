"""The deadline is the start plus the time allowed (the form's minutes, an approved
accommodation, the proctor's extensions) plus every pause: the clock stops while
paused, and the time left is what the server says."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.delivery.accommodations import accommodation_approve
from certwright.delivery.attempts import (
    attempt_authorise,
    attempt_extend,
    attempt_pause,
    attempt_resume,
    attempt_start,
)
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import AttemptStatus
from tests.support.delivery import EXAM_DAY, launch
from tests.support.scheduling import local

pytestmark = pytest.mark.django_db

START = local(EXAM_DAY, 9, 5)


def test_a_pause_stops_the_clock_and_moves_the_deadline(started, proctor, frozen):
    """Paused at +10 min for 7 min 30 s: 65 min left throughout the pause, and the
    deadline moves 7 min 30 s later."""
    # given 10 minutes into the exam
    frozen.move_to(START + dt.timedelta(minutes=10))
    # when the proctor pauses it
    paused = attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire alarm")
    assert paused.status == AttemptStatus.PAUSED
    # then the time left is frozen while paused
    frozen.move_to(START + dt.timedelta(minutes=17, seconds=30))
    assert paused.remaining_seconds(START + dt.timedelta(minutes=17)) == 65 * 60
    # when the proctor resumes after 7 min 30 s
    resumed = attempt_resume(attempt_id=started.pk, actor=proctor)
    # then the deadline is 75 + 7.5 minutes after the start
    assert resumed.paused_seconds == 450
    assert resumed.deadline == START + dt.timedelta(minutes=82, seconds=30)
    assert resumed.remaining_seconds(START + dt.timedelta(minutes=17, seconds=30)) == (
        65 * 60
    )


def test_an_accommodation_adds_its_share_at_authorisation(seat, proctor, candidate):
    """+50 % on a 75-minute form: 112 min 30 s."""
    # given an approved accommodation of 50 % extra time
    accommodation_approve(
        technician_id=candidate.pk,
        extra_percent=50,
        note="documented need",
        actor="staff",
    )
    # when the seat is authorised and started
    attempt = attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    token = launch(attempt, candidate.user)
    started = attempt_start(attempt_id=attempt.pk, by=candidate.user, device=token)
    # then the time allowed includes the extra time
    assert attempt.accommodation_seconds == 75 * 60 // 2
    assert started.budget_seconds == 75 * 60 + 2250
    assert started.deadline == START + dt.timedelta(seconds=75 * 60 + 2250)


def test_an_accommodation_for_another_test_does_not_apply(seat, proctor, candidate):
    accommodation_approve(
        technician_id=candidate.pk, test="A5", extra_minutes=30, actor="staff"
    )
    attempt = attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    assert attempt.budget_seconds == 75 * 60


def test_an_extension_adds_minutes_and_needs_a_reason(started, proctor):
    """The proctor adds 10 minutes after a disruption; without a reason it is
    refused."""
    # when extended without a reason
    with pytest.raises(DeliveryError) as refused:
        attempt_extend(attempt_id=started.pk, minutes=10, reason=" ", actor=proctor)
    assert refused.value.code == "reason"
    # when extended with one
    extended = attempt_extend(
        attempt_id=started.pk, minutes=10, reason="power cut", actor=proctor
    )
    # then the deadline is 85 minutes after the start
    assert extended.deadline == START + dt.timedelta(minutes=85)
    assert extended.extended_seconds == 600


def test_pause_extension_and_pause_again_add_up(started, proctor, frozen):
    """Two pauses (3 min and 2 min) and a 5-minute extension: 75 + 5 + 5."""
    for at, length in ((5, 3), (30, 2)):
        frozen.move_to(START + dt.timedelta(minutes=at))
        attempt_pause(attempt_id=started.pk, actor=proctor)
        frozen.move_to(START + dt.timedelta(minutes=at + length))
        attempt_resume(attempt_id=started.pk, actor=proctor)
    attempt = attempt_extend(
        attempt_id=started.pk, minutes=5, reason="noise", actor=proctor
    )
    assert attempt.deadline == START + dt.timedelta(minutes=85)
    # then at 40 minutes, 45 are left
    assert attempt.remaining_seconds(START + dt.timedelta(minutes=40)) == 45 * 60


def test_a_start_later_than_the_authorisation_counts_from_the_start(
    authorised, candidate, frozen
):
    """The tutorial's time is not exam time: the clock starts when the candidate
    starts."""
    token = launch(authorised, candidate.user)
    frozen.move_to(START + dt.timedelta(minutes=6))
    started = attempt_start(attempt_id=authorised.pk, by=candidate.user, device=token)
    assert started.deadline == START + dt.timedelta(minutes=81)


def test_a_reader_whose_moment_is_before_the_start_sees_the_budget(started):
    """The proctor console's poll takes its moment, then reads a start another
    request committed a moment later: it shows 75 minutes, not 76."""
    # given an attempt started at some instant
    assert started.started_at is not None
    # when the time left is asked for a moment two seconds before that start
    left = started.remaining_seconds(started.started_at - dt.timedelta(seconds=2))
    # then it is the budget, never more
    assert left == started.budget_seconds
