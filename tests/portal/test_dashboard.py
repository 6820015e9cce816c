"""The dashboard at /me/ shows a technician's certifications with their dates,
titles held, progress toward each Master title, and passes waiting on experience."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.portal.selectors import candidate_state
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

MASTER_AUTO = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")


def test_a_master_technician_sees_the_title_and_every_certification(
    client, candidate, record_result, employment
):
    """Eight A-series certifications make Master Automobile: held, 8 of 8, with
    each certification's dates on the page."""
    # given
    user, technician = candidate
    employment(technician, ago(years=8))
    for i, test in enumerate(MASTER_AUTO):
        record_result(technician, test, ago(years=1, days=i))
    client.force_login(user)

    # when
    response = client.get(reverse("portal:dashboard"))

    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "Pat Candidate" in text
    assert technician.certification_id in text
    assert "Master Automobile Technician" in text
    state = response.context["state"]
    assert state["titles_held"] == ["Master Automobile Technician"]
    master = state["titles"][0]
    assert (master["id"], master["held"], master["done"], master["needed"]) == (
        "master-automobile",
        True,
        8,
        8,
    )
    a1 = next(c for c in state["certifications"] if c["test"] == "A1")
    assert a1["status"] == "certified"
    assert a1["certified_on"] == ago(years=1)
    assert a1["certified_on"].isoformat() in text


def test_a_pass_waiting_on_experience_says_what_would_end_the_wait(
    client, candidate, record_result, employment
):
    """A1 passed with one approved year and a record awaiting review: the page shows
    the pass as waiting and the day the requirement is met once approved."""
    # given
    user, technician = candidate
    employment(technician, ago(years=1), end=ago(days=1))
    employment(technician, ago(years=4), end=ago(years=1, days=1), approved=False)
    record_result(technician, "A1", ago(months=2))
    client.force_login(user)

    # when
    response = client.get(reverse("portal:dashboard"))

    # then
    text = response.content.decode()
    assert "Passed, waiting for experience" in text
    [pending] = response.context["state"]["pending"]
    assert pending["test"] == "A1"
    assert pending["situation"] == "awaiting_review"
    assert pending["met_on_if_approved"] == today()
    assert "waiting for review" in text


def test_progress_counts_parts_and_names_what_is_missing(
    candidate, record_result, employment
):
    """Three of eight parts: 3/8, 38 %, and the five missing tests named."""
    # given
    _user, technician = candidate
    employment(technician, ago(years=5))
    for test in ("A1", "A4", "A5"):
        record_result(technician, test, ago(months=6))

    # when
    state = candidate_state(
        technician=technician, program=current_program(), day=today()
    )

    # then
    master = next(t for t in state["titles"] if t["id"] == "master-automobile")
    assert (master["done"], master["needed"], master["percent"]) == (3, 8, 38)
    assert master["missing"] == ["A2", "A3", "A6", "A7", "A8"]
    assert not master["held"]


def test_an_expiring_certification_is_flagged(candidate, record_result, employment):
    """A certification expiring within 180 days is marked expiring soon."""
    # given
    _user, technician = candidate
    employment(technician, ago(years=10))
    record_result(technician, "A8", ago(years=4, months=11))

    # when
    state = candidate_state(
        technician=technician, program=current_program(), day=today()
    )

    # then
    [a8] = state["certifications"]
    assert a8["expiring_soon"]


def test_the_dashboard_needs_a_technician(client, django_user_model):
    """A signed-in candidate without a technician yet (an unconfirmed address) sees
    an explanation, not an error; a visitor is sent to sign in."""
    from certwright.core.roles import Role, role_add

    assert client.get(reverse("portal:dashboard")).status_code == 302
    user = django_user_model.objects.create_user(username="x", email="x@example.com")
    role_add(user, Role.CANDIDATE)
    client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert "no technician record" in response.content.decode()


def test_the_demo_candidate_renders(client, candidate, record_result, employment):
    """A state with every section filled (certified, pending, expired, a title in
    progress) renders without error on the page."""
    # given
    user, technician = candidate
    employment(technician, ago(years=12), end=ago(years=9))
    employment(technician, ago(years=2), approved=False)
    record_result(technician, "A8", ago(years=7))
    record_result(technician, "A5", ago(months=3))
    record_result(technician, "A1", ago(months=3), outcome="fail")
    client.force_login(user)

    # when
    response = client.get(reverse("portal:dashboard"))

    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "Expired" in text
    statuses = {
        c["test"]: c["status"] for c in response.context["state"]["certifications"]
    }
    assert statuses["A8"] == "expired"
