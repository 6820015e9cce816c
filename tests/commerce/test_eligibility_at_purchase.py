"""A test is bought only if the rules allow it on the purchase day: the 30-day retest
wait, prerequisites (L1 needs A8), no second open purchase of the same test. A
refusal gives the reasons and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction

from certwright.commerce import services
from certwright.commerce.errors import NotEligible
from certwright.commerce.models import Cart, CartLine, Order, OrderLine
from tests.support.commerce import buy, record


def test_a_retest_within_30_full_days_is_refused(candidate):
    """A fail on 10 February 2026: A1 may not be bought again until 13 March."""
    # given a failed A1 twenty days ago
    record(candidate, "A1", dt.date(2026, 2, 10), outcome="fail")
    # when A1 is put in the cart
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="A1")
    # then the 30-day wait is the reason, and the cart holds nothing
    assert "wait 30 full days, until 2026-03-13" in " ".join(refused.value.messages)
    assert not CartLine.objects.exists()


def test_the_retest_wait_is_checked_again_at_checkout(candidate):
    """A result recorded after the test went into the cart still blocks the order."""
    # given A1 in the cart, then a fail recorded for it yesterday
    services.cart_line_add(technician_id=candidate.pk, test="A1")
    services.cart_region_set(technician_id=candidate.pk, region="OTHER")
    record(candidate, "A1", dt.date(2026, 3, 1), outcome="fail")
    cart = Cart.objects.get(technician=candidate)
    # when the order is placed
    with pytest.raises(NotEligible) as refused:
        services.order_place(
            technician_id=candidate.pk,
            idempotency_key=uuid.uuid4(),
            cart_version=cart.version,
        )
    # then it is refused with the reason and nothing is written
    assert "A1: A1 result on 2026-03-01" in " ".join(refused.value.messages)
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert CartLine.objects.filter(cart=cart).count() == 1


def test_l1_without_a8_is_refused(candidate):
    """L1 requires a pass of A8."""
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="L1")
    assert "L1 requires A8" in " ".join(refused.value.messages)
    assert not CartLine.objects.exists()


def test_a_second_open_purchase_of_the_same_test_is_refused(candidate):
    """While A1 is paid (or booked) and not taken, it cannot be bought again."""
    # given A1 bought today
    buy(candidate, "A1", region="OTHER")
    # when A1 is put in the cart again
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="A1")
    # then the open purchase is the reason
    assert "already have A1 purchased" in " ".join(refused.value.messages)
    assert OrderLine.objects.count() == 1


def test_the_database_refuses_a_second_open_line_for_a_test(candidate):
    """The partial unique index backs the check against racing checkouts."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(
            order=line.order,
            technician=candidate,
            test="A1",
            kind="initial",
            fee_class="standard",
            list_cents=6200,
            charged_cents=6200,
            must_take_by=line.must_take_by,
        )


def test_a_refunded_test_can_be_bought_again(candidate):
    """Only open lines block: after a refund the test can be bought again."""
    line = buy(candidate, "A1", region="OTHER").lines.get()
    services.order_line_refund(line_id=line.pk, reason="changed my mind")
    again = buy(candidate, "A1", region="OTHER")
    assert again.lines.get().test == "A1"


def test_recertification_needs_an_earlier_pass(candidate):
    """A recert test without an earlier pass is refused."""
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="A1", kind="recert")
    assert "recertification needs an earlier pass of A1" in refused.value.messages[0]
