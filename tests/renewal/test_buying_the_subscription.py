"""Buying a year of the renewal app through the cart: priced from the fee table,
paid by a renewal voucher, started when the order is placed, refused when nothing
could take part or a year is already bought ahead, cancelled by a refund."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from certwright.audit.models import Event
from certwright.commerce import selectors, services
from certwright.commerce.errors import NotEligible, VoucherRefused
from certwright.commerce.models import CartLine, LineKind, LineStatus, PaymentStatus
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import Subscription, SubscriptionStatus
from certwright.renewal.services import (
    subscription_for_order_line,
    subscription_to_cart,
)
from tests.support.commerce import record
from tests.support.renewal import renewal_buy


def test_a_renewal_voucher_pays_the_year_and_it_starts_today(
    a1_holder, renewal_vouchers
):
    """The employer's renewal voucher pays it; the subscription starts on the order
    day in the time zone chosen, with A1 taking part."""
    # given a technician who passed A1, with the shop's renewal voucher
    # when they buy the subscription, Chicago time, paying with the voucher
    order = renewal_buy(
        a1_holder, voucher=renewal_vouchers[0].code, time_zone="America/Chicago"
    )
    # then nothing is due, no registration fee was charged, the voucher is spent
    assert (order.total_cents, order.registration_cents) == (0, 0)
    assert order.voucher_cents == 6200
    assert order.payment_status == PaymentStatus.NOTHING_DUE
    line = order.lines.get()
    assert (line.kind, line.test, line.fee_class, line.list_cents) == (
        LineKind.RENEWAL,
        "",
        "renewal",
        6200,
    )
    renewal_vouchers[0].refresh_from_db()
    assert renewal_vouchers[0].redeemed_line == line
    # and the subscription runs a year from today, with A1, in Chicago time
    subscription = Subscription.objects.get(order_line_id=line.pk)
    assert (subscription.starts_on, subscription.ends_on) == (
        dt.date(2026, 3, 2),
        dt.date(2027, 3, 2),
    )
    assert subscription.time_zone == "America/Chicago"
    assert [c.test for c in subscription.certifications.all()] == ["A1"]
    assert Event.objects.filter(kind="renewal_subscription.started").count() == 1
    # and no study material or practice tests came with it: it is no test
    assert not line.entitlements.exists()


def test_paid_by_invoice_it_costs_the_periods_price_plus_tax(a1_holder, california_tax):
    """Without a voucher: $62 and California's tax on it, no registration fee."""
    order = renewal_buy(a1_holder)
    assert (order.subtotal_cents, order.tax_cents) == (6200, 450)
    assert order.payment_status == PaymentStatus.DUE
    assert Subscription.objects.filter(technician=a1_holder).count() == 1


def test_starting_twice_for_one_order_line_is_one_subscription(a1_holder):
    order = renewal_buy(a1_holder)
    line = order.lines.get()
    again = subscription_for_order_line(
        technician_id=a1_holder.pk, order_line_id=line.pk
    )
    assert again == Subscription.objects.get()


def test_nothing_that_could_take_part_is_refused_and_nothing_changes(candidate):
    """A technician who never passed an A or T test cannot add it."""
    # given a technician with only a G1 pass
    record(candidate, "G1", dt.date(2025, 1, 5))
    # when they add the subscription, then it is refused with the reason
    with pytest.raises(NotEligible, match="None of your certifications"):
        subscription_to_cart(technician_id=candidate.pk, time_zone="America/Denver")
    # and the cart holds nothing
    assert not CartLine.objects.exists()


def test_adding_it_twice_is_refused(a1_holder):
    subscription_to_cart(technician_id=a1_holder.pk, time_zone="America/New_York")
    with pytest.raises(ValidationError, match="already in your cart"):
        subscription_to_cart(technician_id=a1_holder.pk, time_zone="America/Denver")
    assert CartLine.objects.count() == 1


def test_an_unknown_time_zone_is_refused_before_the_cart(a1_holder):
    with pytest.raises(RenewalError, match="not a time zone"):
        subscription_to_cart(technician_id=a1_holder.pk, time_zone="Mars/Olympus")
    assert not CartLine.objects.exists()


def test_a_second_year_starts_when_the_first_ends_and_a_third_is_refused(
    a1_holder,
):
    """Bought while one runs, the next year follows it; one year ahead at most."""
    # given a subscription bought today
    first = Subscription.objects.get(
        order_line_id=renewal_buy(a1_holder).lines.get().pk
    )
    # when a second year is bought (the one-open-line rule does not hold it back)
    second_line = renewal_buy(a1_holder).lines.get()
    # then it starts the day the first ends
    second = Subscription.objects.get(order_line_id=second_line.pk)
    assert second.starts_on == first.ends_on == dt.date(2027, 3, 2)
    # and a third is refused while the second waits to start
    with pytest.raises(NotEligible, match="already have a renewal subscription"):
        subscription_to_cart(technician_id=a1_holder.pk, time_zone="America/New_York")


def test_not_sold_in_a_period_without_a_price(candidate, frozen_day):
    """The 2016–2022 fee table has no renewal_cents: the app was not sold then."""
    # given an A1 pass in 2015, and a day in 2020
    record(candidate, "A1", dt.date(2015, 5, 1))
    frozen_day.move_to(dt.datetime(2020, 6, 1, 12, tzinfo=dt.UTC))
    # when they add the subscription, then it is refused; the cart stays empty
    with pytest.raises(NotEligible, match="not sold on 2020-06-01"):
        subscription_to_cart(technician_id=candidate.pk, time_zone="America/New_York")
    assert not CartLine.objects.exists()


def test_a_refund_cancels_the_subscription(a1_holder, california_tax):
    order = renewal_buy(a1_holder)
    line = order.lines.get()
    services.order_line_refund(line_id=line.pk, reason="changed mind")
    line.refresh_from_db()
    assert (line.status, line.refunded_cents) == (LineStatus.REFUNDED, 6650)
    subscription = Subscription.objects.get(order_line_id=line.pk)
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert Event.objects.filter(kind="renewal_subscription.cancelled").count() == 1


def test_the_line_is_never_bookable_and_never_expires(a1_holder):
    line = renewal_buy(a1_holder).lines.get()
    assert selectors.order_lines_bookable(a1_holder.pk, dt.date(2026, 3, 2)) == []
    assert selectors.order_lines_open(a1_holder.pk) == []
    # long after any must-take-by date, the expiry sweep leaves it alone
    assert services.order_lines_expire(today=dt.date(2028, 1, 1)) == 0
    line.refresh_from_db()
    assert line.status == LineStatus.PURCHASED


def test_vouchers_pay_only_their_own_kind(a1_holder, renewal_vouchers, vouchers):
    """A test voucher does not pay the subscription, nor a renewal voucher a test."""
    renewal_line = subscription_to_cart(
        technician_id=a1_holder.pk, time_zone="America/New_York"
    )
    with pytest.raises(VoucherRefused, match="needs a renewal voucher"):
        services.cart_voucher_apply(
            technician_id=a1_holder.pk, line_id=renewal_line.pk, code=vouchers[0].code
        )
    test_line = services.cart_line_add(technician_id=a1_holder.pk, test="A4")
    with pytest.raises(VoucherRefused, match="not for A4"):
        services.cart_voucher_apply(
            technician_id=a1_holder.pk,
            line_id=test_line.pk,
            code=renewal_vouchers[0].code,
        )
    assert not CartLine.objects.filter(voucher__isnull=False).exists()


def test_a_cart_with_tests_and_the_subscription(a1_holder, vouchers):
    """A test voucher covers the registration fee; the subscription is charged in
    full and the recert cap does not touch it."""
    # given A4 on a test voucher, three recert tests and the subscription
    for test in ("A2", "A3"):
        record(a1_holder, test, dt.date(2021, 3, 2))
    subscription_to_cart(technician_id=a1_holder.pk, time_zone="America/New_York")
    for test in ("A1", "A2", "A3"):
        services.cart_line_add(technician_id=a1_holder.pk, test=test, kind="recert")
    a4 = services.cart_line_add(technician_id=a1_holder.pk, test="A4")
    services.cart_voucher_apply(
        technician_id=a1_holder.pk, line_id=a4.pk, code=vouchers[0].code
    )
    cart = services.cart_region_set(technician_id=a1_holder.pk, region="OTHER")
    # when it is placed
    order = services.order_place(
        technician_id=a1_holder.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
    ).order
    # then: recerts capped at $129, subscription $62, registration on the voucher
    by_kind = {line.kind: line for line in order.lines.all()}
    assert by_kind["renewal"].charged_cents == 6200
    assert order.recert_discount_cents == 3 * 6200 - 12900
    assert order.subtotal_cents == 12900 + 6200
    assert Subscription.objects.filter(order_line_id=by_kind["renewal"].pk).exists()
