"""A shop's voucher pays for exactly one test, once: a second use is refused, also
when two checkouts race for the same code."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import close_old_connections

from certwright.audit.models import Event
from certwright.commerce import services
from certwright.commerce.errors import VoucherRefused
from certwright.commerce.models import (
    CartLine,
    Order,
    OrderLine,
    PaymentAction,
    PaymentStatus,
    Provider,
    Voucher,
)
from tests.support.commerce import cart_fill


def _cart_with_voucher(technician, code, test="A1"):
    cart = cart_fill(technician, test, region="OTHER")
    line = CartLine.objects.get(cart=cart)
    services.cart_voucher_apply(technician_id=technician.pk, line_id=line.pk, code=code)
    cart.refresh_from_db()
    return cart


def test_a_voucher_pays_the_test_and_the_registration_fee(candidate, vouchers):
    """An order of one voucher-paid test costs the candidate nothing."""
    # given a cart with A1 and a shop voucher on it
    voucher = vouchers[0]
    cart = _cart_with_voucher(candidate, voucher.code.lower().replace("-", " "))
    # when the order is placed
    order = services.order_place(
        technician_id=candidate.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
    ).order
    # then nothing is due; the voucher paid test and registration; it is spent
    assert (order.total_cents, order.voucher_cents) == (0, 3400 + 6200)
    assert (order.provider, order.payment_status) == (
        Provider.VOUCHER,
        PaymentStatus.NOTHING_DUE,
    )
    assert order.payments.get().action == PaymentAction.CAPTURE
    voucher.refresh_from_db()
    assert voucher.redeemed_at is not None
    assert voucher.redeemed_line == order.lines.get()
    assert Event.objects.filter(kind="voucher.redeemed").count() == 1


def test_a_used_voucher_is_refused(make_candidate, vouchers):
    """A code that already paid for a test cannot be applied again."""
    # given a voucher spent by one candidate
    first, second = make_candidate(), make_candidate()
    cart = _cart_with_voucher(first, vouchers[0].code)
    services.order_place(
        technician_id=first.pk, idempotency_key=uuid.uuid4(), cart_version=cart.version
    )
    # when another candidate types the same code
    services.cart_line_add(technician_id=second.pk, test="A1")
    line = CartLine.objects.get(cart__technician=second)
    with pytest.raises(VoucherRefused) as refused:
        services.cart_voucher_apply(
            technician_id=second.pk, line_id=line.pk, code=vouchers[0].code
        )
    # then it is refused and the cart line stays unpaid
    assert "already been used" in refused.value.messages[0]
    line.refresh_from_db()
    assert line.voucher_id is None


def test_a_voucher_spent_after_it_was_applied_fails_the_checkout(
    make_candidate, vouchers
):
    """Two carts hold one code; the second checkout is refused, nothing written."""
    # given the same voucher applied in two carts
    first, second = make_candidate(), make_candidate()
    cart1 = _cart_with_voucher(first, vouchers[0].code)
    cart2 = _cart_with_voucher(second, vouchers[0].code)
    services.order_place(
        technician_id=first.pk, idempotency_key=uuid.uuid4(), cart_version=cart1.version
    )
    # when the second candidate checks out
    with pytest.raises(VoucherRefused):
        services.order_place(
            technician_id=second.pk,
            idempotency_key=uuid.uuid4(),
            cart_version=cart2.version,
        )
    # then no order for them, and their cart is untouched
    assert not Order.objects.filter(technician=second).exists()
    assert CartLine.objects.filter(cart__technician=second).count() == 1


def test_a_standard_voucher_does_not_pay_an_advanced_test(candidate, vouchers):
    """L1 ($124) is not covered by a standard voucher ($62)."""
    from tests.support.commerce import record

    record(candidate, "A8", __import__("datetime").date(2025, 1, 10))
    services.cart_line_add(technician_id=candidate.pk, test="L1")
    line = CartLine.objects.get(cart__technician=candidate)
    with pytest.raises(VoucherRefused) as refused:
        services.cart_voucher_apply(
            technician_id=candidate.pk, line_id=line.pk, code=vouchers[0].code
        )
    assert "standard voucher" in refused.value.messages[0]


def test_a_mistyped_code_is_caught_by_its_check_character(candidate, vouchers):
    """One wrong character: refused as not a voucher code, before any lookup."""
    code = vouchers[0].code
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    services.cart_line_add(technician_id=candidate.pk, test="A1")
    line = CartLine.objects.get(cart__technician=candidate)
    with pytest.raises(VoucherRefused) as refused:
        services.cart_voucher_apply(
            technician_id=candidate.pk, line_id=line.pk, code=wrong
        )
    assert "not a voucher code" in refused.value.messages[0]


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_racing_for_one_voucher_use_it_once(
    racing_database, make_candidate, shop, shop_admin
):
    """Of two candidates checking out at the same moment with the same code,
    exactly one gets the test paid by it; the other is refused, nothing written."""
    # given one voucher applied in two carts
    batch, _ = services.voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=1,
        fee_class="standard",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
        actor=shop_admin,
    )
    code = batch.vouchers.get().code
    racers = [make_candidate(), make_candidate()]
    carts = [_cart_with_voucher(t, code) for t in racers]
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def checkout(technician, cart) -> None:
        try:
            barrier.wait()
            services.order_place(
                technician_id=technician.pk,
                idempotency_key=uuid.uuid4(),
                cart_version=cart.version,
            )
            outcomes[technician.pk] = "placed"
        except VoucherRefused:
            outcomes[technician.pk] = "refused"
        except Exception as exc:
            outcomes[technician.pk] = exc
        finally:
            close_old_connections()

    # when both check out at once
    threads = [
        threading.Thread(target=checkout, args=(t, c))
        for t, c in zip(racers, carts, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then one order paid by the voucher, one refusal, and no stray rows
    assert sorted(map(str, outcomes.values())) == ["placed", "refused"], outcomes
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    voucher = Voucher.objects.get(code=code)
    assert voucher.redeemed_line == OrderLine.objects.get()


def test_the_conditional_update_refuses_a_voucher_read_as_free_too_late(
    make_candidate, vouchers, monkeypatch
):
    """Even when the check before it read the voucher as unused (a stale read, as
    under a race on PostgreSQL), the redeeming UPDATE changes no row and the
    checkout is refused."""
    # given a voucher spent by a first candidate, and a second cart holding it
    first, second = make_candidate(), make_candidate()
    cart1 = _cart_with_voucher(first, vouchers[0].code)
    cart2 = _cart_with_voucher(second, vouchers[0].code)
    services.order_place(
        technician_id=first.pk, idempotency_key=uuid.uuid4(), cart_version=cart1.version
    )
    # and a check that still sees it as free
    monkeypatch.setattr(
        services, "_voucher_for", lambda program, code, test, day: vouchers[0]
    )
    # when the second candidate checks out
    with pytest.raises(VoucherRefused) as refused:
        services.order_place(
            technician_id=second.pk,
            idempotency_key=uuid.uuid4(),
            cart_version=cart2.version,
        )
    # then the UPDATE found no unused row: refused, nothing written for them
    assert "has already been used" in refused.value.messages[0]
    assert not Order.objects.filter(technician=second).exists()
    assert not OrderLine.objects.filter(technician=second).exists()
