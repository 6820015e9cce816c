"""The dashboard shows, for each certification, every way the program offers to
keep it: the recertification test (with the one-click button from 180 days before
the expiry, the reminder ladder's first rung), the renewal app where the program
lets it keep the test (and whether the current subscription covers it), and says so
when there is none. The POST is one click, CSRF-protected, idempotent; a reminder
e-mail's GET link lands on the certification's card."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.commerce.models import Cart, CartLine, LineKind
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.portal import selectors
from certwright.portal.selectors import candidate_state
from certwright.renewal.services import subscription_start
from tests.support.recert import technician_expiring
from tests.support.scheduling import lines_buy

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, technician: Technician) -> None:
    assert technician.user is not None
    client.force_login(technician.user)


def _keep(technician, test: str) -> dict:
    state = candidate_state(
        technician=technician, program=current_program(), day=today()
    )
    return next(c for c in state["certifications"] if c["test"] == test)["keep"]


def test_an_expiring_certification_lists_the_recert_test_and_the_renewal_app(
    client: Client,
) -> None:
    """A1 expires in 60 days: the recertification test is offered in one click,
    and the renewal app is a way too (A is an eligible series), not subscribed."""
    # given
    kim = technician_expiring({"A1": 60})
    _sign_in(client, kim)
    # when
    response = client.get(reverse("portal:dashboard"))
    # then
    keep = _keep(kim, "A1")
    assert keep["recert"]["state"] == "offer"
    assert keep["renewal"] == {
        "subscribed": False,
        "ends_on": None,
        "credits_for_extension": 8,
        "extension_months": 12,
        "questions_per_month": 1,
    }
    text = response.content.decode()
    assert 'id="keep-A1"' in text
    assert "Ways to keep A1" in text
    assert f'action="{reverse("portal:recertify", args=["A1"])}"' in text
    assert "Put the A1 recertification in my cart" in text
    assert "cost at most $129.00 together" in text
    assert "You have no renewal subscription." in text


def test_a_current_subscription_that_covers_the_test_is_named(client: Client) -> None:
    """With a renewal subscription covering A1, the card says it is included."""
    kim = technician_expiring({"A1": 60})
    subscription = subscription_start(technician_id=kim.pk, starts_on=today())
    _sign_in(client, kim)
    text = client.get(reverse("portal:dashboard")).content.decode()
    assert _keep(kim, "A1")["renewal"]["subscribed"] is True
    assert (
        "Your renewal subscription includes it (until "
        f"{subscription.ends_on:%Y-%m-%d})" in text
    )


def test_a_test_the_renewal_app_cannot_keep_has_only_the_recert_test() -> None:
    """L1 (series L is not eligible for the renewal app): the recertification test
    only; far from its expiry the click is not offered yet, and the card says when
    it will be."""
    kim = technician_expiring({"L1": 400})
    keep = _keep(kim, "L1")
    assert keep["renewal"] is None
    assert keep["recert"]["state"] == "too_early"
    assert keep["recert"]["opens_on"] == today() + dt.timedelta(days=400 - 180)


def test_no_way_at_all_says_take_the_test_again(monkeypatch, client: Client) -> None:
    """A test with no recertification test and outside the renewal app: the card
    says it cannot be kept."""
    # given a program whose L1 has no recertification test
    kim = technician_expiring({"L1": 60})
    program = current_program()
    l1 = dataclasses.replace(program.tests["L1"], recert=None)
    changed = dataclasses.replace(program, tests={**program.tests, "L1": l1})
    monkeypatch.setattr("certwright.portal.views.current_program", lambda: changed)
    _sign_in(client, kim)
    # when
    text = client.get(reverse("portal:dashboard")).content.decode()
    # then
    assert "It cannot be kept: take the test again." in text
    assert "Put the L1 recertification" not in text


def test_in_the_cart_and_bought_are_shown_instead_of_the_button(
    client: Client,
) -> None:
    """A1's recertification bought and not taken, A4's in the cart: no button for
    either, each says where it stands."""
    kim = technician_expiring({"A1": 60, "A4": 90})
    (line,) = lines_buy(kim, "A1", kind="recert")
    cart = Cart.objects.create(technician=kim)
    CartLine.objects.create(cart=cart, test="A4", kind=LineKind.RECERT)
    _sign_in(client, kim)
    text = client.get(reverse("portal:dashboard")).content.decode()
    assert _keep(kim, "A1")["recert"]["state"] == "bought"
    assert _keep(kim, "A4")["recert"]["state"] == "in_cart"
    assert f"take it by {line.must_take_by:%Y-%m-%d}" in text
    assert "It is in your cart." in text
    assert "Put the A1 recertification" not in text
    assert "Put the A4 recertification" not in text


def test_the_selector_reads_four_queries_however_many_certifications(
    django_assert_num_queries,
) -> None:
    """The ways to keep one certification or five cost the same four queries (cart,
    open lines, subscription, its certifications)."""
    program = current_program()
    for tests in (("A1",), ("A1", "A2", "A3", "A4", "L1")):
        kim = technician_expiring(dict.fromkeys(tests, 60), name=f"Kim {len(tests)}")
        subscription_start(technician_id=kim.pk, starts_on=today())
        rows = [
            {"test": t, "status": "certified", "expires_on": today()} for t in tests
        ]
        with django_assert_num_queries(4):
            kept = selectors.certifications_to_keep(
                technician_id=kim.pk, program=program, day=today(), certifications=rows
            )
        assert [row["keep"]["anchor"] for row in kept] == [f"keep-{t}" for t in tests]


DASHBOARD_QUERIES = 14


def test_the_dashboard_reads_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries
) -> None:
    """The dashboard with one certification or five reads the same number of
    queries (the ways to keep them add four, whatever their number)."""
    for tests in (("A1",), ("A1", "A2", "A3", "A4", "L1")):
        kim = technician_expiring(dict.fromkeys(tests, 60), name=f"Kim {len(tests)}")
        _sign_in(client, kim)
        with django_assert_num_queries(DASHBOARD_QUERIES):
            response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 200
        client.logout()


def test_one_click_then_a_second_click_and_clear_messages(client: Client) -> None:
    """The POST puts A1's recertification in the cart and opens the cart; the
    second says it is already there and adds nothing."""
    # given
    kim = technician_expiring({"A1": 60})
    _sign_in(client, kim)
    url = reverse("portal:recertify", args=["A1"])
    # when
    first = client.post(url, follow=True)
    second = client.post(url, follow=True)
    # then
    assert first.redirect_chain[-1][0] == reverse("commerce:cart")
    assert "The A1 recertification test is in your cart" in first.content.decode()
    assert "already in your cart" in second.content.decode()
    assert list(
        CartLine.objects.filter(cart__technician=kim).values_list("test", "kind")
    ) == [("A1", "recert")]


def test_a_refused_click_returns_to_the_card_with_the_reason(client: Client) -> None:
    """A4, never passed: back to the dashboard's card with the reason, nothing in
    the cart."""
    kim = technician_expiring({"A1": 60})
    _sign_in(client, kim)
    response = client.post(reverse("portal:recertify", args=["A4"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard") + "#keep-A4"
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "You are not certified in A4 yet" in page
    assert not CartLine.objects.filter(cart__technician=kim).exists()


def test_the_click_needs_the_csrf_token_and_a_post() -> None:
    """Without the CSRF token the POST is refused; a GET does not add anything."""
    kim = technician_expiring({"A1": 60})
    client = Client(enforce_csrf_checks=True)
    _sign_in(client, kim)
    url = reverse("portal:recertify", args=["A1"])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert not CartLine.objects.filter(cart__technician=kim).exists()


def test_the_email_link_lands_on_the_card_through_sign_in(client: Client) -> None:
    """The reminder's GET link: signed out, sign-in keeps it as ``next``; signed
    in, it opens the dashboard at the certification's card."""
    kim = technician_expiring({"A1": 60})
    url = reverse("portal:keep", args=["A1"])
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert "next=/me/keep/A1/" in signed_out["Location"]
    _sign_in(client, kim)
    assert client.get(url)["Location"] == "/me/#keep-A1"


def test_the_cart_shows_the_cap_saving_of_two_clicks(client: Client) -> None:
    """A1 ($62) and L1 ($124) recertifications clicked from the dashboard: the cart
    shows the program's cap per order and the $57 it saves."""
    # given
    kim = technician_expiring({"A1": 60, "L1": 90})
    _sign_in(client, kim)
    # when
    for test in ("A1", "L1"):
        client.post(reverse("portal:recertify", args=[test]))
    # then
    cart = client.get(reverse("commerce:cart")).content.decode()
    assert "Recertification fee cap ($129.00 per order)" in cart
    assert "−$57.00" in cart


def test_the_portal_api_gives_the_same_ways(client: Client) -> None:
    """/api/portal/me/state carries each certification's ways to keep it, as the
    page shows them."""
    kim = technician_expiring({"A1": 60})
    _sign_in(client, kim)
    body = client.get("/api/portal/me/state").json()
    (a1,) = body["certifications"]
    assert a1["keep"]["anchor"] == "keep-A1"
    assert a1["keep"]["recert"]["state"] == "offer"
    assert a1["keep"]["recert"]["cap_cents"] == 12900
    assert a1["keep"]["renewal"]["subscribed"] is False
