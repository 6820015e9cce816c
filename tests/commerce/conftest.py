"""Fixtures for the commerce tests: a frozen day, candidates with accounts, tax rates
and a shop with an administrator (the helpers that buy through the services are in
tests/support/commerce.py).

The program is the built-in ASE program; its current fee table (from 2022-09-01) has
a $34 registration fee per order, $62 per standard test, $124 per advanced (L) test
and a $129 recertification cap.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from certwright.accounts.models import (
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
)
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.commerce import services
from certwright.commerce.models import TaxRate, Voucher, VoucherBatch
from tests.support.commerce import user_make
from tests.support.forms import every_test_deliverable


@pytest.fixture(autouse=True)
def frozen_day() -> Iterator[time_machine.Traveller]:
    """Every commerce test runs on 2 March 2026, 10:00 UTC, unless it travels."""
    with time_machine.travel(
        dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False
    ) as traveller:
        yield traveller


@pytest.fixture
def make_candidate(db: None) -> Callable[..., Technician]:
    """A technician with a user account (``technician.user``)."""

    def make(name: str | None = None) -> Technician:
        user = user_make()
        return technician_create(
            name=name or f"Candidate {user.pk}", email=user.email, user_id=user.pk
        )

    return make


@pytest.fixture
def candidate(make_candidate: Callable[..., Technician]) -> Technician:
    return make_candidate("Casey Candidate")


@pytest.fixture
def california_tax(db: None) -> TaxRate:
    """California at 7.25 %, configured, in force since 2020."""
    return TaxRate.objects.create(
        region="US-CA",
        rate_bp=725,
        effective_from=dt.date(2020, 1, 1),
        configured=True,
    )


@pytest.fixture
def shop_admin(db: None) -> Any:
    return user_make("owner@mainstreet.example")


@pytest.fixture
def shop(shop_admin: Any) -> Organization:
    org = Organization.objects.create(
        name="Main Street Auto", kind=OrganizationKind.SHOP, code="MAINST1"
    )
    Membership.objects.create(
        organization=org, user=shop_admin, role=MembershipRole.ADMIN
    )
    return org


@pytest.fixture
def vouchers(shop: Organization, shop_admin: Any) -> list[Voucher]:
    """Three standard vouchers bought by the shop."""
    batch, _ = services.voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=3,
        fee_class="standard",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
        actor=shop_admin,
    )
    assert isinstance(batch, VoucherBatch)
    return list(batch.vouchers.order_by("id"))


@pytest.fixture(autouse=True)
def _every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """Every test of the program has a published form (see tests/support/forms.py)."""
    every_test_deliverable(request)
