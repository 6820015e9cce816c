"""No-show at the console: refused before the appointment's start time; after it,
a confirmation, then each test is a no-show result."""

from __future__ import annotations

import pytest

from certwright.credentials.models import TestResult
from certwright.scheduling.models import AppointmentStatus
from tests.support.delivery import EXAM_DAY
from tests.support.proctoring import (
    action_url,
    book,
    console_proctor,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_no_show_before_the_start_is_refused(client, frozen, candidate, centre):
    # given an appointment at 09:00 and the time 08:30
    appointment = book(frozen, candidate, centre, hour=9, now=(8, 30))
    client.force_login(console_proctor(centre))
    # when the proctor looks, and then sends a no-show anyway
    sitting = text_of(client.get(sitting_url(appointment)))
    confirm = text_of(client.get(action_url("no_show", appointment)))
    response = client.post(action_url("no_show", appointment))
    # then no button is offered, and the request is refused with the reason
    assert "Record a no-show" not in sitting
    assert "only once the appointment has started" in confirm
    assert response.status_code == 409
    assert "only be recorded once the appointment has started" in text_of(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not TestResult.objects.exists()


def test_no_show_after_the_start_is_recorded_after_confirming(
    client, frozen, candidate, centre
):
    # given the appointment started twenty minutes ago
    appointment = book(frozen, candidate, centre, hour=9, now=(9, 20))
    client.force_login(console_proctor(centre))
    # when the proctor chooses no-show
    assert "Record a no-show" in text_of(client.get(sitting_url(appointment)))
    confirm = client.get(action_url("no_show", appointment))
    # then they are asked first
    assert "Record that Casey Candidate did not come?" in text_of(confirm)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    # when they confirm
    response = client.post(action_url("no_show", appointment), follow=True)
    # then recorded, with a no-show result for A1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert "Casey Candidate is recorded as a no-show." in text_of(response)
    (result,) = TestResult.objects.all()
    assert (result.test, result.outcome) == ("A1", "no_show")
    assert result.date == EXAM_DAY
