"""Program staff approve an accommodation in the admin; the proctor console shows
it on the candidate's seat and it is on the clock once the seat is authorised."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event, EventKind
from certwright.delivery.models import Accommodation
from tests.support.proctoring import (
    console_proctor,
    control_url,
    day_url,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_an_accommodation_approved_in_the_admin_shows_in_the_console(
    client, admin_user, seat, candidate, centre
):
    # given program staff in the admin
    client.force_login(admin_user)
    # when they approve 30 extra minutes for A1
    response = client.post(
        "/admin/delivery/accommodation/add/",
        {
            "technician": candidate.pk,
            "test": "A1",
            "extra_minutes": "30",
            "note": "Documented reading disability",
        },
    )
    # then it is approved by them, with its audit event
    assert response.status_code == 302, response.content.decode()[:2000]
    accommodation = Accommodation.objects.get()
    assert accommodation.approved_by_id == admin_user.pk
    assert accommodation.is_active
    assert Event.objects.filter(kind=EventKind.ACCOMMODATION_APPROVED).count() == 1
    # when the proctor looks at the day and the sitting
    client.force_login(console_proctor(centre))
    sitting = text_of(client.get(sitting_url(seat.appointment)))
    # then the accommodation is there before authorising
    assert "Accommodation: +30 min (A1) · about +30 min, added when authorised" in (
        sitting
    )
    # when the seat is authorised
    client.post(control_url(seat.appointment, "authorise"))
    # then the board shows the longer clock and why
    board = text_of(client.get(day_url(centre)))
    assert "105 min on the clock incl. +30 min accommodation" in board
