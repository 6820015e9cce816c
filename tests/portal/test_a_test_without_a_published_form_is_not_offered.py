"""The tests page says which tests are not offered yet (no published exam form): the
card says so to everyone, a candidate's buy box gives the reason with a disabled
button, and the API's catalog and eligibility agree."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from certwright.itembank.models import Form

pytestmark = pytest.mark.django_db


def _card(page: str, code: str) -> str:
    start = page.index(f">{code} ")
    return page[start : page.index("</li>", start)]


def test_the_card_says_not_yet_offered(client):
    """A4 without forms: its card says "Not yet offered"; A5's does not."""
    # given A4 has no published form
    Form.objects.filter(test="A4").delete()
    # when the public tests page is shown
    page = client.get(reverse("portal:tests")).content.decode()
    # then
    assert "Not yet offered" in _card(page, "A4")
    assert "Not yet offered" not in _card(page, "A5")


def test_a_candidate_sees_the_reason_and_no_working_button(client, candidate):
    """The signed-in candidate's A4 card has the reason and a disabled button only."""
    # given a signed-in candidate and no A4 form
    user, _technician = candidate
    client.force_login(user)
    Form.objects.filter(test="A4").delete()
    # when the tests page is shown
    card = _card(client.get(reverse("portal:tests")).content.decode(), "A4")
    # then
    assert "A4 is not offered yet: no exam form of it is published." in card
    assert re.search(r"<button type=\"button\" disabled>Add to cart", card)
    assert 'name="test" value="A4"' not in card


def test_the_api_agrees(client, candidate):
    """GET /api/portal/catalog lists A4 with no deliverable kind; eligibility
    refuses it with the reason."""
    # given
    user, _technician = candidate
    client.force_login(user)
    Form.objects.filter(test="A4").delete()
    # when
    series = client.get("/api/portal/catalog").json()["series"]
    eligibility = client.get("/api/portal/catalog/A4/eligibility").json()
    # then
    tests = {t["code"]: t for s in series for t in s["tests"]}
    assert tests["A4"]["deliverable"] == []
    assert tests["A5"]["deliverable"] == ["initial", "recert"]
    assert eligibility["allowed"] is False
    assert (
        "A4 is not offered yet: no exam form of it is published."
        in (eligibility["reasons"])
    )
