"""At the centre: check-in, completion, and no-shows (a result fact and forfeited
fees)."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event
from certwright.commerce.models import LineStatus, OrderLine
from certwright.credentials.models import TestResult
from certwright.scheduling.models import AppointmentStatus
from certwright.scheduling.services import (
    BookingError,
    appointment_book,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
)
from tests.support.scheduling import days_from_now, local

TUESDAY = days_from_now(8)


@pytest.fixture
def appointment(frozen, candidate, centre, buy):
    """A1 (initial) and A4 (recertification) booked for Tuesday 09:00 Chicago."""
    lines = buy(candidate, "A1") + buy(candidate, "A4", kind="recert")
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(TUESDAY, 9),
        order_line_ids=[line.pk for line in lines],
    )


@pytest.mark.django_db
def test_a_no_show_before_the_start_is_refused(appointment):
    """Nobody can be absent from an appointment that has not begun."""
    # when marked a no-show a week early
    with pytest.raises(BookingError) as refused:
        appointment_mark_no_show(appointment_id=appointment.pk)
    # then it is refused and nothing is recorded
    assert refused.value.code == "time"
    assert not TestResult.objects.exists()


@pytest.mark.django_db
def test_a_no_show_records_each_test_as_a_no_show_fact_and_forfeits_the_fees(
    appointment, candidate, frozen
):
    """After the start: every test becomes a no_show result (kind as bought, dated
    the centre's day), every line is forfeited, and marking again changes nothing."""
    # given the appointment has started
    frozen.move_to(local(TUESDAY, 9, 20))
    # when marked a no-show, twice
    marked = appointment_mark_no_show(appointment_id=appointment.pk)
    appointment_mark_no_show(appointment_id=appointment.pk)
    # then the appointment is a no-show
    assert marked.status == AppointmentStatus.NO_SHOW
    # then two result facts, one per test, with the kind each was bought as
    results = TestResult.objects.filter(technician=candidate).order_by("test")
    assert [(r.test, r.kind, r.outcome, r.date) for r in results] == [
        ("A1", "initial", "no_show", TUESDAY),
        ("A4", "recert", "no_show", TUESDAY),
    ]
    # then the fees are forfeited
    lines = appointment.tests.values_list("order_line_id", flat=True)
    assert set(
        OrderLine.objects.filter(pk__in=lines).values_list("status", flat=True)
    ) == {LineStatus.FORFEITED}
    assert Event.objects.filter(kind="appointment.no_show").count() == 1


@pytest.mark.django_db
def test_a_no_show_late_in_the_evening_is_dated_the_centres_day(
    appointment, candidate, frozen
):
    """Recorded at 19:00 Chicago (01:00 UTC the next day), the fact is dated the
    local day of the appointment."""
    # given it is 19:00 on Tuesday in Chicago
    frozen.move_to(local(TUESDAY, 19))
    # when marked a no-show
    appointment_mark_no_show(appointment_id=appointment.pk)
    # then the results are dated Tuesday
    assert set(TestResult.objects.values_list("date", flat=True)) == {TUESDAY}


@pytest.mark.django_db
def test_check_in_then_completion_marks_the_lines_taken(appointment, frozen):
    """A candidate who came is checked in on the day (no no-show possible after)
    and, once done, their lines are taken."""
    # given the day of the appointment
    frozen.move_to(local(TUESDAY, 8, 50))
    # when checked in
    checked = appointment_check_in(appointment_id=appointment.pk)
    # then a no-show can no longer be recorded
    assert checked.status == AppointmentStatus.CHECKED_IN
    frozen.move_to(local(TUESDAY, 9, 30))
    with pytest.raises(BookingError):
        appointment_mark_no_show(appointment_id=appointment.pk)
    # when completed
    done = appointment_complete(appointment_id=appointment.pk)
    # then the lines are taken
    assert done.status == AppointmentStatus.COMPLETED
    lines = appointment.tests.values_list("order_line_id", flat=True)
    assert set(
        OrderLine.objects.filter(pk__in=lines).values_list("status", flat=True)
    ) == {LineStatus.TAKEN}


@pytest.mark.django_db
def test_check_in_is_only_on_the_day(appointment):
    """Check-in a week ahead is refused."""
    # when checked in a week early
    with pytest.raises(BookingError) as refused:
        appointment_check_in(appointment_id=appointment.pk)
    # then it is refused
    assert refused.value.code == "time"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
