"""Placing an order is idempotent: the same key twice (a double click, a retried
request, two racing requests) gives one order and one charge."""

from __future__ import annotations

import uuid

import pytest

from certwright.commerce import services
from certwright.commerce.models import Order, OrderLine, Payment, PaymentAction
from tests.support.commerce import cart_fill
from tests.support.racing import at_once


def test_the_same_key_twice_returns_the_same_order(candidate, california_tax):
    """The second call returns the first order, created=False, nothing charged."""
    # given A1 in the cart
    cart = cart_fill(candidate, "A1")
    key = uuid.uuid4()
    # when the order is placed twice with one key (the second with the old version)
    first = services.order_place(
        technician_id=candidate.pk, idempotency_key=key, cart_version=cart.version
    )
    second = services.order_place(
        technician_id=candidate.pk, idempotency_key=key, cart_version=cart.version
    )
    # then one order, one invoice
    assert first.created
    assert not second.created
    assert first.order.pk == second.order.pk
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    assert Payment.objects.filter(action=PaymentAction.AUTHORIZE).count() == 1


def test_a_new_key_on_an_emptied_cart_places_nothing(candidate):
    """After the order the cart is empty: a fresh key has nothing to buy."""
    cart = cart_fill(candidate, "A1", region="OTHER")
    services.order_place(
        technician_id=candidate.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
    )
    with pytest.raises(services.CommerceError):
        services.order_place(
            technician_id=candidate.pk, idempotency_key=uuid.uuid4(), cart_version=None
        )
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_place_one_order(
    racing_database, make_candidate
):
    """Two threads place the same cart with the same key at the same moment: one
    order, one charge, and both get that order."""
    # given a cart with two tests
    candidate = make_candidate()
    cart = cart_fill(candidate, "A1", "A5", region="OTHER")
    key = uuid.uuid4()

    def place() -> tuple[int, bool]:
        placed = services.order_place(
            technician_id=candidate.pk,
            idempotency_key=key,
            cart_version=cart.version,
        )
        return placed.order.pk, placed.created

    # when both run at once
    results = at_once(place)
    # then exactly one created the order and both answer with it
    placed = [r for r in results if isinstance(r, tuple)]
    assert len(placed) == 2, results
    assert sorted(created for _, created in placed) == [False, True]
    assert len({pk for pk, _ in placed}) == 1
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 2
    assert Payment.objects.filter(action=PaymentAction.AUTHORIZE).count() == 1
