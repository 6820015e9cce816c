"""Buying a test unlocks its study material and practice tests; the study page lists
the content areas of the test's blueprint in force today."""

from __future__ import annotations

from django.urls import reverse

from certwright.commerce import selectors
from certwright.commerce.models import Entitlement
from tests.support.commerce import buy


def test_buying_a_test_unlocks_study_and_practice(candidate):
    """Both entitlements, pointing at the order line that granted them."""
    # given nothing bought: nothing unlocked
    assert not selectors.has_entitlement(candidate.pk, "A5", "study")
    # when A5 is bought
    line = buy(candidate, "A5", region="OTHER").lines.get()
    # then study material and practice tests are unlocked for A5 only
    assert selectors.has_entitlement(candidate.pk, "A5", "study")
    assert selectors.has_entitlement(candidate.pk, "A5", "practice")
    assert not selectors.has_entitlement(candidate.pk, "A1", "study")
    assert set(Entitlement.objects.values_list("kind", "source_line_id")) == {
        ("study", line.pk),
        ("practice", line.pk),
    }


def test_the_study_page_lists_the_content_areas(client, candidate):
    """A5's page shows its areas and question counts from the blueprint."""
    # given A5 bought, the candidate signed in
    buy(candidate, "A5", region="OTHER")
    client.force_login(candidate.user)
    # when the study page is opened
    response = client.get(reverse("commerce:study", args=["A5"]))
    # then it lists the blueprint's content areas
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disc" in body
    assert "Drum" in body
    assert "unlocked" in body
    # and the practice test is one link away, on the exam side
    assert reverse("delivery:study", args=["A5"]) in body


def test_the_study_page_of_a_test_not_bought_is_not_found(client, candidate):
    client.force_login(candidate.user)
    assert client.get(reverse("commerce:study", args=["A5"])).status_code == 404
    assert client.get(reverse("commerce:study", args=["ZZ9"])).status_code == 404
