"""A candidate checked in and started before the booked time (the exam-day demo
books the next free quarter hour, and the proctor starts at once): when the last
seat is finished the appointment is completed all the same and its order line is
taken. Completing an appointment by hand before its start is still refused."""

from __future__ import annotations

import pytest

from certwright.commerce.models import LineStatus, OrderLine
from certwright.delivery.attempts import (
    attempt_authorise,
    attempt_start,
    attempt_submit,
)
from certwright.scheduling.models import Appointment, AppointmentStatus
from certwright.scheduling.services import (
    BookingError,
    appointment_book,
    appointment_check_in,
    appointment_complete,
)
from tests.support.delivery import EXAM_DAY, launch
from tests.support.scheduling import lines_buy, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def early(frozen, candidate, centre, exam_form) -> Appointment:
    """Booked for 10:00 on exam day, checked in at 09:05."""
    (line,) = lines_buy(candidate, "A1")
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(EXAM_DAY, 10),
        order_line_ids=[line.pk],
    )
    frozen.move_to(local(EXAM_DAY, 9, 5))
    return appointment_check_in(appointment_id=appointment.pk, actor="proctor")


def test_an_exam_finished_before_the_booked_start_completes_it(
    early, candidate, proctor, frozen, django_capture_on_commit_callbacks
):
    # given the seat authorised and started before 10:00
    seat = early.tests.get()
    attempt = attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    token = launch(attempt, candidate.user)
    attempt_start(attempt_id=attempt.pk, by=candidate.user, device=token)
    # when the candidate submits at 09:40, still before the booked start
    frozen.move_to(local(EXAM_DAY, 9, 40))
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=attempt.pk, by=candidate.user, device=token)
    # then the appointment is completed and its order line taken
    early.refresh_from_db()
    assert early.status == AppointmentStatus.COMPLETED
    assert OrderLine.objects.get(pk=seat.order_line_id).status == LineStatus.TAKEN


def test_completing_by_hand_before_the_start_is_still_refused(early):
    # when staff complete the checked-in appointment at 09:05, before 10:00
    with pytest.raises(BookingError) as refused:
        appointment_complete(appointment_id=early.pk, actor="staff")
    # then it is refused and nothing changed
    assert refused.value.code == "time"
    early.refresh_from_db()
    assert early.status == AppointmentStatus.CHECKED_IN
