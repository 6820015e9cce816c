"""Buying through commerce's services: people with accounts, carts filled and orders
placed, results recorded (the built-in ASE program is the program, and its fee table
in force on TODAY)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.contrib.auth import get_user_model

from certwright.candidates.models import Technician
from certwright.commerce import services
from certwright.commerce.models import Cart, Order
from certwright.credentials.services import result_record

TODAY = dt.date(2026, 3, 2)
_numbers = itertools.count(1)


def user_make(email: str | None = None, **extra: Any) -> Any:
    n = next(_numbers)
    return get_user_model().objects.create_user(
        username=email or f"user{n}@example.com",
        email=email or f"user{n}@example.com",
        password="a long enough password 123",
        **extra,
    )


def record(
    technician: Technician, test: str, day: dt.date, outcome: str = "pass", **kw: Any
) -> None:
    result_record(
        technician_id=technician.pk,
        test=test,
        date=day,
        kind=kw.pop("kind", "initial"),
        outcome=outcome,
        source="test",
        **kw,
    )


def cart_fill(
    technician: Technician,
    *tests: str,
    kind: str = "initial",
    region: str = "US-CA",
) -> Cart:
    for test in tests:
        services.cart_line_add(technician_id=technician.pk, test=test, kind=kind)
    return services.cart_region_set(technician_id=technician.pk, region=region)


def buy(
    technician: Technician,
    *tests: str,
    kind: str = "initial",
    region: str = "US-CA",
    key: uuid.UUID | None = None,
) -> Order:
    """Put ``tests`` in the cart and place the order."""
    cart = cart_fill(technician, *tests, kind=kind, region=region)
    placed = services.order_place(
        technician_id=technician.pk,
        idempotency_key=key or uuid.uuid4(),
        cart_version=cart.version,
    )
    return placed.order
