"""The commerce API: cart, orders (idempotent with the Idempotency-Key header),
cancelling, and the fee table in force on a day."""

from __future__ import annotations

import uuid

import pytest

from certwright.commerce.models import CartLine, Order, OrderLine, Payment


@pytest.fixture
def api(client, candidate):
    client.force_login(candidate.user)
    return client


def _post(client, url, data=None, **headers):
    return client.post(
        url, data or {}, content_type="application/json", headers=headers
    )


def test_buying_through_the_api(api, california_tax):
    """Add A1 and A5, set the region, place the order, read it back."""
    # given a cart filled through the API
    assert _post(api, "/api/commerce/cart/lines", {"test": "A1"}).status_code == 201
    cart = _post(api, "/api/commerce/cart/lines", {"test": "a5"}).json()
    cart = api.put(
        "/api/commerce/cart/billing-region",
        {"billing_region": "US-CA", "version": cart["version"]},
        content_type="application/json",
    ).json()
    # then the cart shows the breakdown
    assert [ln["test"] for ln in cart["lines"]] == ["A1", "A5"]
    assert cart["quote"]["registration_cents"] == 3400
    assert cart["quote"]["total_cents"] == 16947
    assert cart["can_check_out"] is True
    # when the order is placed, then retried with the same key
    key = str(uuid.uuid4())
    first = _post(
        api,
        "/api/commerce/orders",
        {"version": cart["version"]},
        **{"Idempotency-Key": key},
    )
    again = _post(
        api,
        "/api/commerce/orders",
        {"version": cart["version"]},
        **{"Idempotency-Key": key},
    )
    # then one order: 201 then 200 with the same body, charged once
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    order = first.json()
    assert order["total_cents"] == 16947
    assert {ln["must_take_by"] for ln in order["lines"]} == {"2026-05-31"}
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    # and it is listed and readable
    assert [o["id"] for o in api.get("/api/commerce/orders").json()] == [order["id"]]
    assert api.get(f"/api/commerce/orders/{order['id']}").json() == order


def test_placing_an_order_needs_an_idempotency_key(api, candidate):
    from tests.support.commerce import cart_fill

    cart_fill(candidate, "A1", region="OTHER")
    response = _post(api, "/api/commerce/orders")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    response = _post(api, "/api/commerce/orders", **{"Idempotency-Key": "not-a-uuid"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Order.objects.exists()


def test_a_stale_cart_version_is_a_conflict(api, candidate):
    from tests.support.commerce import cart_fill

    cart = cart_fill(candidate, "A1", region="OTHER")
    response = _post(
        api,
        "/api/commerce/orders",
        {"version": cart.version - 1},
        **{"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 409
    assert "cart changed" in response.json()["detail"]
    assert not Order.objects.exists()


def test_an_ineligible_test_is_unprocessable_with_reasons(api):
    response = _post(api, "/api/commerce/cart/lines", {"test": "L1"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "not_eligible"
    assert problem["errors"][0]["field"] == "test"
    assert "L1 requires A8" in problem["errors"][0]["message"]
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"test": "ZZ9"},
        {"test": ""},
        {"test": "A1", "kind": "bogus"},
        {"kind": "initial"},
    ],
)
def test_bad_cart_input_is_refused_and_nothing_written(api, payload):
    response = _post(api, "/api/commerce/cart/lines", payload)
    assert response.status_code in (400, 422)
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("line_id", ["-1", "0", "abc", "99999999999999999999999"])
def test_bad_line_ids_are_refused(api, line_id):
    response = api.delete(f"/api/commerce/cart/lines/{line_id}")
    assert response.status_code in (404, 422)


def test_removing_a_cart_line(api):
    cart = _post(api, "/api/commerce/cart/lines", {"test": "A1"}).json()
    line_id = cart["lines"][0]["id"]
    response = api.delete(f"/api/commerce/cart/lines/{line_id}")
    assert response.status_code == 200
    assert response.json()["lines"] == []
    assert api.delete(f"/api/commerce/cart/lines/{line_id}").status_code == 404


def test_cancelling_through_the_api_refunds(api, candidate):
    from tests.support.commerce import buy

    order = buy(candidate, "A1", region="OTHER")
    line = order.lines.get()
    url = f"/api/commerce/orders/{order.pk}/lines/{line.pk}/cancel"
    response = _post(api, url, {"reason": "moving abroad"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["refunded_cents"]) == (
        "refunded",
        6200,
    )
    assert _post(api, url).status_code == 409
    assert OrderLine.objects.get().status == "refunded"


def test_the_fee_table_in_force_on_a_day(client):
    """Public: the 2016–2022 table on 1 June 2020, today's by default."""
    then = client.get("/api/commerce/fees?on=2020-06-01").json()
    assert (then["start"], then["registration_cents"], then["test_fees"]) == (
        "2016-01-01",
        3600,
        {"standard": 4300, "advanced": 8600},
    )
    now = client.get("/api/commerce/fees").json()
    assert (now["on"], now["registration_per"], now["recert_cap_cents"]) == (
        "2026-03-02",
        "order",
        12900,
    )
    assert now["purchase_window_days"] == 90
    assert client.get("/api/commerce/fees?on=1990-01-01").status_code == 404
    assert client.get("/api/commerce/fees?on=2020-02-31").status_code == 422


def test_a_user_without_a_candidate_record_gets_403(client, shop_admin):
    client.force_login(shop_admin)
    assert client.get("/api/commerce/cart").status_code == 403
