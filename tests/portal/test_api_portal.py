"""/api/portal: the candidate's state, the public catalog and eligibility."""

from __future__ import annotations

import pytest

from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_me_state_has_certifications_and_title_plans(
    client, candidate, record_result, employment
):
    """The same state the dashboard shows, as JSON."""
    # given
    user, technician = candidate
    employment(technician, ago(years=5))
    record_result(technician, "A1", ago(months=5))
    client.force_login(user)

    # when
    body = client.get("/api/portal/me/state").json()

    # then
    assert body["technician"]["certification_id"] == technician.certification_id
    assert [c["test"] for c in body["certifications"]] == ["A1"]
    assert body["certifications"][0]["status"] == "certified"
    master = next(t for t in body["titles"] if t["id"] == "master-automobile")
    assert (master["done"], master["needed"]) == (1, 8)
    assert "A2" in master["missing"]


def test_me_state_needs_an_account(client):
    assert client.get("/api/portal/me/state").status_code == 401


def test_the_catalog_is_public(client):
    """Series with their tests and the fees in force."""
    body = client.get("/api/portal/catalog").json()
    assert body["program"] == "ase"
    assert body["fees"]["registration_cents"] == 3400
    automobile = next(s for s in body["series"] if s["code"] == "A")
    assert "A1" in [t["code"] for t in automobile["tests"]]
    detail = client.get("/api/portal/catalog/A1").json()
    assert detail["areas"]
    assert client.get("/api/portal/catalog/Z9").status_code == 404


def test_eligibility_gives_the_reasons(client, candidate):
    """L1 without A8: not allowed, with the prerequisite as the reason."""
    client.force_login(candidate[0])
    body = client.get("/api/portal/catalog/L1/eligibility?kind=initial").json()
    assert body["allowed"] is False
    assert body["reasons"] == ["L1 requires A8 passed"]
    a1 = client.get("/api/portal/catalog/A1/eligibility").json()
    assert a1["allowed"] is True
    bad = client.get("/api/portal/catalog/A1/eligibility?kind=sideways")
    assert bad.status_code in (400, 422)
    assert client.get("/api/portal/catalog/Z9/eligibility").status_code == 404
