"""Done means (issue 11): a shop becomes recognised on the finder when its
technicians' certifications reach the rule. On a phone, the passes recorded
through the services as the results import would (each recompute runs after commit
and credentials tells shops), then the finder reloaded."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.credentials.services import result_record
from tests.support.dates import ago
from tests.support.shops import employ, shop_make, technician_make

from .proof_steps import finder_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_shop_appears_on_the_finder_once_its_technicians_are_certified(
    phone: Any, shoot: Any
) -> None:
    # given a shop offering brakes, employing two technicians with no certification
    shop = shop_make(
        "Riverside Brake & Tune", zip_code="97201", city="Portland", areas=["brakes"]
    )
    brakes, engine = technician_make("Rae Brakes"), technician_make("Eli Engines")
    employ(shop, brakes)
    employ(shop, engine)
    # when a visitor searches the finder by the shop's ZIP code on a phone
    finder_search(phone, "97201")
    # then the shop is not listed yet
    assert phone.get_by_text("No recognised shop there yet").is_visible()
    assert phone.get_by_text("Riverside Brake & Tune").count() == 0
    # when both pass (brakes A5, engine A1) and their certifications are derived
    for technician, test in ((brakes, "A5"), (engine, "A1")):
        result_record(
            technician_id=technician.pk,
            test=test,
            date=ago(months=1),
            kind="initial",
            outcome="pass",
            source="browser-test",
        )
    phone.reload()
    # then the shop is listed with the Blue Seal and two certified technicians
    card = phone.locator(".shop-entry", has_text="Riverside Brake & Tune")
    card.wait_for()
    assert "Blue Seal of Excellence" in card.inner_text()
    assert "2 certified technicians" in card.inner_text()
    # nobody agreed to be named
    assert "Rae Brakes" not in card.inner_text()
    # and the page fits the phone's width
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    shoot(phone, "finder")
    # when the visitor opens the shop's entry, then its recognition and its badge
    card.get_by_role("link", name="Riverside Brake & Tune").click()
    # (is_visible does not wait: the shop's page must have loaded first)
    phone.wait_for_url(f"**/shops/{shop.code}/")
    heading = phone.get_by_role("heading", name="Recognition")
    heading.wait_for()
    assert heading.is_visible()
    badge = phone.request.get(f"/shops/{shop.code}/badge.svg")
    assert badge.status == 200
    assert "Blue Seal" in badge.text()
