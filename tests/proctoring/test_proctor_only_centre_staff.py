"""Only a centre's staff (and program staff) see its day and act on it: a proctor
of another centre gets 404 for the day, the board, a sitting and every action, and
nothing changes."""

from __future__ import annotations

import pytest

from certwright.core.roles import Role, role_add
from certwright.delivery.models import Attempt
from certwright.scheduling.models import AppointmentStatus
from tests.support.proctoring import (
    action_url,
    board_url,
    book,
    check_in_data,
    console_proctor,
    control_url,
    day_url,
    sitting_url,
)
from tests.support.scheduling import centre_create, user_create

pytestmark = pytest.mark.django_db


def test_the_centres_proctor_sees_the_day(client, frozen, candidate, centre):
    """Given a booked candidate, the centre's proctor sees them on the day."""
    # given
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when
    day = client.get(day_url(centre))
    sitting = client.get(sitting_url(appointment))
    # then
    assert day.status_code == 200
    assert "Casey Candidate" in day.content.decode()
    assert sitting.status_code == 200


def test_a_proctor_of_another_centre_gets_404(client, frozen, candidate, centre):
    """Another centre's proctor: 404 everywhere for this centre, nothing written."""
    # given a candidate booked here and a proctor who works elsewhere
    appointment = book(frozen, candidate, centre)
    elsewhere = centre_create()
    client.force_login(console_proctor(elsewhere))
    # when they open this centre's pages and try its actions
    responses = [
        client.get(day_url(centre)),
        client.get(board_url(centre)),
        client.get(sitting_url(appointment)),
        client.post(action_url("check_in", appointment), check_in_data()),
        client.get(action_url("no_show", appointment)),
        client.post(action_url("incident", appointment), {"incident-note": "x"}),
        client.post(control_url(appointment, "authorise")),
        client.get(control_url(appointment, "end")),
    ]
    # then every one is 404 and nothing changed
    assert [r.status_code for r in responses] == [404] * len(responses)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Attempt.objects.exists()
    # when they reach this centre's sitting through their own centre's address
    through_own = client.get(
        sitting_url(appointment).replace(f"/{centre.pk}/", f"/{elsewhere.pk}/", 1)
    )
    # then it is not there either
    assert through_own.status_code == 404
    # then their own centre's day opens
    assert client.get(day_url(elsewhere)).status_code == 200


def test_program_staff_see_every_centre(client, frozen, candidate, centre):
    """Program staff pick any centre; a candidate has no console at all."""
    # given two centres
    book(frozen, candidate, centre)
    other = centre_create()
    staff = user_create(is_staff=True)
    role_add(staff, Role.PROGRAM_STAFF)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    # when program staff open the console and the day
    client.force_login(staff)
    home = client.get("/proctor/")
    day = client.get(day_url(centre))
    # then they see the centres and the day
    assert home.status_code == 200
    assert centre.name in home.content.decode()
    assert other.name in home.content.decode()
    assert "Casey Candidate" in day.content.decode()
    # when a candidate asks for the console
    client.force_login(candidate.user)
    # then there is none
    assert client.get("/proctor/").status_code == 404
    assert client.get(day_url(centre)).status_code == 404


def test_one_centre_goes_straight_to_its_day(client, centre, db):
    """A proctor of one centre lands on its day; signed out, on the sign-in page."""
    # given
    proctor = console_proctor(centre)
    # when signed out
    response = client.get("/proctor/")
    # then sign in first
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    # when signed in
    client.force_login(proctor)
    response = client.get("/proctor/")
    # then straight to the centre's day
    assert response.status_code == 302
    assert response["Location"] == f"/proctor/centres/{centre.pk}/"
