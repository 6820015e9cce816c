"""Rows for the candidate-page browser tests: a candidate who can sign in, tests
already bought, and a centre where it is around midday now (so "today" has free
times whenever the suite runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.commerce.models import OrderLine
from certwright.core.clock import now, today
from certwright.core.roles import Role, role_add
from certwright.scheduling.models import OpeningHours, TestCentre
from tests.support.forms import forms_publish_for_every_test
from tests.support.scheduling import lines_buy


def candidate(name: str = "Pat Pages") -> tuple[Any, Technician]:
    # Only tests with a published form are sold and booked: stand-in forms for all
    # (tests/support/forms.py), as these pages are not about the item bank.
    forms_publish_for_every_test()
    email = f"{name.split()[0].lower()}@example.com"
    user = get_user_model().objects.create_user(
        username=email, email=email, password=None
    )
    role_add(user, Role.CANDIDATE)
    return user, technician_create(name=name, email=email, user_id=user.pk)


def lines_bought(technician: Technician, *tests: str) -> list[OrderLine]:
    """Purchased (paid) lines for ``tests``, taken by 60 days from today."""
    return lines_buy(technician, *tests, must_take_by=today() + dt.timedelta(days=60))


def midday_centre() -> TestCentre:
    """A centre open 06:00-20:00 every day, in a fixed-offset zone where the local
    time is now about noon."""
    offset = 12 - now().astimezone(dt.UTC).hour  # -11 .. +12
    # The Etc zones' signs are POSIX's: Etc/GMT-5 is five hours ahead of UTC.
    zone = "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    centre = TestCentre.objects.create(
        code="pages",
        name="Pages Test Centre",
        address_line1="1 Main Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        country="US",
        time_zone=zone,
        seats=5,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(centre=centre, weekday=d, opens=dt.time(6), closes=dt.time(20))
        for d in range(7)
    )
    return centre
