"""Demo data for `make run`: Main Street Auto with ten unused vouchers, and an order
for the demo candidate (Priya Raman) so scheduling has purchased tests to book: the
initial A1 she sits today (certwright/proctoring/demo.py), one the scheduling
demo books ten days out and one left for the visitor to book. Each purchase grants
its practice test and study material.

Everything goes through the services (events, payments). Loading twice changes
nothing: a shop with a voucher batch gets no second one, a candidate with an order no
second order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from certwright import rules
from certwright.accounts.demo import demo_load as accounts_demo_load
from certwright.accounts.models import Organization
from certwright.candidates.models import Technician
from certwright.commerce import services
from certwright.commerce.models import Order, VoucherBatch
from certwright.core import clock
from certwright.core.program import current_program
from certwright.credentials.demo import CANDIDATE_EMAIL  # Priya Raman's technician
from certwright.credentials.selectors import technician_facts
from certwright.itembank.demo import demo_load as items_demo_load
from certwright.itembank.selectors import deliverable

ACTOR = "demo"
SHOP_CODE = "MAINST"  # certwright.accounts.demo's Main Street Auto
VOUCHERS = 10
# What Priya buys: the first three of these she may buy today (initial tests).
WANTED = ("A1", "A5", "A4", "A6", "A8", "A7")
ORDERED = 3
BILLING_REGION = "US-OH"


@dataclass
class CommerceDemoReport:
    shop: str = ""
    voucher_codes: list[str] = field(default_factory=list)
    vouchers_created: bool = False
    order_id: int | None = None
    order_created: bool = False
    order_tests: list[str] = field(default_factory=list)


def _shop() -> Organization:
    shop = Organization.objects.filter(code=SHOP_CODE).first()
    if shop is None:
        accounts_demo_load()
        shop = Organization.objects.get(code=SHOP_CODE)
    return shop


def _vouchers(report: CommerceDemoReport) -> None:
    shop = _shop()
    report.shop = shop.name
    batch = VoucherBatch.objects.filter(organization=shop).order_by("id").first()
    if batch is None:
        batch, report.vouchers_created = services.voucher_batch_purchase(
            organization_id=shop.pk,
            quantity=VOUCHERS,
            fee_class="standard",
            billing_region=BILLING_REGION,
            idempotency_key=uuid.uuid4(),
            actor=ACTOR,
        )
        services.voucher_batch_mark_paid(
            batch_id=batch.pk, reference="demo: paid by cheque", actor=ACTOR
        )
    report.voucher_codes = list(
        batch.vouchers.filter(redeemed_at__isnull=True).values_list("code", flat=True)
    )


def _order(report: CommerceDemoReport) -> None:
    technician = Technician.objects.filter(email=CANDIDATE_EMAIL).first()
    if technician is None:
        _shop()  # loads the accounts demo, which loads the personas
        technician = Technician.objects.get(email=CANDIDATE_EMAIL)
    existing = Order.objects.filter(technician=technician).order_by("id").first()
    if existing is not None:
        report.order_id = existing.pk
        report.order_tests = list(existing.lines.values_list("test", flat=True))
        return
    program, day = current_program(), clock.today()
    facts = technician_facts(technician.pk)
    tests = [
        t
        for t in WANTED
        if t in program.tests
        and rules.eligibility(program, facts, t, "initial", day).allowed
        and deliverable(t, "initial")
    ][:ORDERED]
    if not tests:
        return
    for test in tests:
        services.cart_line_add(technician_id=technician.pk, test=test)
    cart = services.cart_region_set(technician_id=technician.pk, region=BILLING_REGION)
    placed = services.order_place(
        technician_id=technician.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
        actor=ACTOR,
    )
    report.order_id = placed.order.pk
    report.order_created = placed.created
    report.order_tests = tests


def demo_load() -> CommerceDemoReport:
    """Load the commerce demo rows (idempotent)."""
    report = CommerceDemoReport()
    # Only what can be delivered is sold: the sample bank and its published forms
    # come first (idempotent).
    items_demo_load()
    _vouchers(report)
    _order(report)
    return report
