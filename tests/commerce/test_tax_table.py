"""The tax table is seeded with the states where ASE collects sales tax, at a
placeholder rate of 0 marked "not configured", so nothing is taxed at an invented
rate until a deployment sets it."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.commerce.models import TaxRate
from certwright.commerce.selectors import tax_rate_bp


@pytest.mark.django_db
def test_the_ase_states_are_seeded_as_placeholders():
    seeded = TaxRate.objects.filter(configured=False)
    assert seeded.count() == 23
    assert {"US-CA", "US-NY", "US-TX", "US-WV"} <= set(
        seeded.values_list("region", flat=True)
    )
    assert set(seeded.values_list("rate_bp", flat=True)) == {0}


@pytest.mark.django_db
def test_a_rate_applies_only_inside_its_dates():
    TaxRate.objects.create(
        region="US-NY",
        rate_bp=400,
        effective_from=dt.date(2025, 1, 1),
        effective_until=dt.date(2026, 1, 1),
        configured=True,
    )
    assert tax_rate_bp("US-NY", dt.date(2024, 12, 31)) == 0
    assert tax_rate_bp("US-NY", dt.date(2025, 6, 1)) == 400
    assert tax_rate_bp("US-NY", dt.date(2026, 1, 1)) == 0
    assert tax_rate_bp("OTHER", dt.date(2025, 6, 1)) == 0
