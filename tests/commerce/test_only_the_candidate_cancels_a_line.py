"""Cancelling a purchased test (and refunding it) is the candidate's decision: staff
who may read the order, program staff and a superuser included, get 404 on the
cancel page and endpoint, and the line stays paid (they refund in the admin)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.commerce.models import LineStatus, Order, OrderLine
from certwright.core.roles import Role, role_add
from tests.support.commerce import buy, user_make


@pytest.fixture
def order(candidate: Any) -> Order:
    return buy(candidate, "A1", region="OTHER")


@pytest.fixture
def program_staff(db: None, settings: Any) -> Any:
    settings.CERTWRIGHT_STAFF_MFA = False
    user = user_make("program@example.com", is_staff=True)
    role_add(user, Role.PROGRAM_STAFF)
    return user


def test_program_staff_read_the_order_but_cannot_cancel_its_line(
    client: Client, program_staff: Any, order: Order
) -> None:
    """The order page opens for program staff; the cancel page, its POST and the
    API's cancel answer 404, and nothing is refunded."""
    # given
    line = order.lines.get()
    client.force_login(program_staff)
    cancel = reverse("commerce:line_cancel", args=[order.pk, line.pk])
    # when
    detail = client.get(reverse("commerce:order_detail", args=[order.pk]))
    page = client.get(cancel)
    posted = client.post(cancel, {"reason": "staff tried"})
    api = client.post(
        f"/api/commerce/orders/{order.pk}/lines/{line.pk}/cancel",
        {"reason": "staff tried"},
        content_type="application/json",
    )
    # then
    assert detail.status_code == 200
    assert (page.status_code, posted.status_code, api.status_code) == (404, 404, 404)
    assert OrderLine.objects.get().status == LineStatus.PURCHASED


def test_the_candidate_still_cancels_their_own_line(
    client: Client, candidate: Any, order: Order
) -> None:
    """The owner's POST refunds the line."""
    # given
    line = order.lines.get()
    client.force_login(candidate.user)
    # when
    client.post(
        reverse("commerce:line_cancel", args=[order.pk, line.pk]),
        {"reason": "changed my mind"},
    )
    # then
    assert OrderLine.objects.get().status == LineStatus.REFUNDED
