"""Every catalog card shows the test's length and time, the same time the booking
page holds a seat for (one source: Program.sitting_minutes)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.scheduling.selectors import CHECK_IN_MINUTES, appointment_minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a1_to_a8_cards_give_questions_and_the_booking_time(
    phone: Any, live_server: Any
) -> None:
    """A1-A8's cards each say "N scored ... questions, M minutes" with M the time
    booking adds for the test (A4: 90 minutes)."""
    # given the ASE catalog
    program = current_program()
    day = today()

    # when a visitor opens it
    phone.goto("/me/catalog/")

    # then each A-series card has its questions and the booking page's minutes
    for code in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"):
        card = phone.locator(
            "li.card", has=phone.get_by_role("link", name=re.compile(f"^{code} "))
        ).first
        text = card.inner_text()
        booked = (
            appointment_minutes(program=program, tests=[(code, "initial")], day=day)
            - CHECK_IN_MINUTES
        )
        assert re.search(r"\d+ scored", text), (code, text)
        assert f"{booked} minutes" in text, (code, text)
    a4 = phone.locator(
        "li.card", has=phone.get_by_role("link", name=re.compile("^A4 "))
    ).first
    assert "90 minutes" in a4.inner_text()
