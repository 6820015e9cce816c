""" "Show free times" on the booking form posts the choices: the CSRF token never
appears in the address bar, and the page comes back with the centre's free times
and nothing booked."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.scheduling.models import Appointment
from tests.browser.booking_support import (
    booking_page,
    chicago_today,
    next_weekday,
    show_free_times,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_free_times_keeps_the_csrf_token_out_of_the_url(
    browser: Any, live_server: Any
) -> None:
    # given the booking form
    context, page, centre = booking_page(browser, live_server)
    try:
        tuesday = next_weekday(chicago_today(centre), 1)
        # when the candidate asks for a Tuesday's free times
        text = show_free_times(page, centre, tuesday)
        # then the address carries no token, the times show and nothing is booked
        assert "csrfmiddlewaretoken" not in page.url
        assert page.url.endswith("/booking/book/")
        assert page.locator("input[name=starts_at]").count() > 0, text
        assert not Appointment.objects.exists()
    finally:
        context.close()
