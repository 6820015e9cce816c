"""The tests page at /me/catalog/: public series, tests, length and fees; a signed-in
candidate also sees whether each test can be bought now and, if not, why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_visitors_see_series_tests_length_and_fees(client):
    """No account needed: series headings, each test with its questions and
    minutes, the fee table, and no buy buttons."""
    # when
    response = client.get(reverse("portal:tests"))

    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "A · Automobile" in text or "Automobile" in text
    assert "A1 Engine Repair" in text
    assert "scored +" in text
    assert "Registration fee $34.00 per order" in text
    assert "Add to cart" not in text
    assert "Sign in to see which tests you can buy now." in text


def test_l1_without_a8_shows_the_prerequisite_as_the_reason(client, candidate):
    """A candidate with no A8 pass cannot buy L1; the page says L1 requires A8, while
    A1 can go in the cart."""
    # given
    client.force_login(candidate[0])

    # when
    response = client.get(reverse("portal:tests"))

    # then
    text = response.content.decode()
    l1 = next(
        row
        for group in response.context["series"]
        for row in group["tests"]
        if row["code"] == "L1"
    )
    assert not l1["eligibility"]["initial"]["allowed"]
    assert "L1 requires A8 passed" in l1["eligibility"]["initial"]["reasons"]
    assert "L1 requires A8 passed" in text
    a1 = next(
        row
        for group in response.context["series"]
        for row in group["tests"]
        if row["code"] == "A1"
    )
    assert a1["eligibility"]["initial"]["allowed"]
    assert reverse("commerce:cart_add") in text
    assert 'name="test" value="A1"' in text


def test_with_a8_passed_l1_can_be_bought(client, candidate, record_result):
    """Passing A8 removes the obstacle."""
    user, technician = candidate
    record_result(technician, "A8", ago(months=3))
    client.force_login(user)
    response = client.get(reverse("portal:test", args=["L1"]))
    assert response.context["eligibility"]["initial"]["allowed"]


def test_a_recent_result_shows_the_retest_wait_and_its_end(
    client, candidate, record_result
):
    """A fail ten days ago: A1 cannot be bought again until the 30 full days have
    passed, and the page gives the first day it can."""
    # given
    user, technician = candidate
    record_result(technician, "A1", ago(days=10), outcome="fail")
    client.force_login(user)

    # when
    response = client.get(reverse("portal:test", args=["A1"]))

    # then
    initial = response.context["eligibility"]["initial"]
    assert not initial["allowed"]
    assert "wait 30 full days" in initial["reasons"][0]
    assert initial["earliest_on"] == ago(days=10 - 31)
    assert "You can buy it from" in response.content.decode()


def test_a_certified_test_offers_recertification_not_the_initial_test(
    client, candidate, record_result, employment
):
    """Already passed: the initial test is refused (buy the recertification test)
    and the recertification test is offered."""
    user, technician = candidate
    employment(technician, ago(years=6))
    record_result(technician, "A1", ago(years=4))
    client.force_login(user)
    elig = client.get(reverse("portal:test", args=["A1"])).context["eligibility"]
    assert not elig["initial"]["allowed"]
    assert "buy the recertification test" in elig["initial"]["reasons"][0]
    assert elig["recert"]["allowed"]


def test_the_test_page_shows_content_areas_and_the_titles_it_counts_for(client):
    """A1's page lists its content areas with question counts and names Master
    Automobile Technician."""
    response = client.get(reverse("portal:test", args=["A1"]))
    text = response.content.decode()
    assert response.status_code == 200
    assert response.context["test"]["areas"]
    first = response.context["test"]["areas"][0]
    assert first["name"] in text
    assert "Master Automobile Technician" in text


def test_an_unknown_test_is_404(client):
    assert client.get(reverse("portal:test", args=["Z9"])).status_code == 404


def test_the_tests_page_shows_title_progress_to_a_candidate(
    client, candidate, record_result, employment
):
    """Signed in, the tests page ends with progress toward each Master title."""
    user, technician = candidate
    employment(technician, ago(years=5))
    record_result(technician, "A1", ago(months=5))
    client.force_login(user)
    response = client.get(reverse("portal:tests"))
    assert "Your progress toward Master titles" in response.content.decode()
    assert "1 of 8 parts certified" in response.content.decode()


def test_the_pages_read_a_fixed_number_of_queries_however_many_facts(
    client, candidate, record_result, employment, django_assert_max_num_queries
):
    """The tests page (51 tests, two kinds each) and the dashboard read the facts once:
    one or twenty results cost the same number of queries."""
    # given
    user, technician = candidate
    employment(technician, ago(years=9))
    client.force_login(user)
    client.get(reverse("portal:tests"))  # warm the session and the program cache
    counts = []
    for tests in (("A1",), ("A2", "A3", "A4", "A5", "A6", "A7", "A8", "G1", "L1")):
        for test in tests:
            record_result(technician, test, ago(years=1))
        # when
        for url in (reverse("portal:tests"), reverse("portal:dashboard")):
            # 14: two of them ask which tests have a published form (the cards and
            # the eligibility), whatever the facts.
            with django_assert_max_num_queries(14) as captured:
                client.get(url)
            counts.append(len(captured))
    # then
    assert counts[:2] == counts[2:]
