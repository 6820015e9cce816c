"""Fixtures for the renewal tests: a frozen day (2 March 2026, as the commerce
tests), a candidate with an account, one who passed A1 a year ago, California's
tax, and a shop with standard and renewal vouchers.

The current fee period prices a year of the renewal app at $62 (renewal_cents, an
estimate: ASE does not publish the price)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
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
from certwright.commerce.models import TaxRate, Voucher
from tests.support.commerce import record, user_make
from tests.support.forms import every_test_deliverable


@pytest.fixture(autouse=True)
def frozen_day() -> Iterator[time_machine.Traveller]:
    """Every renewal test runs on 2 March 2026, 10:00 UTC, unless it travels."""
    with time_machine.travel(
        dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False
    ) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """Every test of the program has a published form (tests/support/forms.py)."""
    every_test_deliverable(request)


@pytest.fixture
def candidate(db: None) -> Technician:
    """A technician with a user account (``technician.user``)."""
    user = user_make()
    return technician_create(name="Casey Candidate", email=user.email, user_id=user.pk)


@pytest.fixture
def a1_holder(candidate: Technician) -> Technician:
    """Passed A1 on 2025-03-02 (the renewal app keeps A1)."""
    record(candidate, "A1", dt.date(2025, 3, 2))
    return candidate


@pytest.fixture
def california_tax(db: None) -> TaxRate:
    """California at 7.25 %, configured, in force since 2020."""
    return TaxRate.objects.create(
        region="US-CA", rate_bp=725, effective_from=dt.date(2020, 1, 1), configured=True
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


def _batch(shop: Organization, admin: Any, fee_class: str, n: int) -> list[Voucher]:
    batch, _ = services.voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=n,
        fee_class=fee_class,
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
        actor=admin,
    )
    return list(batch.vouchers.order_by("id"))


@pytest.fixture
def vouchers(shop: Organization, shop_admin: Any) -> list[Voucher]:
    """Three standard (test) vouchers the shop bought."""
    return _batch(shop, shop_admin, "standard", 3)


@pytest.fixture
def renewal_vouchers(shop: Organization, shop_admin: Any) -> list[Voucher]:
    """Two renewal vouchers the shop bought."""
    return _batch(shop, shop_admin, "renewal", 2)
