"""An exam starts only when the proctor authorises that seat, after check-in, and
only the centre's staff can authorise it."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.audit.models import Event
from certwright.delivery.attempts import attempt_authorise, attempt_start
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.scheduling.services import appointment_book
from tests.support.delivery import EXAM_DAY, launch
from tests.support.scheduling import lines_buy, local, user_create

pytestmark = pytest.mark.django_db


def test_without_authorisation_there_is_no_attempt_to_start(seat, candidate):
    """Checked in but not authorised: the candidate has no attempt at all."""
    assert not Attempt.objects.filter(technician=candidate).exists()


def test_a_booked_but_not_checked_in_seat_cannot_be_authorised(
    frozen, candidate, centre, exam_form, proctor
):
    """Authorisation comes after the ID check (check-in)."""
    # given a booked appointment, not checked in
    lines = lines_buy(candidate, "A1")
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(EXAM_DAY, 9),
        order_line_ids=[line.pk for line in lines],
    )
    frozen.move_to(local(EXAM_DAY, 9, 5))
    # when the proctor authorises the seat
    with pytest.raises(DeliveryError) as refused:
        attempt_authorise(appointment_test_id=appointment.tests.get().pk, actor=proctor)
    # then it is refused and nothing is created
    assert refused.value.code == "state"
    assert not Attempt.objects.exists()


def test_staff_of_another_centre_cannot_authorise(seat):
    """A proctor of another centre is refused."""
    stranger = user_create("other-proctor@example.com")
    with pytest.raises(DeliveryError) as refused:
        attempt_authorise(appointment_test_id=seat.pk, actor=stranger)
    assert refused.value.code == "forbidden"
    assert not Attempt.objects.exists()


def test_the_proctor_authorises_and_the_candidate_starts(seat, proctor, candidate):
    """Authorised: the attempt waits on the tutorial with the form's time; started
    (at the workstation launched with the proctor's code): the deadline is the
    start plus the time. Authorising again is a no-op, and every step is in the
    audit trail."""
    # when the proctor authorises the seat (twice: a double click)
    attempt = attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    again = attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    # then one attempt, authorised, with 75 minutes
    assert again.pk == attempt.pk
    assert attempt.status == AttemptStatus.AUTHORISED
    assert attempt.budget_seconds == 75 * 60
    assert attempt.deadline is None
    # when the candidate starts it at the workstation launched with the code
    token = launch(attempt, candidate.user)
    started = attempt_start(attempt_id=attempt.pk, by=candidate.user, device=token)
    # then the clock runs from now
    assert started.status == AttemptStatus.IN_PROGRESS
    assert started.deadline == local(EXAM_DAY, 9, 5) + dt.timedelta(minutes=75)
    kinds = list(
        Event.objects.filter(subject=f"attempt:{attempt.pk}")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["attempt.authorised", "attempt.launched", "attempt.started"]


def test_another_candidate_cannot_start_the_attempt(authorised):
    """Somebody else's account is told there is no such attempt."""
    other = user_create()
    with pytest.raises(DeliveryError) as refused:
        attempt_start(attempt_id=authorised.pk, by=other)
    assert refused.value.code == "not_found"
    authorised.refresh_from_db()
    assert authorised.status == AttemptStatus.AUTHORISED
