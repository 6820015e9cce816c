"""What API users read of certifications, titles, results and revocations: a
technician their own (/api/portal/me/...), an employer those of the technicians who
share with it (the roster), program staff everybody's (/api/credentials/...).

The facts are recorded through the services and the derived state recomputed, as in
production; every request goes through an API token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client

from certwright.accounts.models import MembershipRole
from certwright.accounts.services import (
    api_token_create,
    membership_add,
    organization_create,
    share_grant,
)
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today
from certwright.core.roles import Role, role_add
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record, revocation_record

pytestmark = pytest.mark.django_db

# The eight A-series tests: passed together, with experience, they make a Master
# Automobile Technician.
A_SERIES = [f"A{n}" for n in range(1, 9)]


def _user(name: str, *roles: Role, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(
        username=name, email=f"{name}@example.com", password=None, **extra
    )
    for role in roles:
        role_add(user, role)
    if Role.PROGRAM_STAFF in roles:  # staff must have a second factor first
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    return user


def _api(user: Any) -> Client:
    _row, token = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def master() -> Technician:
    """A technician with ten years' experience and every A test passed last year;
    A1 failed once before, and A8 revoked this month."""
    user = _user("master", Role.CANDIDATE)
    technician = technician_create(name="Mia Master", email=user.email, user_id=user.pk)
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=today() - dt.timedelta(days=3650),
        approved=True,
    )
    passed_on = today() - dt.timedelta(days=300)
    result_record(
        technician_id=technician.pk,
        test="A1",
        date=passed_on - dt.timedelta(days=60),
        kind="initial",
        outcome="fail",
    )
    for test in A_SERIES:
        result_record(
            technician_id=technician.pk,
            test=test,
            date=passed_on,
            kind="initial",
            outcome="pass",
        )
    technician_recompute(technician_id=technician.pk)
    return technician


def test_a_technician_reads_their_certifications_titles_and_results(
    master: Technician,
) -> None:
    # given
    api = _api(master.user)
    # when
    certifications = api.get("/api/portal/me/certifications").json()
    titles = api.get("/api/portal/me/titles").json()
    results = api.get("/api/portal/me/results").json()
    # then
    assert [c["test"] for c in certifications] == A_SERIES
    assert all(c["current"] and c["status"] == "certified" for c in certifications)
    a1 = certifications[0]
    assert a1["name"]
    assert (
        a1["valid_through"]
        == (dt.date.fromisoformat(a1["expires_on"]) - dt.timedelta(days=1)).isoformat()
    )
    assert [(t["held"], t["valid_through"] is not None) for t in titles] == [
        (True, True)
    ]
    assert "Master" in titles[0]["name"]
    assert len(results) == 9
    assert results[-1]["outcome"] == "fail"  # the oldest last
    # none sat here: no score report
    assert {r["score_report_id"] for r in results} == {None}


def test_a_revoked_certification_is_recorded_but_not_current(
    master: Technician,
) -> None:
    # given
    revocation_record(
        technician_id=master.pk,
        test="A8",
        date=today() - dt.timedelta(days=3),
        reason="Misconduct at a sitting.",
    )
    technician_recompute(technician_id=master.pk)
    # when
    certifications = _api(master.user).get("/api/portal/me/certifications").json()
    # then
    a8 = next(c for c in certifications if c["test"] == "A8")
    assert (a8["status"], a8["current"]) == ("revoked", False)


def test_an_account_without_a_technician_record_is_refused(db: None) -> None:
    api = _api(_user("nobody"))
    for what in ("certifications", "titles", "results"):
        response = api.get(f"/api/portal/me/{what}")
        assert response.status_code == 403
        assert response.json()["code"] == "not_candidate"


def test_an_employer_sees_the_credentials_of_those_who_share_with_it(
    master: Technician,
) -> None:
    # given
    boss = _user("boss", Role.EMPLOYER)
    shop = organization_create(name="Main Street Auto")
    membership_add(organization_id=shop.pk, user=boss, role=MembershipRole.ADMIN)
    share_grant(technician_id=master.pk, organization_id=shop.pk)
    # when
    roster = _api(boss).get(f"/api/accounts/organizations/{shop.pk}/technicians")
    # then
    (row,) = roster.json()
    assert row["certification_id"] == master.certification_id
    assert [c["test"] for c in row["certifications"]] == A_SERIES
    assert [t["held"] for t in row["titles"]] == [True]


def test_program_staff_read_every_result_and_revocation(master: Technician) -> None:
    # given
    revocation_record(
        technician_id=master.pk,
        test="A8",
        date=today(),
        reason="Misconduct at a sitting.",
    )
    staff = _api(_user("staff", Role.PROGRAM_STAFF))
    # when
    results = staff.get(
        "/api/credentials/results", {"test": "A1", "technician_id": str(master.pk)}
    ).json()
    page = staff.get("/api/credentials/results", {"limit": 3, "offset": 1}).json()
    revocations = staff.get("/api/credentials/revocations").json()
    # then
    assert [r["outcome"] for r in results] == ["pass", "fail"]
    assert results[0]["technician"]["certification_id"] == master.certification_id
    assert len(page) == 3
    assert [(r["test"], r["reason"]) for r in revocations] == [
        ("A8", "Misconduct at a sitting.")
    ]


def test_only_program_staff_read_everybodys_results(master: Technician) -> None:
    api = _api(master.user)
    for path in ("/api/credentials/results", "/api/credentials/revocations"):
        response = api.get(path)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")
