"""Centres, people and purchased tests, and a clock frozen on a known Monday (the
built-in ASE program is the program).

Purchased tests are written straight into commerce's tables (an order with one line
per test), because how they were bought is commerce's business and its own tests';
here only their state matters.

A plugin of tests/conftest.py: the fixtures ``frozen``, ``centre`` and ``candidate``
serve every package that does not define its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from certwright.candidates.models import Technician
from certwright.commerce.models import LineStatus, Order, OrderLine
from certwright.scheduling.models import Closure, OpeningHours, TestCentre

# Monday 2 March 2026, 15:00 UTC (09:00 in Chicago).
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
CHICAGO = ZoneInfo("America/Chicago")

_numbers = itertools.count(1)


def local(day: dt.date, hh: int, mm: int = 0, tz: ZoneInfo = CHICAGO) -> dt.datetime:
    """A local wall-clock time at a centre, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=tz)


def days_from_now(n: int) -> dt.date:
    return NOW.date() + dt.timedelta(days=n)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW (moved with ``frozen.move_to``)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def centre_create(
    *,
    seats: int = 10,
    time_zone: str = "America/Chicago",
    opens: dt.time = dt.time(8, 0),
    closes: dt.time = dt.time(18, 0),
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5),
    code: str | None = None,
) -> TestCentre:
    n = next(_numbers)
    centre = TestCentre.objects.create(
        code=code or f"c{n}",
        name=f"Centre {n}",
        address_line1=f"{n} Main Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        country="US",
        time_zone=time_zone,
        seats=seats,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(centre=centre, weekday=d, opens=opens, closes=closes)
        for d in weekdays
    )
    return centre


@pytest.fixture
def centre(db: Any) -> TestCentre:
    """Ten seats in Chicago, open Monday to Saturday 08:00-18:00."""
    return centre_create()


def closure_add(
    centre: TestCentre, first: dt.date, last: dt.date | None = None
) -> None:
    Closure.objects.create(
        centre=centre, starts_on=first, ends_on=last or first, reason="Holiday"
    )


def user_create(email: str | None = None, **extra: Any) -> User:
    n = next(_numbers)
    return User.objects.create_user(
        username=email or f"user{n}@example.com",
        email=email or f"user{n}@example.com",
        password=None,  # unusable: no slow (argon2) hashing in fixtures
        **extra,
    )


def candidate_create(name: str | None = None) -> Technician:
    user = user_create()
    return Technician.objects.create(
        certification_id=f"CW{next(_numbers):08d}",
        name=name or f"Candidate {user.pk}",
        email=user.email,
        user=user,
    )


@pytest.fixture
def candidate(db: Any) -> Technician:
    return candidate_create("Casey Candidate")


def lines_buy(
    technician: Technician,
    *tests: str,
    kind: str = "initial",
    must_take_by: dt.date | None = None,
    status: str = LineStatus.PURCHASED,
) -> list[OrderLine]:
    """Purchased tests (paid order lines) for ``technician``."""
    day = NOW.date()
    order = Order.objects.create(
        technician=technician,
        idempotency_key=uuid.uuid4(),
        order_date=day,
        currency="USD",
        fee_period_start=day,
        registration_cents=3400,
        tests_list_cents=5400 * len(tests),
        subtotal_cents=3400 + 5400 * len(tests),
        total_cents=3400 + 5400 * len(tests),
        provider="manual",
        payment_status="paid",
    )
    return [
        OrderLine.objects.create(
            order=order,
            technician=technician,
            test=test,
            kind=kind,
            fee_class="standard",
            list_cents=5400,
            charged_cents=5400,
            status=status,
            must_take_by=must_take_by or day + dt.timedelta(days=90),
        )
        for test in tests
    ]
