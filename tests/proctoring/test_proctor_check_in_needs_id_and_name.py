"""Check-in at the console: the proctor sees the legal name on record, must confirm
the photo ID was checked and that its name matches; a mismatch cannot check in and
offers an incident note. What was chosen is kept when refused."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event
from certwright.scheduling.models import AppointmentStatus
from tests.support.proctoring import (
    action_url,
    book,
    check_in_data,
    console_proctor,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_the_legal_name_is_shown_to_compare_with_the_id(
    client, frozen, candidate, centre
):
    # given a booked candidate on the day
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when the proctor opens the sitting
    page = text_of(client.get(sitting_url(appointment)))
    # then the legal name is there to compare, with the two questions
    assert "Legal name on record Casey Candidate" in page
    assert "I checked the candidate's government-issued photo ID" in page
    assert "Does the name on the ID match the legal name above?" in page


def test_without_the_id_checkbox_nobody_is_checked_in(
    client, frozen, candidate, centre
):
    # given
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when the proctor sends the form without ticking the ID box
    response = client.post(
        action_url("check_in", appointment), check_in_data(id_checked=False)
    )
    # then it is refused with the reason, the name answer kept, nothing recorded
    assert response.status_code == 400
    html = response.content.decode()
    assert "Confirm that you checked the candidate&#x27;s photo ID" in html
    assert 'value="yes" required id="id_checkin-name_matches_0" checked' in html
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Event.objects.filter(kind__startswith="appointment.identity").exists()


def test_a_name_that_does_not_match_cannot_check_in(client, frozen, candidate, centre):
    # given
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when the ID was checked but its name does not match
    response = client.post(
        action_url("check_in", appointment), check_in_data(name="no")
    )
    # then refused, naming the name on record, and the incident note is offered
    assert response.status_code == 400
    page = text_of(response)
    assert "does not match the registered name (Casey Candidate)" in page
    assert "Note an incident" in page
    assert "What happened?" in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    # when the name question is not answered at all
    response = client.post(
        action_url("check_in", appointment), check_in_data(name=None)
    )
    # then refused too
    assert response.status_code == 400
    assert "Say whether the name on the ID matches Casey Candidate" in text_of(response)


def test_id_checked_and_name_matching_checks_in(client, frozen, candidate, centre):
    # given
    appointment = book(frozen, candidate, centre)
    proctor = console_proctor(centre)
    client.force_login(proctor)
    # when
    response = client.post(
        action_url("check_in", appointment), check_in_data(), follow=True
    )
    # then checked in, the page says so, and both events are in the audit trail
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert "Casey Candidate is checked in." in text_of(response)
    events = Event.objects.filter(subject=f"appointment:{appointment.pk}")
    assert set(events.values_list("kind", flat=True)) >= {
        "appointment.checked_in",
        "appointment.identity_checked",
    }
    identity = events.get(kind="appointment.identity_checked")
    assert identity.actor_id == proctor.pk
    assert identity.data == {"id_checked": True, "name_matches": True}


def test_check_in_only_on_the_day(client, frozen, candidate, centre):
    """The day before, the form is not offered and a sent one is refused."""
    # given the appointment tomorrow
    appointment = book(frozen, candidate, centre, hour=9)
    frozen.shift(-24 * 3600)
    client.force_login(console_proctor(centre))
    # when
    page = text_of(client.get(sitting_url(appointment)))
    response = client.post(action_url("check_in", appointment), check_in_data())
    # then
    assert "Check-in is recorded on the day of the appointment." in page
    assert response.status_code == 409
    assert "Check-in is recorded on the day of the appointment." in text_of(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
