"""Centres: a real time zone, and a seat change that never cancels anyone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from certwright.audit.models import Event
from certwright.scheduling.models import SeatBlock, TestCentre
from certwright.scheduling.services import (
    appointment_book,
    centre_changed,
    centre_seats_sync,
)
from tests.support.scheduling import days_from_now, local

TUESDAY = days_from_now(8)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Chicago", "CST", "America/Springfield", ""])
def test_a_time_zone_must_be_an_iana_name(centre, zone):
    """Validation refuses anything but a zone of the IANA database."""
    # given a centre with a made-up zone
    centre.time_zone = zone
    # when validated
    with pytest.raises(ValidationError) as refused:
        centre.full_clean()
    # then the time zone is named
    assert "time_zone" in refused.value.message_dict


@pytest.mark.django_db
def test_fewer_seats_apply_to_future_blocks_but_never_below_the_booked(
    frozen, make_centre, make_candidate, buy
):
    """Cutting a 3-seat centre to 1 leaves blocks holding 2 bookings at 2 seats (and
    full), and the others at 1; the change is audited."""
    # given a 3-seat centre with two appointments at 09:00 and one at 13:00
    centre = make_centre(seats=3)
    for start in (local(TUESDAY, 9), local(TUESDAY, 9), local(TUESDAY, 13)):
        c = make_candidate()
        appointment_book(
            technician_id=c.pk,
            centre_id=centre.pk,
            starts_at=start,
            order_line_ids=[buy(c, "A1")[0].pk],
        )
    # when the admin saves it with one seat
    TestCentre.objects.filter(pk=centre.pk).update(seats=1)
    centre_changed(centre_id=centre.pk, changed=["seats"], actor="admin")
    # then each block has max(1, booked) seats
    assert set(SeatBlock.objects.values_list("booked", "seats")) == {(2, 2), (1, 1)}
    assert Event.objects.filter(kind="centre.changed").count() == 1
    assert Event.objects.filter(kind="centre.seats_synced").count() == 1
    # when synced again, nothing changes
    assert centre_seats_sync(centre_id=centre.pk) == 0
