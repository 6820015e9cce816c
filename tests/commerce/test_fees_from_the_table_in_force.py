"""An order's fees come from the program's fee table in force on the order date:
one registration fee per order, each test its fee class's fee, recertification fees
capped per order, sales tax from the tax table."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from certwright.commerce.models import Order, PaymentStatus, Provider, TaxRate
from certwright.commerce.pricing import LineIn, quote, share, tax_on
from certwright.core.program import current_program
from tests.support.commerce import buy, record


def test_registration_is_charged_once_per_order(candidate, california_tax):
    """Two tests in one order pay one $34 registration fee and $62 each."""
    # given a candidate buying A1 and A5 on 2 March 2026, billed in California
    # when the order is placed
    order = buy(candidate, "A1", "A5")
    # then the registration fee appears once, each test costs the standard fee
    assert order.registration_cents == 3400
    assert [(ln.test, ln.list_cents, ln.charged_cents) for ln in order.lines.all()] == [
        ("A1", 6200, 6200),
        ("A5", 6200, 6200),
    ]
    assert order.subtotal_cents == 3400 + 2 * 6200
    # and the 7.25 % tax is charged on the registration fee and each test, each
    # rounded half up ($2.465 -> $2.47, $4.495 -> $4.50)
    assert order.tax_cents == tax_on(3400, 725) + 2 * tax_on(6200, 725) == 1147
    assert order.total_cents == 15800 + 1147
    assert order.fee_period_start == dt.date(2022, 9, 1)
    assert order.payment_status == PaymentStatus.DUE
    assert order.provider == Provider.INVOICE


def test_an_advanced_test_costs_the_advanced_fee(candidate):
    """L1 is an advanced test: $124, not $62."""
    # given a candidate who passed A8 (L1's prerequisite) a year ago
    record(candidate, "A8", dt.date(2025, 3, 1))
    # when they buy L1, billed outside the United States (no tax)
    order = buy(candidate, "L1", region="OTHER")
    # then the L1 line carries the advanced fee
    line = order.lines.get()
    assert (line.fee_class, line.list_cents, line.charged_cents) == (
        "advanced",
        12400,
        12400,
    )
    assert order.total_cents == 3400 + 12400
    assert order.tax_cents == 0


def test_recertification_fees_are_capped_per_order(candidate):
    """Three recert tests ($186 at list) cost the $129 cap, shared among them; the
    cap limits money, not the number of tests."""
    # given passes of A1, A4 and A5 five years ago
    for test in ("A1", "A4", "A5"):
        record(candidate, test, dt.date(2021, 4, 1))
    # when the three recertification tests are bought in one order
    order = buy(candidate, "A1", "A4", "A5", kind="recert", region="OTHER")
    # then all three are bought, their charges sum to the cap
    lines = list(order.lines.all())
    assert len(lines) == 3
    assert order.tests_list_cents == 18600
    assert order.recert_cap_cents == 12900
    assert order.recert_discount_cents == 18600 - 12900
    assert [ln.charged_cents for ln in lines] == [4300, 4300, 4300]
    # and the registration fee is not part of the cap
    assert order.total_cents == 3400 + 12900


def test_the_cap_does_not_touch_initial_tests():
    """Initial tests in the same order pay full price beside capped recerts."""
    # given the current ASE table
    period = current_program().fees_on(dt.date(2026, 3, 2))
    assert period is not None
    # when an order holds one initial test and three recertification tests
    q = quote(
        period,
        [LineIn("A1", "initial", "standard")]
        + [LineIn(t, "recert", "standard") for t in ("A4", "A5", "A6")],
        0,
    )
    # then the initial line is at list price and the recerts share the cap
    assert q.lines[0].charged_cents == 6200
    assert sum(ln.charged_cents for ln in q.lines[1:]) == 12900
    assert q.subtotal_cents == 3400 + 6200 + 12900


def test_recert_fees_under_the_cap_are_not_reduced():
    """One recert test ($62) is below the $129 cap: no discount."""
    period = current_program().fees_on(dt.date(2026, 3, 2))
    assert period is not None
    q = quote(period, [LineIn("A1", "recert", "standard")], 0)
    assert q.recert_discount_cents == 0
    assert q.lines[0].charged_cents == 6200


def test_shares_sum_to_the_total_in_whole_cents():
    """The capped amount is split in proportion, every cent accounted for."""
    assert share(12900, [6200, 6200, 12400]) == [3225, 3225, 6450]
    assert share(100, [1, 1, 1]) == [34, 33, 33]
    assert sum(share(12901, [7, 11, 13])) == 12901
    assert share(0, [0, 0]) == [0, 0]


@pytest.mark.parametrize(
    ("day", "registration", "standard", "cap"),
    [
        # ase.com "General Information" table, 2016 to September 2022
        (dt.date(2020, 6, 1), 3600, 4300, 12900),
        # the Prices FAQ table, 2012–2013
        (dt.date(2013, 5, 1), 3600, 3300, 9900),
        # registration per order, from September 2022
        (dt.date(2026, 3, 2), 3400, 6200, 12900),
    ],
)
def test_the_fee_table_in_force_on_the_order_date_applies(
    candidate, day, registration, standard, cap
):
    """An order placed on a given day uses that day's fee table, whatever is in
    force later."""
    # given the clock on ``day``
    with time_machine.travel(dt.datetime.combine(day, dt.time(12), dt.UTC), tick=False):
        # when A1 is bought
        order = buy(candidate, "A1", region="OTHER")
    # then the fees are that table's
    assert order.order_date == day
    assert order.registration_cents == registration
    assert order.lines.get().list_cents == standard
    assert order.recert_cap_cents == cap
    period = current_program().fees_on(day)
    assert period is not None
    assert order.fee_period_start == period.start


def test_a_newer_tax_rate_wins_from_its_effective_date(candidate, california_tax):
    """A rate change applies to orders placed on or after its effective date."""
    # given California raised to 8 % from 1 March 2026
    TaxRate.objects.create(
        region="US-CA", rate_bp=800, effective_from=dt.date(2026, 3, 1)
    )
    # when A1 is bought on 2 March 2026
    order = buy(candidate, "A1")
    # then the 8 % rate applies
    assert order.tax_rate_bp == 800
    assert order.tax_cents == tax_on(3400, 800) + tax_on(6200, 800)


def test_a_region_without_a_rate_is_not_taxed(candidate):
    """Oregon has no row: no sales tax."""
    order = buy(candidate, "A1", region="US-OR")
    assert order.tax_cents == 0
    assert Order.objects.count() == 1
