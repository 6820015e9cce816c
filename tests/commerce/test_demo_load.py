"""The commerce demo: Main Street Auto with ten unused vouchers, an order for the
demo candidate with the initial A1 she sits today; loading twice changes nothing."""

from __future__ import annotations

import pytest

from certwright.commerce.demo import CANDIDATE_EMAIL, demo_load
from certwright.commerce.models import Entitlement, Order, OrderLine, Voucher


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    # when the demo is loaded twice
    first = demo_load()
    second = demo_load()
    # then the shop has ten unused vouchers and the candidate one order
    assert first.shop == "Main Street Auto"
    assert len(first.voucher_codes) == 10
    assert Voucher.objects.filter(redeemed_at__isnull=True).count() == 10
    assert first.order_created
    assert not second.order_created
    assert Order.objects.count() == 1
    assert second.order_id == first.order_id
    assert first.order_tests == ["A1", "A5", "A4"]
    # then the A1 bought is the initial test, with its practice test
    a1 = OrderLine.objects.get(test="A1")
    assert (a1.kind, a1.technician.email) == ("initial", CANDIDATE_EMAIL)
    assert Entitlement.objects.filter(
        source_line=a1, technician=a1.technician, kind="practice"
    ).exists()
    assert sorted(second.voucher_codes) == sorted(first.voucher_codes)
