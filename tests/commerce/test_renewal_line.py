"""The renewal app subscription as a cart and order line: priced at the fee
period's ``renewal_cents`` with no registration fee and outside the recert cap,
paid by renewal vouchers employers buy, never a test seat, shown as what it is on
every page and document, and described truly by the API."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from certwright.commerce import services
from certwright.commerce.errors import CommerceError, LineStateError
from certwright.commerce.models import LineKind, OrderLine
from certwright.commerce.pricing import LineIn, UnknownFeeClass, quote
from certwright.program.loader import get_program
from tests.support.certificates import pdf_text
from tests.support.commerce import record
from tests.support.renewal import renewal_buy

NOW = dt.date(2026, 3, 2)


@pytest.fixture
def a1_holder(candidate):
    record(candidate, "A1", dt.date(2025, 3, 2))
    return candidate


def test_quote_prices_it_from_the_period_and_keeps_it_outside_the_cap():
    """Three recert tests are capped at $129; the subscription stays $62; an
    order of the subscription alone has no registration fee."""
    period = get_program("ase").fees_on(NOW)
    assert period is not None
    renewal = LineIn(test="", kind="renewal", fee_class="renewal")
    alone = quote(period, [renewal], 0)
    assert (alone.registration_cents, alone.subtotal_cents) == (0, 6200)
    mixed = quote(
        period,
        [LineIn(test=t, kind="recert", fee_class="standard") for t in "ABC"]
        + [renewal],
        0,
    )
    assert mixed.lines[-1].charged_cents == 6200
    assert mixed.subtotal_cents == 3400 + 12900 + 6200
    # and a renewal voucher covers the subscription, not the registration fee
    vouchered = quote(
        period,
        [
            LineIn(test="A1", kind="initial", fee_class="standard"),
            LineIn(test="", kind="renewal", fee_class="renewal", voucher=True),
        ],
        0,
    )
    assert (vouchered.registration_charged_cents, vouchered.voucher_cents) == (
        3400,
        6200,
    )


def test_quote_refuses_a_period_without_a_price():
    period = get_program("ase").fees_on(dt.date(2020, 1, 1))
    assert period is not None
    with pytest.raises(UnknownFeeClass, match="no renewal subscription price"):
        quote(period, [LineIn(test="", kind="renewal", fee_class="renewal")], 0)


def test_an_employer_buys_renewal_vouchers_at_the_subscription_price(shop, shop_admin):
    batch, _ = services.voucher_batch_purchase(
        organization_id=shop.pk,
        quantity=4,
        fee_class="renewal",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
        actor=shop_admin,
    )
    assert (batch.unit_cents, batch.subtotal_cents) == (6200, 4 * 6200)
    assert {v.fee_class for v in batch.vouchers.all()} == {"renewal"}


def test_renewal_vouchers_are_not_sold_where_the_app_is_not(
    shop, shop_admin, frozen_day
):
    # given a day in 2020, under a fee table without renewal_cents
    frozen_day.move_to(dt.datetime(2020, 6, 1, 12, tzinfo=dt.UTC))
    # when a shop buys renewal vouchers, then it is refused; nothing is bought
    with pytest.raises(CommerceError, match="not sold on 2020-06-01"):
        services.voucher_batch_purchase(
            organization_id=shop.pk,
            quantity=1,
            fee_class="renewal",
            billing_region="US-TX",
            idempotency_key=uuid.uuid4(),
            actor=shop_admin,
        )
    assert not shop.voucher_batches.exists()


def test_a_renewal_line_cannot_be_booked(a1_holder):
    line = renewal_buy(a1_holder).lines.get()
    with pytest.raises(LineStateError, match="not a test"):
        services.order_line_mark_booked(line_id=line.pk, appointment_id=1)
    line.refresh_from_db()
    assert (line.status, line.appointment_id) == ("purchased", None)


def test_the_order_pages_and_invoice_show_it_as_the_subscription(
    client, a1_holder, django_capture_on_commit_callbacks
):
    client.force_login(a1_holder.user)
    with django_capture_on_commit_callbacks(execute=True):
        order = renewal_buy(a1_holder)
    line = order.lines.get()
    detail = client.get(f"/shop/orders/{order.pk}/").content.decode()
    assert "renewal app subscription (one year)" in detail
    assert 'href="/renewal/"' in detail
    assert f"/shop/orders/{order.pk}/lines/{line.pk}/cancel/" not in detail
    listing = client.get("/shop/orders/").content.decode()
    assert "renewal app subscription (one year)" in listing
    pdf = client.get(f"/shop/orders/{order.pk}/invoice.pdf")
    assert pdf.status_code == 200
    assert "Renewal app subscription" in pdf_text(pdf.content)
    # and the technician cannot cancel it (staff refund a running year)
    cancel = client.get(f"/shop/orders/{order.pk}/lines/{line.pk}/cancel/")
    assert cancel.status_code == 404


def test_the_admin_lists_it(admin_client, a1_holder):
    line = renewal_buy(a1_holder).lines.get()
    response = admin_client.get("/admin/commerce/orderline/")
    assert response.status_code == 200
    assert "Renewal app subscription (one year)" in response.content.decode()
    assert OrderLine.objects.get().pk == line.pk


def test_buying_it_through_the_api(client, a1_holder):
    """kind renewal with no test; the cart, quote and order say what it is."""
    client.force_login(a1_holder.user)
    added = client.post(
        "/api/commerce/cart/lines",
        {"kind": "renewal"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    cart = added.json()
    assert [(ln["test"], ln["kind"]) for ln in cart["lines"]] == [("", "renewal")]
    cart = client.put(
        "/api/commerce/cart/billing-region",
        {"billing_region": "OTHER", "version": cart["version"]},
        content_type="application/json",
    ).json()
    assert cart["quote"]["total_cents"] == 6200
    placed = client.post(
        "/api/commerce/orders",
        {"version": cart["version"]},
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 201, placed.content
    (line,) = placed.json()["lines"]
    assert (line["kind"], line["fee_class"]) == (LineKind.RENEWAL, "renewal")
    # twice in the cart is refused with a problem document
    client.post(
        "/api/commerce/cart/lines", {"kind": "renewal"}, content_type="application/json"
    )
    again = client.post(
        "/api/commerce/cart/lines", {"kind": "renewal"}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "already in your cart" in again.json()["detail"]
    # and the fee table in force carries the price
    fees = client.get("/api/commerce/fees").json()
    assert fees["renewal_cents"] == 6200


def test_the_openapi_document_describes_it(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "renewal" in schemas["LineKind"]["enum"]
    assert "test" not in schemas["CartLineIn"].get("required", [])
    assert "renewal_cents" in schemas["FeeTableOut"]["properties"]


def test_a_shop_admin_buys_renewal_vouchers_from_the_page(client, shop, shop_admin):
    """The voucher page offers the renewal kind at the subscription's price."""
    # given the shop's administrator on the buying page
    client.force_login(shop_admin)
    page = client.get("/shop/vouchers/buy/").content.decode()
    assert "renewal (a year of the renewal app)" in page
    assert "$62.00 plus sales tax" in page
    # when they buy five renewal vouchers
    key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/shop/vouchers/buy/",
        {
            "organization": shop.pk,
            "quantity": 5,
            "fee_class": "renewal",
            "billing_region": "US-TX",
            "idempotency_key": key,
        },
    )
    # then five unused renewal vouchers are listed, $62 each with no registration
    listing = client.get("/shop/vouchers/").content.decode()
    assert listing.count("unused") == 5
    assert "$310.00" in listing
