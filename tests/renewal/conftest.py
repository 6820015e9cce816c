"""Fixtures for the renewal tests: the commerce fixtures (a frozen day, 2 March
2026, candidates, a shop with vouchers) and a technician who passed A1 a year ago.

The current fee period prices a year of the renewal app at $62 (renewal_cents, an
estimate: ASE does not publish the price)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from certwright.candidates.models import Technician
from certwright.commerce import services
from certwright.commerce.models import Voucher
from tests.commerce import conftest as commerce_fixtures
from tests.support.commerce import record

# The commerce tests' world: the frozen day, candidates, tax, a shop and vouchers.
frozen_day = commerce_fixtures.frozen_day
make_candidate = commerce_fixtures.make_candidate
candidate = commerce_fixtures.candidate
california_tax = commerce_fixtures.california_tax
shop_admin = commerce_fixtures.shop_admin
shop = commerce_fixtures.shop
vouchers = commerce_fixtures.vouchers
_every_test_deliverable = commerce_fixtures._every_test_deliverable


@pytest.fixture
def a1_holder(candidate: Technician) -> Technician:
    """Passed A1 on 2025-03-02 (the renewal app keeps A1)."""
    record(candidate, "A1", dt.date(2025, 3, 2))
    return candidate


@pytest.fixture
def renewal_vouchers(shop: Any, shop_admin: Any) -> list[Voucher]:
    """Two renewal vouchers the shop bought."""
    batch, _ = services.voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=2,
        fee_class="renewal",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
        actor=shop_admin,
    )
    return list(batch.vouchers.order_by("id"))
