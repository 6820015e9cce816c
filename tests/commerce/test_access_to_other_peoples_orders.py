"""A candidate sees only their own orders: another person's order or line answers
404 on every page and endpoint, so ids cannot be probed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.commerce.models import LineStatus, OrderLine
from tests.support.commerce import buy


@pytest.fixture
def other_order(make_candidate):
    return buy(make_candidate("Other Person"), "A1", region="OTHER")


@pytest.fixture
def intruder(client, candidate):
    client.force_login(candidate.user)
    return client


def test_pages_refuse_another_persons_order(intruder, other_order):
    line = other_order.lines.get()
    for url in (
        reverse("commerce:order_detail", args=[other_order.pk]),
        reverse("commerce:line_cancel", args=[other_order.pk, line.pk]),
    ):
        assert intruder.get(url).status_code == 404
    response = intruder.post(
        reverse("commerce:line_cancel", args=[other_order.pk, line.pk]), {}
    )
    assert response.status_code == 404
    assert OrderLine.objects.get().status == LineStatus.PURCHASED


def test_api_refuses_another_persons_order(intruder, other_order):
    line = other_order.lines.get()
    assert intruder.get(f"/api/commerce/orders/{other_order.pk}").status_code == 404
    response = intruder.post(
        f"/api/commerce/orders/{other_order.pk}/lines/{line.pk}/cancel",
        {},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert intruder.get("/api/commerce/orders").json() == []
    assert OrderLine.objects.get().status == LineStatus.PURCHASED


def test_a_line_of_another_order_is_not_reachable_through_ones_own(
    intruder, candidate, other_order
):
    """Pairing one's own order id with someone else's line id is a 404 too."""
    mine = buy(candidate, "A5", region="OTHER")
    theirs = other_order.lines.get()
    url = reverse("commerce:line_cancel", args=[mine.pk, theirs.pk])
    assert intruder.post(url, {}).status_code == 404
    api = f"/api/commerce/orders/{mine.pk}/lines/{theirs.pk}/cancel"
    assert intruder.post(api, {}, content_type="application/json").status_code == 404
    assert OrderLine.objects.get(pk=theirs.pk).status == LineStatus.PURCHASED


def test_anonymous_requests_are_refused(client, other_order):
    assert client.get(f"/api/commerce/orders/{other_order.pk}").status_code == 401
    response = client.get(reverse("commerce:order_detail", args=[other_order.pk]))
    assert response.status_code == 302
