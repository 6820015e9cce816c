"""The scheduling API: centres, free times, and a candidate's own appointments."""

from __future__ import annotations

import icalendar
import pytest

from certwright.scheduling.models import Appointment, AppointmentStatus
from tests.support.scheduling import days_from_now, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TUESDAY = days_from_now(8)
BASE = "/api/scheduling"


@pytest.fixture
def api(client, candidate):
    client.force_login(candidate.user)
    return client


def _post(client, path, body):
    return client.post(f"{BASE}{path}", body, content_type="application/json")


def test_centres_and_slots(api, centre):
    """The centres list their hours; the slots answer start times with seats left."""
    # when the centres and Tuesday's slots for 105 minutes are asked for
    centres = api.get(f"{BASE}/centres").json()
    slots = api.get(
        f"{BASE}/centres/{centre.pk}/slots",
        {"date": TUESDAY.isoformat(), "minutes": 105},
    ).json()
    # then the centre is there with Monday-Saturday hours
    (listed,) = centres
    assert listed["time_zone"] == "America/Chicago"
    assert [h["weekday"] for h in listed["hours"]] == [0, 1, 2, 3, 4, 5]
    # then the slots run 08:00 to 16:15 local with ten seats each
    assert slots[0]["local_start"] == local(TUESDAY, 8).isoformat()
    assert slots[-1]["local_start"] == local(TUESDAY, 16, 15).isoformat()
    assert {s["seats_left"] for s in slots} == {10}


def test_slots_of_an_unknown_centre_are_404(api):
    response = api.get(
        f"{BASE}/centres/999/slots", {"date": "2026-03-10", "minutes": 60}
    )
    assert response.status_code == 404


def test_book_reschedule_cancel_through_the_api(api, candidate, centre, buy):
    """Lines, book (201), move (sequence 1), ics (REQUEST), cancel (CANCEL)."""
    # given two purchased tests, as the API lists them
    buy(candidate, "A1", "A5")
    lines = api.get(f"{BASE}/lines").json()
    assert sorted((li["test"], li["minutes"]) for li in lines) == [
        ("A1", 75),
        ("A5", 90),
    ]
    # when both are booked on Tuesday 09:00
    booked = _post(
        api,
        "/appointments",
        {
            "centre_id": centre.pk,
            "starts_at": local(TUESDAY, 9).isoformat(),
            "order_line_ids": [li["id"] for li in lines],
        },
    )
    # then one 195-minute appointment
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert (body["minutes"], body["sequence"], body["status"]) == (195, 0, "booked")
    assert body["can_change"] is True
    # when moved to 11:00 with the sequence read
    moved = _post(
        api,
        f"/appointments/{body['id']}/reschedule",
        {"starts_at": local(TUESDAY, 11).isoformat(), "sequence": 0},
    )
    # then the sequence went up
    assert moved.status_code == 200, moved.content
    assert moved.json()["sequence"] == 1
    # when the invitation is fetched
    ics = api.get(f"{BASE}/appointments/{body['id']}/ics")
    # then it is the current one
    assert ics["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    (event,) = calendar.walk("VEVENT")
    assert (calendar["METHOD"], event["SEQUENCE"]) == ("REQUEST", 1)
    # when cancelled
    cancelled = _post(api, f"/appointments/{body['id']}/cancel", {"sequence": 1})
    # then it is cancelled, and the invitation is a cancellation
    assert cancelled.json()["status"] == AppointmentStatus.CANCELLED
    calendar = icalendar.Calendar.from_ical(
        api.get(f"{BASE}/appointments/{body['id']}/ics").content
    )
    assert calendar["METHOD"] == "CANCEL"
    assert [a["id"] for a in api.get(f"{BASE}/appointments").json()] == [body["id"]]


def test_refusals_in_the_api(api, candidate, make_centre, make_candidate, buy):
    """A full time is 409 "full"; a closed day, a naive time and a stale sequence
    answer with their codes; nothing is written."""
    # given a one-seat centre taken at 09:00 and a purchased test
    centre = make_centre(seats=1)
    other = make_candidate()
    api_other_line = buy(other, "A1")[0]
    from certwright.scheduling.services import appointment_book

    appointment_book(
        technician_id=other.pk,
        centre_id=centre.pk,
        starts_at=local(TUESDAY, 9),
        order_line_ids=[api_other_line.pk],
    )
    (line,) = buy(candidate, "A1")

    def book(starts_at):
        return _post(
            api,
            "/appointments",
            {
                "centre_id": centre.pk,
                "starts_at": starts_at,
                "order_line_ids": [line.pk],
            },
        )

    # when booked at the full time, on a Sunday, and without an offset
    full = book(local(TUESDAY, 9).isoformat())
    sunday = book(local(days_from_now(13), 9).isoformat())
    naive = book("2026-03-10T09:00:00")
    # then each is refused with its code
    assert (full.status_code, full.json()["code"]) == (409, "full")
    assert "fully booked" in full.json()["detail"]
    assert (sunday.status_code, sunday.json()["code"]) == (400, "closed")
    assert (naive.status_code, naive.json()["code"]) == (400, "time")
    assert Appointment.objects.count() == 1
    # when booked properly, then cancelled with a stale sequence
    ok = book(local(TUESDAY, 11).isoformat()).json()
    _post(
        api,
        f"/appointments/{ok['id']}/reschedule",
        {"starts_at": local(TUESDAY, 13).isoformat()},
    )
    stale = _post(api, f"/appointments/{ok['id']}/cancel", {"sequence": 0})
    # then it is refused as stale
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")


def test_bad_input_is_a_4xx_not_a_server_error(api, centre):
    """Out-of-range numbers and dates are refused by validation."""
    for path in (
        f"{BASE}/centres/{centre.pk}/slots?date=9999-12-31&minutes=60",
        f"{BASE}/centres/{centre.pk}/slots?date=0001-01-01&minutes=60&days=31",
        f"{BASE}/centres/{centre.pk}/slots?date=2026-03-10&minutes=100000",
        f"{BASE}/centres/99999999999999999999/slots?date=2026-03-10&minutes=60",
        f"{BASE}/appointments/99999999999999999999",
    ):
        assert api.get(path).status_code < 500, path
    far = _post(
        api,
        "/appointments",
        {
            "centre_id": centre.pk,
            "starts_at": "9999-12-31T23:45:00+05:00",
            "order_line_ids": [1],
        },
    )
    assert far.status_code == 400
    assert far.json()["code"] == "window"


def test_a_user_without_a_candidate_record_gets_403(client):
    from tests.support.scheduling import user_create

    client.force_login(user_create())
    response = client.get(f"{BASE}/appointments")
    assert response.status_code == 403
    assert response.json()["code"] == "not_candidate"
