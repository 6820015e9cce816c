"""Rescheduling and cancelling: allowed until 3 days before, seats and lines follow,
and a refused change leaves everything as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.audit.models import Event
from certwright.commerce.models import LineStatus, OrderLine
from certwright.scheduling.models import AppointmentStatus, AppointmentTest, SeatBlock
from certwright.scheduling.selectors import change_deadline
from certwright.scheduling.services import (
    BookingError,
    SlotFull,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.support.scheduling import CHICAGO, days_from_now, local

# Friday 13 March 2026, eleven days after NOW (Monday 2 March).
FRIDAY = days_from_now(11)


@pytest.fixture
def booked(frozen, candidate, centre, buy):
    """A1 and A5 (195 minutes) booked for Friday 09:00 in Chicago."""
    lines = buy(candidate, "A1", "A5")
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(FRIDAY, 9),
        order_line_ids=[line.pk for line in lines],
    )


def _booked_blocks(centre):
    return {
        b.starts_at.astimezone(CHICAGO).strftime("%H:%M")
        for b in SeatBlock.objects.filter(centre=centre, booked__gt=0)
    }


@pytest.mark.django_db
def test_the_change_deadline_is_the_start_of_local_day_d_minus_2(booked):
    """An appointment on Friday can be changed through Tuesday (centre time) and not
    from Wednesday 00:00 on."""
    # when the deadline is asked for
    deadline = change_deadline(booked)
    # then it is Wednesday 00:00 in Chicago
    assert deadline == dt.datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO)


@pytest.mark.django_db
def test_a_reschedule_moves_the_seats_and_keeps_uid_and_lines(booked, centre):
    """Moving to Saturday frees Friday's blocks, takes Saturday's, raises the
    sequence and keeps the UID and the order lines."""
    # given the appointment's uid and lines
    uid = booked.uid
    lines = set(booked.tests.values_list("order_line_id", flat=True))
    # when moved to Saturday 10:00
    moved = appointment_reschedule(
        appointment_id=booked.pk, starts_at=local(FRIDAY + dt.timedelta(days=1), 10)
    )
    # then the time and sequence changed, not the identity
    assert (moved.uid, moved.sequence, moved.status) == (
        uid,
        1,
        AppointmentStatus.BOOKED,
    )
    assert moved.local_start() == local(FRIDAY + dt.timedelta(days=1), 10)
    assert set(moved.tests.values_list("order_line_id", flat=True)) == lines
    # then only Saturday's 13 blocks hold a seat
    held = SeatBlock.objects.filter(centre=centre, booked=1)
    assert held.count() == 13
    assert {b.starts_at.astimezone(CHICAGO).date() for b in held} == {
        FRIDAY + dt.timedelta(days=1)
    }
    assert not SeatBlock.objects.filter(booked__gt=1).exists()
    # then the lines stay booked into the appointment
    assert set(
        OrderLine.objects.filter(pk__in=lines).values_list("status", flat=True)
    ) == {LineStatus.BOOKED}
    assert Event.objects.filter(kind="appointment.rescheduled").count() == 1


@pytest.mark.django_db
def test_a_reschedule_overlapping_itself_keeps_its_own_seat(
    frozen, make_centre, candidate, buy
):
    """On a one-seat centre an appointment can move by 15 minutes: the blocks it
    keeps are not counted twice."""
    # given a one-seat centre with A1 booked at 09:00
    centre = make_centre(seats=1)
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(FRIDAY, 9),
        order_line_ids=[buy(candidate, "A1")[0].pk],
    )
    # when moved to 09:15
    appointment_reschedule(
        appointment_id=appointment.pk, starts_at=local(FRIDAY, 9, 15)
    )
    # then 09:15-10:45 is held once and 09:00 is free again
    assert _booked_blocks(centre) == {
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
    }
    assert not SeatBlock.objects.filter(booked__gt=1).exists()


@pytest.mark.django_db
def test_a_reschedule_into_a_full_slot_leaves_the_appointment_where_it_was(
    booked, centre, make_candidate, buy
):
    """If the new time is full, nothing moves: same time, same seats, same
    sequence."""
    # given Saturday 10:00 taken by ten other candidates
    saturday = local(FRIDAY + dt.timedelta(days=1), 10)
    for _ in range(10):
        other = make_candidate()
        appointment_book(
            technician_id=other.pk,
            centre_id=centre.pk,
            starts_at=saturday,
            order_line_ids=[buy(other, "A1")[0].pk],
        )
    before = _booked_blocks(centre)
    # when the appointment is moved there
    with pytest.raises(SlotFull):
        appointment_reschedule(appointment_id=booked.pk, starts_at=saturday)
    # then it is unchanged
    booked.refresh_from_db()
    assert (booked.sequence, booked.local_start()) == (0, local(FRIDAY, 9))
    assert _booked_blocks(centre) == before


@pytest.mark.django_db
def test_a_reschedule_to_another_centre_moves_the_seats_there(
    booked, centre, make_centre
):
    """The seats go back at the old centre and are taken at the new one."""
    # given another centre
    other = make_centre()
    # when moved there
    appointment_reschedule(
        appointment_id=booked.pk, centre_id=other.pk, starts_at=local(FRIDAY, 11)
    )
    # then the seats moved with it
    assert not SeatBlock.objects.filter(centre=centre, booked__gt=0).exists()
    assert SeatBlock.objects.filter(centre=other, booked=1).count() == 13


@pytest.mark.django_db
def test_a_change_on_the_last_day_is_allowed_and_the_next_day_refused(booked, frozen):
    """Tuesday 23:59 Chicago time: allowed; Wednesday 00:00: refused, for both
    reschedule and cancel, and nothing changes."""
    # given Tuesday 23:59 at the centre
    frozen.move_to(dt.datetime(2026, 3, 10, 23, 59, tzinfo=CHICAGO))
    # when moved 15 minutes later
    moved = appointment_reschedule(
        appointment_id=booked.pk, starts_at=local(FRIDAY, 9, 15)
    )
    # then it moved
    assert moved.sequence == 1
    # given Wednesday 00:00 at the centre
    frozen.move_to(dt.datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO))
    # when moved back, or cancelled
    for change in (
        lambda: appointment_reschedule(
            appointment_id=booked.pk, starts_at=local(FRIDAY, 9)
        ),
        lambda: appointment_cancel(appointment_id=booked.pk),
    ):
        with pytest.raises(BookingError) as refused:
            change()
        # then it is refused with the deadline named
        assert refused.value.code == "deadline"
        assert "2026-03-10" in refused.value.message
    booked.refresh_from_db()
    assert (booked.status, booked.sequence) == (AppointmentStatus.BOOKED, 1)


@pytest.mark.django_db
def test_a_stale_form_is_refused(booked):
    """A change carrying the sequence the candidate saw is refused once the
    appointment has changed since."""
    # given the appointment moved after the form was drawn (sequence 0)
    appointment_reschedule(appointment_id=booked.pk, starts_at=local(FRIDAY, 10))
    # when the old form cancels
    with pytest.raises(BookingError) as refused:
        appointment_cancel(appointment_id=booked.pk, expected_sequence=0)
    # then it is refused as stale and the appointment stands
    assert refused.value.code == "stale"
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


@pytest.mark.django_db
def test_a_reschedule_stays_inside_the_must_take_by_window(
    frozen, candidate, centre, buy
):
    """The must-take-by date binds the new time too."""
    # given A1 to be taken by Friday, booked on Thursday
    lines = buy(candidate, "A1", must_take_by=FRIDAY)
    appointment = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(FRIDAY - dt.timedelta(days=1), 9),
        order_line_ids=[lines[0].pk],
    )
    # when moved to Saturday
    with pytest.raises(BookingError) as refused:
        appointment_reschedule(
            appointment_id=appointment.pk,
            starts_at=local(FRIDAY + dt.timedelta(days=1), 9),
        )
    # then it is refused for the window
    assert refused.value.code == "window"


@pytest.mark.django_db
def test_cancelling_frees_the_seats_and_releases_the_lines(booked, centre):
    """A cancelled appointment holds nothing: its seats are free and its order lines
    are paid (bookable or refundable) again."""
    # given the appointment's lines
    lines = list(booked.tests.values_list("order_line_id", flat=True))
    # when cancelled
    cancelled = appointment_cancel(appointment_id=booked.pk)
    # then it is cancelled with a higher sequence
    assert (cancelled.status, cancelled.sequence) == (AppointmentStatus.CANCELLED, 1)
    # then every seat is back and the lines are paid again, out of the appointment
    assert not SeatBlock.objects.filter(centre=centre, booked__gt=0).exists()
    assert set(
        OrderLine.objects.filter(pk__in=lines).values_list("status", "appointment_id")
    ) == {(LineStatus.PURCHASED, None)}
    assert not AppointmentTest.objects.filter(released_at__isnull=True).exists()
    # then cancelling again is refused
    with pytest.raises(BookingError) as refused:
        appointment_cancel(appointment_id=booked.pk)
    assert refused.value.code == "state"


@pytest.mark.django_db
def test_released_lines_can_be_booked_again(booked, candidate, centre):
    """After a cancellation the same purchased tests book a new appointment."""
    # given the appointment cancelled
    lines = list(booked.tests.values_list("order_line_id", flat=True))
    appointment_cancel(appointment_id=booked.pk)
    # when the lines are booked again on Saturday
    again = appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=local(FRIDAY + dt.timedelta(days=1), 9),
        order_line_ids=lines,
    )
    # then a new appointment, with a new UID, holds them
    assert again.pk != booked.pk
    assert again.uid != booked.uid
    assert set(again.tests.values_list("order_line_id", flat=True)) == set(lines)
