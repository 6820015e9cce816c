"""The slot search: free start times with the seats left, read in one query for the
seat blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.scheduling.selectors import centre_list, centre_slots
from certwright.scheduling.services import appointment_book
from tests.support.scheduling import CHICAGO, closure_add, days_from_now, local

TUESDAY = days_from_now(8)


def _times(slots):
    return [s.local_start.strftime("%H:%M") for s in slots]


@pytest.mark.django_db
def test_slots_cover_the_opening_hours_on_the_quarter_hour(frozen, centre):
    """08:00-18:00 and 105 minutes: every quarter hour from 08:00 to 16:15, each
    with all ten seats."""
    # when the free times for 105 minutes on Tuesday are asked for
    slots = centre_slots(
        centre=centre, first_day=TUESDAY, last_day=TUESDAY, minutes=105
    )
    # then they run from opening to the last start that ends by closing
    times = _times(slots)
    assert times[0] == "08:00"
    assert times[-1] == "16:15"
    assert len(times) == 34
    assert {s.seats_left for s in slots} == {10}
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=105) for s in slots)


@pytest.mark.django_db
def test_seats_left_is_the_fewest_over_the_blocks_and_full_times_are_left_out(
    frozen, make_centre, make_candidate, buy
):
    """With two seats and two bookings at 10:00, every start whose 105 minutes touch
    10:00-11:45 is gone, and the starts touching one booking show one seat."""
    # given a two-seat centre with two appointments at 10:00 and one at 13:00
    centre = make_centre(seats=2)
    for start in (local(TUESDAY, 10), local(TUESDAY, 10), local(TUESDAY, 13)):
        c = make_candidate()
        appointment_book(
            technician_id=c.pk,
            centre_id=centre.pk,
            starts_at=start,
            order_line_ids=[buy(c, "A1")[0].pk],
        )
    # when the free times are asked for
    slots = centre_slots(
        centre=centre, first_day=TUESDAY, last_day=TUESDAY, minutes=105
    )
    seats = {s.local_start.strftime("%H:%M"): s.seats_left for s in slots}
    # then nothing overlapping 10:00-11:45 is offered
    assert "08:30" not in seats
    assert "11:30" not in seats
    assert seats["08:15"] == 2  # ends at 10:00, as the others begin
    assert seats["11:45"] == 1  # overlaps 13:00-14:45
    assert seats["14:45"] == 2


@pytest.mark.django_db
def test_closed_days_and_past_times_have_no_slots(frozen, centre):
    """A closure, a Sunday, and this morning (before now) offer nothing."""
    # given Tuesday closed
    closure_add(centre, TUESDAY)
    # when asked for Tuesday, Sunday, and today
    closed = centre_slots(
        centre=centre, first_day=TUESDAY, last_day=TUESDAY, minutes=60
    )
    sunday = days_from_now(6)
    on_sunday = centre_slots(
        centre=centre, first_day=sunday, last_day=sunday, minutes=60
    )
    today = centre_slots(
        centre=centre, first_day=days_from_now(0), last_day=days_from_now(0), minutes=60
    )
    # then nothing on the closed days, and today only after 09:00 Chicago (now)
    assert closed == []
    assert on_sunday == []
    assert _times(today)[0] == "09:15"


@pytest.mark.django_db
def test_opening_hours_follow_the_centre_across_a_daylight_saving_change(
    frozen, centre
):
    """08:00 in Chicago is 14:00 UTC on Saturday 7 March (CST) and 13:00 UTC on
    Monday 9 March (CDT, after the change on Sunday 8 March)."""
    # when the first slot of each day is asked for
    saturday = centre_slots(
        centre=centre, first_day=days_from_now(5), last_day=days_from_now(5), minutes=60
    )[0]
    monday = centre_slots(
        centre=centre, first_day=days_from_now(7), last_day=days_from_now(7), minutes=60
    )[0]
    # then both open at 08:00 local, an hour apart in UTC
    assert saturday.starts_at.hour == 14
    assert monday.starts_at.hour == 13
    assert saturday.local_start.hour == monday.local_start.hour == 8
    assert monday.local_start.tzinfo == CHICAGO


@pytest.mark.django_db
def test_a_week_of_slots_reads_the_seat_blocks_in_one_query(
    frozen, django_assert_num_queries
):
    """With the centre listed (hours prefetched), a week's search is two queries:
    the closures and the seat blocks."""
    # given a centre as the centre list reads it
    from tests.support.scheduling import centre_create

    centre_create()
    (centre,) = list(centre_list())
    # when a week of slots is searched
    with django_assert_num_queries(2):
        slots = centre_slots(
            centre=centre,
            first_day=TUESDAY,
            last_day=TUESDAY + dt.timedelta(days=6),
            minutes=105,
        )
    # then six open days of slots came back
    assert len({s.local_start.date() for s in slots}) == 6
