"""The proctor console says, before anyone tries, that a seat cannot be authorised
because no form of its test is published (here: withdrawn after the booking), and
offers no Authorise button; authorising anyway is still refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certwright.delivery.models import Attempt
from certwright.itembank.models import Form, FormStatus
from certwright.scheduling.services import appointment_check_in
from tests.support.proctoring import (
    book,
    console_proctor,
    control_url,
    day_url,
    seat_of,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db

NO_FORM = (
    "No initial form of A1 is published: this test cannot be authorised. Program"
    " staff must publish one first."
)


def test_a_checked_in_seat_without_a_form_says_so(
    client, frozen, exam_form, candidate, centre
):
    # given a checked-in A1 candidate, and the A1 forms retired since the booking
    appointment = book(frozen, candidate, centre)
    appointment_check_in(appointment_id=appointment.pk)
    Form.objects.filter(test="A1").update(
        status=FormStatus.RETIRED, retired_at=timezone.now()
    )
    client.force_login(console_proctor(centre))
    seat = seat_of(appointment)
    # when the proctor opens the day and the sitting
    day = client.get(day_url(centre))
    sitting = client.get(sitting_url(appointment))
    # then both say why, and neither offers Authorise
    for response in (day, sitting):
        assert response.status_code == 200
        assert NO_FORM in text_of(response)
        assert f'id="authorise-{seat.pk}"' not in response.content.decode()
    # and authorising anyway is refused, with nothing started
    refused = client.post(control_url(appointment, "authorise"))
    assert refused.status_code == 409
    assert not Attempt.objects.exists()


def test_a_seat_with_a_form_offers_authorise(
    client, frozen, exam_form, candidate, centre
):
    # given a checked-in A1 candidate with the A1 form published
    appointment = book(frozen, candidate, centre)
    appointment_check_in(appointment_id=appointment.pk)
    client.force_login(console_proctor(centre))
    # when the proctor opens the sitting
    response = client.get(sitting_url(appointment))
    # then Authorise is offered and no warning shown
    assert f'id="authorise-{seat_of(appointment).pk}"' in response.content.decode()
    assert NO_FORM not in text_of(response)
