"""The shop pages: a candidate fills the cart, sees the fee breakdown with the
registration fee on its own line, places the order once however often the button
is pressed, sees must-take-by dates and cancels a test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certwright.commerce.models import Cart, CartLine, Order, OrderLine, Payment
from tests.support.commerce import buy, cart_fill, record


@pytest.fixture
def signed_in(client, candidate):
    client.force_login(candidate.user)
    return client


def _hidden(body: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', body) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', body
    )
    assert match, f"no hidden {name}"
    return match.group(1)


def test_the_cart_page_needs_a_signed_in_candidate(client):
    response = client.get(reverse("commerce:cart"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_adding_a_test_from_the_cart_page(signed_in, candidate):
    """The add form puts A1 in the cart and the page shows it."""
    # when A1 is added through the page
    response = signed_in.post(
        reverse("commerce:cart_add"), {"test": "A1", "kind": "initial", "version": 0}
    )
    # then it is in the cart
    assert response.status_code == 302
    assert list(CartLine.objects.values_list("test", flat=True)) == ["A1"]
    page = signed_in.get(reverse("commerce:cart")).content.decode()
    assert "Engine Repair" in page
    assert "Registration fee (one per order)" in page


def test_an_htmx_add_answers_with_the_cart_fragment(signed_in):
    response = signed_in.post(
        reverse("commerce:cart_add"),
        {"test": "A5", "kind": "initial"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "A5 added to your cart" in body


def test_checkout_shows_the_fee_breakdown_and_places_the_order_once(
    signed_in, candidate, california_tax
):
    """Registration fee on its own line; a double submit gives one order."""
    # given A1 and A5 in the cart, billed in California
    cart_fill(candidate, "A1", "A5")
    # when the checkout page is shown
    page = signed_in.get(reverse("commerce:checkout")).content.decode()
    # then the breakdown shows the registration fee, each test, tax and total
    assert "Registration fee (one per order)" in page
    assert "$34.00" in page
    assert page.count("$62.00") == 2
    assert "Sales tax (US-CA, 7.25 %)" in page
    assert "$169.47" in page
    # when the Place order form is submitted twice (a double click)
    form = {
        "version": _hidden(page, "version"),
        "idempotency_key": _hidden(page, "idempotency_key"),
    }
    first = signed_in.post(reverse("commerce:checkout"), form)
    second = signed_in.post(reverse("commerce:checkout"), form)
    # then both land on the same order's confirmation, placed once
    order = Order.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("commerce:order_detail", args=[order.pk])
    )
    assert OrderLine.objects.count() == 2
    assert Payment.objects.count() == 1
    confirmation = signed_in.get(first["Location"]).content.decode()
    assert "your order is placed" in confirmation
    assert "2026-05-31" in confirmation or "May 31, 2026" in confirmation


def test_a_stale_checkout_form_is_refused_and_nothing_written(signed_in, candidate):
    """The cart changed in another tab after the page was rendered."""
    # given the checkout page rendered for a cart with A1
    cart_fill(candidate, "A1", region="OTHER")
    page = signed_in.get(reverse("commerce:checkout")).content.decode()
    # and A5 added meanwhile in another tab
    signed_in.post(reverse("commerce:cart_add"), {"test": "A5", "kind": "initial"})
    # when the old page's form is submitted
    response = signed_in.post(
        reverse("commerce:checkout"),
        {
            "version": _hidden(page, "version"),
            "idempotency_key": _hidden(page, "idempotency_key"),
        },
        follow=True,
    )
    # then a clear message, no order, the cart intact
    assert "Your cart changed since this page was shown" in response.content.decode()
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 2


def test_my_orders_show_must_take_by_dates(signed_in, candidate):
    buy(candidate, "A1", region="OTHER")
    page = signed_in.get(reverse("commerce:order_list")).content.decode()
    assert "must take by" in page
    assert 'datetime="2026-05-31"' in page


def test_cancelling_a_test_from_the_order_page(signed_in, candidate):
    """Confirm, then the line is refunded and the page says how much."""
    order = buy(candidate, "A1", region="OTHER")
    line = order.lines.get()
    url = reverse("commerce:line_cancel", args=[order.pk, line.pk])
    assert "Cancel the test and refund it" in signed_in.get(url).content.decode()
    response = signed_in.post(url, {"reason": ""}, follow=True)
    assert "A1 cancelled; $62.00 refunded." in response.content.decode()
    line.refresh_from_db()
    assert line.status == "refunded"


def test_adding_an_unknown_test_is_refused_clearly(signed_in):
    response = signed_in.post(
        reverse("commerce:cart_add"), {"test": "ZZ9", "kind": "initial"}, follow=True
    )
    assert "ZZ9 is not a test you can buy." in response.content.decode()
    assert not CartLine.objects.exists()


def test_removing_a_line_that_is_gone_says_so(signed_in, candidate):
    cart_fill(candidate, "A1")
    response = signed_in.post(
        reverse("commerce:cart_remove", args=[987654]), {}, follow=True
    )
    assert "no longer in your cart" in response.content.decode()
    assert CartLine.objects.count() == 1


def test_a_user_without_a_candidate_record_is_told_so(client, shop_admin):
    client.force_login(shop_admin)
    response = client.get(reverse("commerce:cart"))
    assert response.status_code == 403
    assert "Only candidates buy tests" in response.content.decode()


def test_a_shop_admin_buys_vouchers_and_lists_them(client, shop, shop_admin):
    """Ten vouchers bought by invoice; their codes are listed as unused."""
    client.force_login(shop_admin)
    page = client.get(reverse("commerce:voucher_buy")).content.decode()
    key = _hidden(page, "idempotency_key")
    form = {
        "organization": shop.pk,
        "quantity": 10,
        "fee_class": "standard",
        "billing_region": "US-TX",
        "idempotency_key": key,
    }
    client.post(reverse("commerce:voucher_buy"), form)
    client.post(reverse("commerce:voucher_buy"), form)  # a double submit
    listing = client.get(reverse("commerce:voucher_list")).content.decode()
    assert listing.count("unused") == 10
    assert "$960.00" in listing  # 10 × ($34 + $62), no Texas rate configured


def test_voucher_pages_are_not_found_for_non_admins(client, candidate, shop):
    client.force_login(candidate.user)
    assert client.get(reverse("commerce:voucher_list")).status_code == 404
    assert client.get(reverse("commerce:voucher_buy")).status_code == 404


def test_the_cart_page_shows_why_a_test_cannot_be_bought(signed_in, candidate):
    """A result recorded after the test went into the cart shows as a reason."""
    cart_fill(candidate, "A1", region="OTHER")
    record(candidate, "A1", dt.date(2026, 2, 20), outcome="fail")
    page = signed_in.get(reverse("commerce:checkout")).content.decode()
    assert "wait 30 full days" in page
    assert "Place order" not in page
    assert Cart.objects.get().lines.count() == 1


def test_my_orders_page_reads_a_fixed_number_of_queries(
    signed_in, candidate, django_assert_max_num_queries
):
    """The orders page costs the same with one order or three (lines prefetched)."""
    # given one order: count the page's queries
    buy(candidate, "A1", region="OTHER")
    with CaptureQueriesContext(connection) as one:
        signed_in.get(reverse("commerce:order_list"))
    # when two more orders exist
    buy(candidate, "A4", region="OTHER")
    buy(candidate, "A5", region="OTHER")
    # then the page takes no more queries
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = signed_in.get(reverse("commerce:order_list")).content.decode()
    assert page.count("must take by") == 3
