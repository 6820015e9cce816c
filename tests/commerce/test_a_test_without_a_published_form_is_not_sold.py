"""A test (and kind) with no published exam form is not sold: adding it to the
cart, on the page or through the API, is refused with the reason, and an order
for a cart whose test lost its form is refused too; nothing is written."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from certwright.commerce import services
from certwright.commerce.errors import NotEligible
from certwright.commerce.models import Cart, CartLine, Order, OrderLine
from certwright.itembank.models import Form
from tests.support.commerce import cart_fill

REASON = "A4 is not offered yet: no exam form of it is published."


def _no_forms_of(test: str) -> None:
    Form.objects.filter(test=test).delete()


def test_the_cart_refuses_a_test_without_a_published_form(candidate):
    """The service refuses A4 while no A4 form is published, and takes A5."""
    # given A4 has no published form
    _no_forms_of("A4")
    # when A4 is put in the cart
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="A4")
    # then the reason is plain, and the cart holds nothing
    assert REASON in refused.value.messages
    assert not CartLine.objects.exists()
    # and a test with a form is still sold
    services.cart_line_add(technician_id=candidate.pk, test="A5")
    assert list(CartLine.objects.values_list("test", flat=True)) == ["A5"]


def test_a_recertification_without_a_published_form_is_refused(candidate):
    """A published initial form does not make the recertification test sellable."""
    # given A4 has an initial form only
    Form.objects.filter(test="A4", kind="recert").delete()
    # when the A4 recertification test is put in the cart
    with pytest.raises(NotEligible) as refused:
        services.cart_line_add(technician_id=candidate.pk, test="A4", kind="recert")
    # then the recertification form is what is missing
    assert (
        "The A4 recertification test is not offered yet: no exam form of it is"
        " published." in refused.value.messages
    )
    assert not CartLine.objects.exists()


def test_checkout_refuses_a_test_whose_form_was_withdrawn(candidate):
    """A4 went into the cart while it had a form; the form is gone at checkout:
    no order, no line."""
    # given A4 in the cart, then its forms withdrawn
    cart_fill(candidate, "A4", region="OTHER")
    _no_forms_of("A4")
    cart = Cart.objects.get(technician=candidate)
    # when the order is placed
    with pytest.raises(NotEligible) as refused:
        services.order_place(
            technician_id=candidate.pk,
            idempotency_key=uuid.uuid4(),
            cart_version=cart.version,
        )
    # then nothing is bought
    assert f"A4: {REASON}" in refused.value.messages
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_the_cart_page_says_why(client, candidate):
    """The Add to cart form answers with the reason on the page."""
    # given a signed-in candidate and no A4 form
    client.force_login(candidate.user)
    _no_forms_of("A4")
    # when A4 is added from the page
    response = client.post(
        reverse("commerce:cart_add"), {"test": "A4", "kind": "initial"}, follow=True
    )
    # then the page says why, and nothing is in the cart
    assert REASON in response.content.decode()
    assert not CartLine.objects.exists()


def test_the_api_refuses_with_the_reason(client, candidate):
    """POST /api/commerce/cart/lines answers a refusal naming the missing form."""
    # given a signed-in candidate and no A4 form
    client.force_login(candidate.user)
    _no_forms_of("A4")
    # when A4 is added through the API
    response = client.post(
        "/api/commerce/cart/lines", {"test": "A4"}, content_type="application/json"
    )
    # then it is refused with the reason, and nothing is written
    assert response.status_code in (400, 409, 422)
    assert REASON in response.content.decode()
    assert not CartLine.objects.exists()
