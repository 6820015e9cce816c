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
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections

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
from tests.support.forms import every_test_deliverable, forms_publish_for_every_test


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


@pytest.fixture
def racing_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database that real threads can race on.

    On PostgreSQL that is the test database itself. SQLite's in-memory test
    database is shared between connections through a shared cache, whose table
    locks fail at once ("database table is locked") instead of waiting as a real
    file database does in WAL mode with IMMEDIATE transactions and a busy timeout.
    So on SQLite the test runs on a migrated file database in ``tmp_path``.
    """
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    settings_dict = conn.settings_dict  # shared with every thread's connection
    old_name = settings_dict["NAME"]
    # Closing the last connection to a shared-cache memory database destroys it
    # (Django never closes it): set the open one aside and put it back after.
    conn.ensure_connection()
    kept = conn.connection
    conn.connection = None
    settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        call_command("migrate", run_syncdb=True, verbosity=0)
        forms_publish_for_every_test()  # the file database starts empty
        yield
    finally:
        conn.close()
        settings_dict["NAME"] = old_name
        conn.connection = kept


@pytest.fixture(autouse=True)
def _every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """Every test of the program has a published form (see tests/support/forms.py)."""
    every_test_deliverable(request)
