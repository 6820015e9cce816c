"""A purchased test with no published exam form (bought before the program stopped
selling what it cannot deliver) is not booked: the service, the page and the API
refuse it saying why and that the purchase stays paid; the booking pages and
GET /lines list it as not bookable yet; nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.commerce.models import LineStatus, OrderLine
from certwright.itembank.models import Form
from certwright.scheduling.models import Appointment
from certwright.scheduling.services import BookingError, appointment_book
from tests.support.scheduling import days_from_now, local

TUESDAY = days_from_now(8)
REASON = "A4 is not offered yet: no exam form of it is published."

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def a4_without_form(candidate, buy):
    """A paid A4 line, and no A4 form published any more."""
    (line,) = buy(candidate, "A4")
    Form.objects.filter(test="A4").delete()
    return line


def test_booking_a_test_without_a_form_is_refused(candidate, centre, a4_without_form):
    """The service names the missing form, and the line stays paid and unbooked."""
    # when the A4 line is booked
    with pytest.raises(BookingError) as refused:
        appointment_book(
            technician_id=candidate.pk,
            centre_id=centre.pk,
            starts_at=local(TUESDAY, 9),
            order_line_ids=[a4_without_form.pk],
        )
    # then the reason is plain, and nothing is written
    message = " ".join(refused.value.messages)
    assert REASON in message
    assert "your purchase stays paid until its take-by date" in message
    assert not Appointment.objects.exists()
    line = OrderLine.objects.get(pk=a4_without_form.pk)
    assert line.status == LineStatus.PURCHASED


def test_the_booking_page_lists_it_as_not_bookable_yet(
    client, candidate, a4_without_form, buy
):
    """The booking page offers A5 and lists A4 under "Bought, not bookable yet"."""
    # given a signed-in candidate who also bought A5
    (a5,) = buy(candidate, "A5")
    client.force_login(candidate.user)
    # when the booking page is shown
    page = client.get(reverse("scheduling:appointment_book")).content.decode()
    # then A5 can be chosen, A4 cannot, and A4's reason is shown
    assert f'name="lines" value="{a5.pk}"' in page
    assert f'name="lines" value="{a4_without_form.pk}"' not in page
    assert "Bought, not bookable yet" in page
    assert REASON in page
    # and the appointments page says the same
    listing = client.get(reverse("scheduling:appointment_list")).content.decode()
    assert REASON in listing


def test_posting_the_line_on_the_page_books_nothing(
    client, candidate, centre, a4_without_form
):
    """A forged or stale form naming the A4 line answers with an error."""
    # given a signed-in candidate
    client.force_login(candidate.user)
    # when the A4 line is posted
    response = client.post(
        reverse("scheduling:appointment_book"),
        {
            "lines": [a4_without_form.pk],
            "centre": centre.pk,
            "date": TUESDAY.isoformat(),
            "starts_at": local(TUESDAY, 9).isoformat(),
        },
    )
    # then nothing is booked
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_the_api_marks_it_and_refuses_it(client, candidate, centre, a4_without_form):
    """GET /lines gives bookable=false with the reason; POST /appointments refuses
    it with the reason."""
    # given a signed-in candidate
    client.force_login(candidate.user)
    # when the lines are read
    (line,) = client.get("/api/scheduling/lines").json()
    # then A4 is marked not bookable, with why
    assert line["test"] == "A4"
    assert line["bookable"] is False
    assert line["not_bookable_reason"] == REASON
    # when it is booked through the API
    response = client.post(
        "/api/scheduling/appointments",
        {
            "centre_id": centre.pk,
            "starts_at": local(TUESDAY, 9).isoformat(),
            "order_line_ids": [a4_without_form.pk],
        },
        content_type="application/json",
    )
    # then it is refused with the reason, and nothing is booked
    assert response.status_code == 409
    assert REASON in response.content.decode()
    assert not Appointment.objects.exists()
