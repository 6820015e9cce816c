"""`certwright demo load`'s accounts: a candidate part-way through, an employer
that a demo technician shares with, a proctor and program staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from certwright.accounts.demo import PASSWORD, demo_load
from certwright.accounts.models import Organization, ShareGrant
from certwright.accounts.selectors import technicians_visible_to
from certwright.candidates.selectors import technician_for_user
from certwright.core.roles import Role, user_has_role

pytestmark = pytest.mark.django_db


def test_demo_accounts_load_once_and_can_sign_in(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Loading twice adds nothing; each account signs in with the printed password;
    staff and the proctor are then sent to set up 2FA."""
    # when
    with django_capture_on_commit_callbacks(execute=True):
        report = demo_load()
        again = demo_load()

    # then
    emails = [a.email for a in report.accounts]
    assert emails == [
        "candidate@example.com",
        "employer@example.com",
        "proctor@example.com",
        "staff@example.com",
    ]
    assert {a.password for a in report.accounts} == {PASSWORD}
    assert sorted(report.created) == sorted(emails)
    assert again.created == []
    User = get_user_model()
    assert User.objects.filter(email__in=emails).count() == 4
    assert Organization.objects.filter(name="Main Street Auto").count() == 1
    assert ShareGrant.objects.count() == 1

    candidate = User.objects.get(email="candidate@example.com")
    technician = technician_for_user(candidate)
    assert technician is not None
    assert technician.name == "Priya Raman"
    assert user_has_role(candidate, Role.CANDIDATE)
    employer = User.objects.get(email="employer@example.com")
    assert [t.name for t in technicians_visible_to(employer)] == ["Maria Okafor"]
    assert user_has_role(User.objects.get(email="proctor@example.com"), Role.PROCTOR)

    # Each role lands on its own page (portal.navigation.landing_url); staff and
    # the proctor set up 2FA first (their landings: the browser test).
    landings = {
        "candidate@example.com": "/me/",
        "employer@example.com": "/account/organizations/",
    }
    for email in emails:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": email, "password": PASSWORD}
        )
        assert response.status_code == 302, email
        assert response["Location"] == "/me/landing/"
        if email in landings:
            landing = client.get("/me/landing/")
            assert landing["Location"] == landings[email], email
        profile = client.get("/account/profile/")
        needs_2fa = email in ("proctor@example.com", "staff@example.com")
        assert profile.status_code == (302 if needs_2fa else 200), email


def test_a_candidate_account_from_an_older_demo_is_left_and_reported(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A database whose candidate@example.com is linked to another technician (an
    older demo's candidate) loads without error: the link is kept and the report
    says to start from a new database."""
    # given the candidate account linked to an older demo's technician
    from certwright.accounts.services import technician_link_user
    from certwright.candidates.services import technician_create

    User = get_user_model()
    user = User.objects.create_user(
        username="candidate", email="candidate@example.com", password=PASSWORD
    )
    older = technician_create(
        name="Priya Raman", email="pending@demo.certwright.example", actor="test"
    )
    technician_link_user(technician_id=older.pk, user=user, actor="test")
    # when the demo accounts load
    with django_capture_on_commit_callbacks(execute=True):
        report = demo_load()
    # then the link is kept and the report says why the demo looks older
    assert technician_for_user(user) == older
    [note] = report.notes
    assert "pending@demo.certwright.example" in note
    assert "new database" in note
