"""The booking pages: book with the slot picker, reschedule, cancel, the centre's
day; a refusal is a clear message with nothing written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from certwright.commerce.models import LineStatus, OrderLine
from certwright.scheduling.models import Appointment, AppointmentStatus
from certwright.scheduling.services import appointment_book
from tests.support.scheduling import days_from_now, local, user_create

TUESDAY = days_from_now(8)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def signed_in(client, candidate):
    client.force_login(candidate.user)
    return client


def _book(candidate, centre, start, lines):
    return appointment_book(
        technician_id=candidate.pk,
        centre_id=centre.pk,
        starts_at=start,
        order_line_ids=[line.pk for line in lines],
    )


def _times(html: str) -> list[str]:
    """The times the slot picker offers."""
    return re.findall(r'<label for="slot-\d+">(\d\d:\d\d)', html)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_book_page_shows_free_times_for_the_chosen_tests(
    signed_in, candidate, centre, buy
):
    """Tests, centre and day in the query string (the no-JavaScript path) show the
    free times as radio buttons with the seats left."""
    # given two purchased tests
    a1, a5 = buy(candidate, "A1", "A5")
    # when the page is asked for with both, the centre and Tuesday
    response = signed_in.get(
        reverse("scheduling:appointment_book"),
        {"lines": [a1.pk, a5.pk], "centre": centre.pk, "date": TUESDAY.isoformat()},
    )
    # then it offers the times that fit 195 minutes, 08:00 to 14:45
    assert response.status_code == 200
    html = response.content.decode()
    assert "195 minutes" in html
    assert 'name="starts_at"' in html
    times = _times(html)
    assert (times[0], times[-1]) == ("08:00", "14:45")
    assert "10 seats left" in html


def test_the_slot_fragment_answers_htmx(signed_in, candidate, centre, buy):
    """The picker's fragment alone, for htmx to swap in."""
    # given a purchased test
    (line,) = buy(candidate, "A1")
    # when htmx asks for the free times
    response = signed_in.get(
        reverse("scheduling:slots"),
        {"lines": line.pk, "centre": centre.pk, "date": TUESDAY.isoformat()},
        headers={"HX-Request": "true"},
    )
    # then it is the fieldset only
    html = response.content.decode()
    assert html.lstrip().startswith("<fieldset")
    assert "<html" not in html
    assert "105 minutes" in html


def test_booking_through_the_page(signed_in, candidate, centre, buy):
    """Posting tests, centre and a free time books and shows the appointment."""
    # given a purchased test
    (line,) = buy(candidate, "A1")
    # when the form is posted
    response = signed_in.post(
        reverse("scheduling:appointment_book"),
        {
            "lines": [line.pk],
            "centre": centre.pk,
            "date": TUESDAY.isoformat(),
            "starts_at": local(TUESDAY, 9).isoformat(),
        },
        follow=True,
    )
    # then the appointment page says it is booked
    appointment = Appointment.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "scheduling:appointment_detail", args=[appointment.pk]
    )
    assert "Booked" in _messages(response)
    assert "Add to calendar" in response.content.decode()


def test_a_full_slot_on_the_page_is_a_clear_message(
    signed_in, candidate, make_centre, make_candidate, buy
):
    """When the seat went while the candidate chose, the page says the time is full,
    offers the times left and books nothing."""
    # given a one-seat centre taken at 09:00
    centre = make_centre(seats=1)
    other = make_candidate()
    _book(other, centre, local(TUESDAY, 9), buy(other, "A1"))
    (line,) = buy(candidate, "A1")
    # when the candidate posts 09:00
    response = signed_in.post(
        reverse("scheduling:appointment_book"),
        {
            "lines": [line.pk],
            "centre": centre.pk,
            "date": TUESDAY.isoformat(),
            "starts_at": local(TUESDAY, 9).isoformat(),
        },
    )
    # then 409, "fully booked", and nothing written for them
    assert response.status_code == 409
    assert "fully booked" in _messages(response)
    assert Appointment.objects.count() == 1
    assert OrderLine.objects.get(pk=line.pk).status == LineStatus.PURCHASED
    assert "11:00" in _times(response.content.decode())  # the times still free


def test_a_closed_day_on_the_page_is_a_clear_message(signed_in, candidate, centre, buy):
    """A start on a Sunday is refused with the reason."""
    # given a purchased test
    (line,) = buy(candidate, "A1")
    # when a Sunday is posted (a hand-made request: the picker offers none)
    sunday = days_from_now(13)
    response = signed_in.post(
        reverse("scheduling:appointment_book"),
        {
            "lines": [line.pk],
            "centre": centre.pk,
            "date": sunday.isoformat(),
            "starts_at": local(sunday, 9).isoformat(),
        },
    )
    # then 400 with the reason, nothing booked
    assert response.status_code == 400
    assert "closed on Sundays" in _messages(response)
    assert not Appointment.objects.exists()


def test_garbage_in_the_form_is_a_form_error(signed_in, candidate, centre, buy):
    """An impossible date or time is a form error, not a server error."""
    (line,) = buy(candidate, "A1")
    response = signed_in.post(
        reverse("scheduling:appointment_book"),
        {
            "lines": [line.pk],
            "centre": centre.pk,
            "date": "2026-02-31",
            "starts_at": "x",
        },
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_rescheduling_through_the_page_and_a_stale_form(
    signed_in, candidate, centre, buy
):
    """The reschedule form moves the appointment; the same form posted again (its
    sequence now old) is refused as stale."""
    # given a booked appointment
    appointment = _book(candidate, centre, local(TUESDAY, 9), buy(candidate, "A1"))
    url = reverse("scheduling:appointment_reschedule", args=[appointment.pk])
    page = signed_in.get(url)
    assert page.status_code == 200
    assert "09:15" in _times(page.content.decode())
    form = {
        "centre": centre.pk,
        "date": TUESDAY.isoformat(),
        "starts_at": local(TUESDAY, 11).isoformat(),
        "sequence": 0,
    }
    # when posted
    moved = signed_in.post(url, form)
    # then it moved
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.sequence, appointment.local_start()) == (1, local(TUESDAY, 11))
    # when the same form is posted again
    stale = signed_in.post(url, {**form, "starts_at": local(TUESDAY, 13).isoformat()})
    # then it is refused as stale
    assert stale.status_code == 409
    assert "changed since" in _messages(stale)
    appointment.refresh_from_db()
    assert appointment.local_start() == local(TUESDAY, 11)


def test_cancelling_asks_first_then_cancels(signed_in, candidate, centre, buy):
    """The cancel page asks for confirmation; posting it cancels."""
    # given a booked appointment
    appointment = _book(candidate, centre, local(TUESDAY, 9), buy(candidate, "A1"))
    url = reverse("scheduling:appointment_cancel", args=[appointment.pk])
    # when the page is opened
    page = signed_in.get(url)
    # then it asks
    assert "Yes, cancel this appointment" in page.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    # when confirmed
    response = signed_in.post(url, {"sequence": 0}, follow=True)
    # then it is cancelled
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert "Cancelled" in _messages(response)


def test_past_the_deadline_the_pages_refuse_changes(
    signed_in, candidate, centre, buy, frozen
):
    """Within 3 days the pages say so and a posted change is refused."""
    # given an appointment on Tuesday, and it is Sunday
    appointment = _book(candidate, centre, local(TUESDAY, 9), buy(candidate, "A1"))
    frozen.move_to(local(TUESDAY - dt.timedelta(days=2), 12))
    # when the detail page is shown and a cancellation posted
    detail = signed_in.get(
        reverse("scheduling:appointment_detail", args=[appointment.pk])
    )
    response = signed_in.post(
        reverse("scheduling:appointment_cancel", args=[appointment.pk]),
        {"sequence": 0},
    )
    # then the change is refused
    assert "cannot be changed or cancelled within 3 days" in detail.content.decode()
    assert response.status_code == 409
    assert "within 3 days" in _messages(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_my_appointments_page(
    signed_in, candidate, centre, buy, django_assert_max_num_queries
):
    """The list shows what is coming up and what is left to book, in few queries."""
    # given one appointment and one test left to book
    a1, _a5 = buy(candidate, "A1", "A5")
    _book(candidate, centre, local(TUESDAY, 9), [a1])
    # when the page is shown
    with django_assert_max_num_queries(12):
        response = signed_in.get(reverse("scheduling:appointment_list"))
    # then both are on it
    html = response.content.decode()
    assert "Coming up" in html
    assert centre.name in html
    assert "Book a seat" in html
    assert "A5" in html


def test_the_centre_day_for_its_staff(client, candidate, centre, buy, frozen):
    """The centre's staff see the day's appointments and record a no-show after the
    start."""
    # given an appointment on Tuesday and a member of the centre's staff
    appointment = _book(candidate, centre, local(TUESDAY, 9), buy(candidate, "A1"))
    staff = user_create()
    centre.admins.add(staff)
    client.force_login(staff)
    frozen.move_to(local(TUESDAY, 9, 30))
    # when the day is shown
    day = client.get(reverse("scheduling:centre_admin"), follow=True)
    # then the appointment is on it with a no-show button
    html = day.content.decode()
    assert candidate.name in html
    assert "No show" in html
    # when the no-show is recorded
    client.post(
        reverse(
            "scheduling:centre_appointment_action",
            args=[centre.pk, appointment.pk, "no_show"],
        )
    )
    # then the appointment is a no-show
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_the_centre_list_is_public(client, centre):
    """Anyone sees the centres with their addresses and hours."""
    response = client.get(reverse("scheduling:centre_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert centre.name in html
    assert centre.address_line1 in html
    assert "Monday" in html
    assert "08:00" in html


def test_an_account_without_a_candidate_record_is_told_so(client):
    """Staff or shop accounts have no appointments to book."""
    client.force_login(user_create())
    response = client.get(reverse("scheduling:appointment_list"))
    assert response.status_code == 403
    assert "candidate record" in response.content.decode()
