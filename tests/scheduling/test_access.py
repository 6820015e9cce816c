"""Other people's appointments and centres do not exist for you: every page and
API endpoint answers 404 (never 403, so ids cannot be probed)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SeatBlock,
    TestCentre,
)
from certwright.scheduling.services import appointment_book
from tests.support.scheduling import days_from_now, local, user_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TUESDAY = days_from_now(8)


@pytest.fixture
def theirs(make_candidate, centre, buy):
    """Someone else's appointment."""
    other = make_candidate()
    return appointment_book(
        technician_id=other.pk,
        centre_id=centre.pk,
        starts_at=local(TUESDAY, 9),
        order_line_ids=[buy(other, "A1")[0].pk],
    )


PAGES = [
    ("get", "scheduling:appointment_detail"),
    ("get", "scheduling:appointment_ics"),
    ("get", "scheduling:appointment_reschedule"),
    ("post", "scheduling:appointment_reschedule"),
    ("get", "scheduling:appointment_cancel"),
    ("post", "scheduling:appointment_cancel"),
]


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_another_candidates_appointment_pages_are_404(
    client, candidate, theirs, method, name
):
    """A candidate cannot see, move or cancel another's appointment."""
    # given a signed-in candidate
    client.force_login(candidate.user)
    # when they open the other's appointment
    response = getattr(client, method)(reverse(name, args=[theirs.pk]), {"sequence": 0})
    # then it does not exist for them, and it is unchanged
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.sequence) == (AppointmentStatus.BOOKED, 0)


def test_the_slot_picker_does_not_reveal_another_appointment(
    client, candidate, theirs, centre
):
    client.force_login(candidate.user)
    response = client.get(
        reverse("scheduling:slots"),
        {"appointment": theirs.pk, "centre": centre.pk, "date": TUESDAY.isoformat()},
    )
    assert response.status_code == 404


API = [
    ("get", "/api/scheduling/appointments/{id}", None),
    ("get", "/api/scheduling/appointments/{id}/ics", None),
    ("post", "/api/scheduling/appointments/{id}/cancel", {}),
    (
        "post",
        "/api/scheduling/appointments/{id}/reschedule",
        {"starts_at": "2026-03-10T16:00:00Z"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_another_candidates_appointment_is_404_in_the_api(
    client, candidate, theirs, method, path, body
):
    """The same through the API, and the list holds only one's own."""
    # given a signed-in candidate
    client.force_login(candidate.user)
    # when they ask for the other's appointment
    url = path.format(id=theirs.pk)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, body, content_type="application/json")
    # then it does not exist for them and is unchanged
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.sequence) == (AppointmentStatus.BOOKED, 0)
    assert client.get("/api/scheduling/appointments").json() == []


def test_the_api_needs_authentication(client, theirs):
    assert client.get("/api/scheduling/appointments").status_code == 401
    assert client.get(f"/api/scheduling/appointments/{theirs.pk}").status_code == 401


def test_a_centre_admin_sees_only_their_centre(client, centre, make_centre, theirs):
    """Staff of another centre get 404 for this centre's day, its appointments and
    the no-show action; they see their own centre."""
    # given the staff of another centre
    other = make_centre()
    staff = user_create()
    other.admins.add(staff)
    client.force_login(staff)
    # when they open this centre's day, the appointment, and record a no-show
    day = client.get(reverse("scheduling:centre_day", args=[centre.pk]))
    detail = client.get(reverse("scheduling:appointment_detail", args=[theirs.pk]))
    action = client.post(
        reverse(
            "scheduling:centre_appointment_action",
            args=[centre.pk, theirs.pk, "no_show"],
        )
    )
    # then each is 404 and nothing changed
    assert (day.status_code, detail.status_code, action.status_code) == (404, 404, 404)
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED
    # then their own centre's day opens
    own = client.get(reverse("scheduling:centre_day", args=[other.pk]))
    assert own.status_code == 200


def test_an_action_on_an_appointment_of_another_centre_is_404(
    client, centre, make_centre, theirs
):
    """An admin of two centres cannot act on centre A's appointment through centre
    B's address."""
    other = make_centre()
    staff = user_create()
    other.admins.add(staff)
    centre.admins.add(staff)
    client.force_login(staff)
    response = client.post(
        reverse(
            "scheduling:centre_appointment_action",
            args=[other.pk, theirs.pk, "no_show"],
        )
    )
    assert response.status_code == 404


def test_a_candidate_is_not_a_centre_admin(client, candidate, centre):
    client.force_login(candidate.user)
    assert client.get(reverse("scheduling:centre_admin")).status_code == 404
    assert (
        client.get(reverse("scheduling:centre_day", args=[centre.pk])).status_code
        == 404
    )


def test_a_centre_admin_sees_only_their_centre_in_the_admin(
    rf, centre, make_centre, theirs
):
    """In the staff admin a centre admin's centres, seat blocks and appointments are
    their centre's alone (the admin finds nothing else to show or change)."""
    # given a staff user who administers another centre
    other = make_centre()
    staff = user_create(is_staff=True)
    other.admins.add(staff)
    request = rf.get("/admin/")
    request.user = staff
    # when the admin lists centres, appointments and seat blocks
    site = admin.site
    centres = site._registry[TestCentre].get_queryset(request)
    appointments = site._registry[Appointment].get_queryset(request)
    blocks = site._registry[SeatBlock].get_queryset(request)
    # then only their centre shows, and this centre's rows not at all
    assert list(centres) == [other]
    assert not appointments.exists()
    assert not blocks.exists()
    assert site._registry[TestCentre].get_object(request, str(centre.pk)) is None
    assert not site._registry[TestCentre].has_add_permission(request)
    # then program staff see everything
    request.user = user_create(is_staff=True, is_superuser=True)
    assert site._registry[Appointment].get_queryset(request).get() == theirs
