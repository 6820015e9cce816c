"""The scheduling demo: three centres in three time zones and a booked appointment
for the demo candidate; loading twice changes nothing."""

from __future__ import annotations

import pytest

from certwright.core import clock
from certwright.credentials.demo import demo_load as credentials_demo_load
from certwright.scheduling import orders
from certwright.scheduling.demo import CANDIDATE_EMAIL, demo_load
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Closure,
    OpeningHours,
    TestCentre,
)


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    """Centres with hours Monday to Saturday, one closure, one appointment for
    Priya (not her A1: the exam-day demo books that today); a second load adds
    nothing."""
    # given the personas the demo builds on
    credentials_demo_load()
    # when the scheduling demo loads twice
    first = demo_load()
    second = demo_load()
    # then three centres in three zones, ten seats each, open Monday to Saturday
    centres = list(TestCentre.objects.all())
    assert len({c.time_zone for c in centres}) == 3
    assert {c.seats for c in centres} == {10}
    assert set(OpeningHours.objects.values_list("weekday", flat=True)) == set(range(6))
    assert Closure.objects.count() == 1
    # then Priya has one booked appointment, and still A1 and a test left to book
    (appointment,) = Appointment.objects.all()
    assert appointment.technician.email == CANDIDATE_EMAIL
    assert appointment.status == AppointmentStatus.BOOKED
    assert [t.test for t in appointment.tests.all()] == ["A5"]
    left = orders.lines_bookable(
        technician_id=appointment.technician_id, day=clock.today()
    )
    assert sorted(line.test for line in left) == ["A1", "A4"]
    assert first.appointment_created
    assert not first.note, first.note
    # then the second load found everything in place
    assert second.centres_created == []
    assert not second.appointment_created
    assert second.appointment_id == appointment.pk
