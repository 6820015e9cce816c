"""A technician with A1 passed, on a phone, puts a year of the renewal app in the
cart, pays with the renewal voucher their employer bought, and sees the
subscription page with A1 taking part. Every page fits the phone and axe finds
nothing serious."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from certwright.accounts.models import Organization, OrganizationKind
from certwright.candidates.services import experience_record_add, technician_create
from certwright.commerce.services import voucher_batch_purchase
from certwright.core.clock import today
from certwright.credentials.services import result_record
from certwright.renewal.models import Subscription
from tests.support.browser import axe_violations, sign_in
from tests.support.employers import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page, impacts=("serious", "critical")) == []


def test_a_technician_buys_the_renewal_app_with_a_voucher_on_a_phone(
    browser: Any, live_server: Any
) -> None:
    # given a technician who passed A1 a year ago, and a renewal voucher from
    # the shop they work for
    user = person("rita@example.com", "Rita Renew")
    technician = technician_create(name="Rita Renew", email=user.email, user_id=user.pk)
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=today() - dt.timedelta(days=3650),
        approved=True,
    )
    result_record(
        technician_id=technician.pk,
        test="A1",
        date=today() - dt.timedelta(days=365),
        kind="initial",
        outcome="pass",
        source="test",
    )
    shop = Organization.objects.create(
        name="Main Street Auto", kind=OrganizationKind.SHOP, code="MAINST9"
    )
    batch, _ = voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=1,
        fee_class="renewal",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
    )
    code = batch.vouchers.get().code
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, "rita@example.com", "Correct-horse-battery-9")

        # when she opens the renewal app page from the menu
        page.goto("/renewal/")
        main = page.get_by_role("main")
        # then it says what could take part and the price, on a phone
        assert "A1" in main.inner_text()
        assert "$62.00" in main.inner_text()
        _fits(page)

        # when she picks her time zone and adds it to the cart
        page.get_by_label("Your time zone").select_option("America/Chicago")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/shop/cart/")
        assert "Renewal app subscription (one year)" in main.inner_text()
        _fits(page)

        # when she checks out with the renewal voucher
        page.goto("/shop/checkout/")
        page.locator("select[name=billing_region]").select_option("US-CA")
        page.get_by_role("button", name="Update tax").click()
        page.get_by_label("Voucher code for Renewal app subscription").fill(code)
        page.get_by_role("button", name="Apply").click()
        page.get_by_text(code).first.wait_for()
        _fits(page)
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url("**/shop/orders/**")

        # then the subscription page shows the year with A1 taking part
        page.goto("/renewal/")
        text = main.inner_text()
        assert "Your subscription" in text
        assert "Certifications taking part" in text
        assert "A1" in text
        assert "Engine Repair" in text
        assert "8 more needed" in text
        _fits(page)
        subscription = Subscription.objects.get(technician=technician)
        assert subscription.time_zone == "America/Chicago"
        assert subscription.starts_on == today()
    finally:
        context.close()
