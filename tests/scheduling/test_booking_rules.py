"""Booking: what makes an appointment, and every rule that refuses one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError

from certwright.commerce.models import LineStatus, OrderLine
from certwright.scheduling.models import Appointment, AppointmentStatus, SeatBlock
from certwright.scheduling.services import BookingError, SlotFull, appointment_book
from tests.support.scheduling import closure_add, days_from_now, local

pytestmark = pytest.mark.usefixtures("frozen")

# Tuesday 10 March 2026, eight days after NOW.
TUESDAY = days_from_now(8)


def _book(candidate, centre, start, lines):
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=start,
        order_line_ids=[line.pk for line in lines],
    )


@pytest.mark.django_db
def test_several_tests_share_one_appointment_with_minutes_summed_plus_30(
    candidate, centre, buy
):
    """A1 (75 minutes) and A5 (no published time: 90) in one appointment take
    75 + 90 + 30 minutes, and both lines are booked into it."""
    # given two purchased tests
    lines = buy(candidate, "A1", "A5")
    # when both are booked at 09:00 on a Tuesday
    appointment = _book(candidate, centre, local(TUESDAY, 9), lines)
    # then one appointment holds both, 195 minutes long
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.minutes == 75 + 90 + 30
    assert sorted(t.test for t in appointment.tests.all()) == ["A1", "A5"]
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=195)
    # then commerce has both lines booked into it
    for line in OrderLine.objects.filter(pk__in=[li.pk for li in lines]):
        assert (line.status, line.appointment_id) == (
            LineStatus.BOOKED,
            appointment.pk,
        )
    # then every 15-minute block of the appointment holds one seat
    blocks = SeatBlock.objects.filter(centre=centre).order_by("starts_at")
    assert [b.booked for b in blocks] == [1] * 13
    assert blocks[0].starts_at == appointment.starts_at
    assert blocks.reverse()[0].starts_at == appointment.ends_at - dt.timedelta(
        minutes=15
    )


@pytest.mark.django_db
def test_a_recertification_test_takes_its_own_time(candidate, centre, buy):
    """A1 recertification is 30 minutes in the program: 30 + 30."""
    # given a purchased A1 recertification test
    lines = buy(candidate, "A1", kind="recert")
    # when booked
    appointment = _book(candidate, centre, local(TUESDAY, 9), lines)
    # then the appointment lasts an hour
    assert appointment.minutes == 60


@pytest.mark.parametrize(
    ("start", "code"),
    [
        pytest.param((TUESDAY, 7, 45), "hours", id="before opening"),
        pytest.param((TUESDAY, 16, 30), "hours", id="ends after closing"),
        pytest.param((TUESDAY, 18, 0), "hours", id="at closing"),
        pytest.param((TUESDAY, 9, 10), "time", id="off the quarter hour"),
        pytest.param((days_from_now(13), 9, 0), "closed", id="closed on Sundays"),
        pytest.param((days_from_now(0), 8, 0), "past", id="earlier today"),
    ],
)
@pytest.mark.django_db
def test_a_time_outside_the_opening_hours_is_refused(
    candidate, centre, buy, start, code
):
    """Opening hours are the centre's local time; the whole appointment must fit
    before closing, on the quarter hour, on an open day, in the future."""
    # given a purchased test (75 + 30 minutes)
    lines = buy(candidate, "A1")
    # when booked at the given time
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, local(*start), lines)
    # then it is refused for that reason and nothing is written
    assert refused.value.code == code
    assert not Appointment.objects.exists()
    assert not SeatBlock.objects.exists()
    assert OrderLine.objects.get(pk=lines[0].pk).status == LineStatus.PURCHASED


@pytest.mark.django_db
def test_the_last_start_that_fits_before_closing_is_accepted(candidate, centre, buy):
    """105 minutes from 16:15 ends at 18:00, the closing time: allowed."""
    # given a purchased A1
    lines = buy(candidate, "A1")
    # when booked at 16:15
    appointment = _book(candidate, centre, local(TUESDAY, 16, 15), lines)
    # then it ends exactly at closing
    assert appointment.local_end().time() == dt.time(18, 0)


@pytest.mark.django_db
def test_a_closure_day_is_refused(candidate, centre, buy):
    """No booking on a day in a closure range, in the centre's calendar."""
    # given the centre closed Monday to Wednesday of the week
    closure_add(centre, TUESDAY - dt.timedelta(days=1), TUESDAY + dt.timedelta(days=1))
    lines = buy(candidate, "A1")
    # when booked on the Tuesday
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, local(TUESDAY, 9), lines)
    # then it is refused as closed, with the reason
    assert refused.value.code == "closed"
    assert "Holiday" in refused.value.message


@pytest.mark.django_db
def test_a_day_after_the_must_take_by_date_is_refused(candidate, centre, buy):
    """ASE: 90 days from purchase to take the test; the appointment's local day must
    not be after the line's must-take-by date."""
    # given a test that must be taken by the Tuesday
    lines = buy(candidate, "A1", must_take_by=TUESDAY)
    # when booked the day after
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, local(TUESDAY + dt.timedelta(days=1), 9), lines)
    # then it is refused for the window
    assert refused.value.code == "window"
    assert TUESDAY.isoformat() in refused.value.message
    # when booked on the day itself
    appointment = _book(
        candidate, centre, local(TUESDAY, 17, 0) - dt.timedelta(minutes=60), lines
    )
    # then it is booked
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.django_db
def test_a_line_is_in_one_live_appointment_only(candidate, centre, buy):
    """A purchased test already booked cannot be booked again."""
    # given A1 booked on Tuesday
    lines = buy(candidate, "A1")
    _book(candidate, centre, local(TUESDAY, 9), lines)
    # when the same line is booked on Wednesday
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, local(TUESDAY + dt.timedelta(days=1), 9), lines)
    # then it is refused and only the first appointment exists
    assert refused.value.code == "lines"
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_someone_elses_line_cannot_be_booked(candidate, centre, buy, make_candidate):
    """A candidate books only their own purchased tests."""
    # given another candidate's purchased test
    other = make_candidate()
    lines = buy(other, "A1")
    # when the first candidate books it
    with pytest.raises(BookingError) as refused:
        _book(candidate, centre, local(TUESDAY, 9), lines)
    # then it is refused
    assert refused.value.code == "lines"
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_overlapping_appointments_of_one_candidate_are_refused(
    candidate, centre, buy, make_centre
):
    """A candidate cannot sit two appointments at once, even at two centres."""
    # given A1 booked at 09:00
    a1, a5 = buy(candidate, "A1", "A5")
    _book(candidate, centre, local(TUESDAY, 9), [a1])
    # when A5 is booked at 10:00 elsewhere
    with pytest.raises(BookingError) as refused:
        _book(candidate, make_centre(), local(TUESDAY, 10), [a5])
    # then it is refused
    assert refused.value.code == "overlap"


@pytest.mark.django_db
def test_a_full_slot_is_refused_and_nothing_is_written(
    make_centre, make_candidate, buy
):
    """When any block of the appointment has no seat left the booking is refused as
    full, and neither the appointment nor the line change is kept."""
    # given a one-seat centre booked 10:00-11:45
    centre = make_centre(seats=1)
    first = make_candidate()
    _book(first, centre, local(TUESDAY, 10), buy(first, "A1"))
    # when another candidate books 09:00-10:45, overlapping the last part
    second = make_candidate()
    lines = buy(second, "A1")
    with pytest.raises(SlotFull) as refused:
        _book(second, centre, local(TUESDAY, 9), lines)
    # then it is refused as full and nothing of it is written
    assert refused.value.code == "full"
    assert Appointment.objects.count() == 1
    assert OrderLine.objects.get(pk=lines[0].pk).status == LineStatus.PURCHASED
    assert not SeatBlock.objects.filter(booked__gt=1).exists()
    assert SeatBlock.objects.filter(booked=1).count() == 7
    # when booked 08:15-10:00, ending where the other begins
    appointment = _book(second, centre, local(TUESDAY, 8, 15), lines)
    # then it fits
    assert appointment.local_end().time() == dt.time(10, 0)


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_commit_does_not_undo_or_repeat_the_booking(
    candidate, centre, buy, monkeypatch
):
    """If queueing the confirmation fails once the booking has committed (a busy
    SQLite database), the booking stands and is reported as made, not retried into
    an "already booked" refusal."""
    # given a purchased test, and a task queue that fails on commit
    lines = buy(candidate, "A1")

    def enqueue_fails(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("certwright.notifications.services._enqueue", enqueue_fails)
    # when booked
    appointment = _book(candidate, centre, local(TUESDAY, 9), lines)
    # then it is booked, once
    assert Appointment.objects.get().pk == appointment.pk
    assert OrderLine.objects.get(pk=lines[0].pk).status == LineStatus.BOOKED
