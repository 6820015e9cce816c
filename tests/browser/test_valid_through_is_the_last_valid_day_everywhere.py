"""A certification's end is shown one way everywhere: the last day it is valid.
The candidate's dashboard, the employer's roster and the API give the same date
for A1 (the day before the rules core's exclusive ``expires_on``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from certwright.accounts.models import MembershipRole
from certwright.accounts.services import (
    membership_add,
    organization_create,
    share_grant,
)
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today
from certwright.core.roles import Role, role_add
from certwright.credentials.models import Certification
from certwright.credentials.services import result_record
from certwright.rules.dates import add_months

from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_employer_page_and_api_agree_on_the_last_valid_day(
    phone: Any, live_server: Any, client: Any
) -> None:
    """The dashboard says "Valid through D", the employer's page "valid through D"
    and the API ``valid_through`` D, where D is the day before ``expires_on``."""
    # given a technician certified in A1, sharing with an employer
    users = get_user_model().objects
    candidate = users.create_user(
        username="pat", email="pat@example.com", password=None
    )
    role_add(candidate, Role.CANDIDATE)
    technician = technician_create(
        name="Pat Valid", email="pat@example.com", user_id=candidate.pk
    )
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=add_months(today(), -48),
        approved=True,
    )
    result_record(
        technician_id=technician.pk,
        test="A1",
        date=today() - dt.timedelta(days=40),
        kind="initial",
        outcome="pass",
    )
    a1 = Certification.objects.get(technician=technician, test="A1")
    assert a1.expires_on is not None
    expires_on = a1.expires_on
    last_day = (expires_on - dt.timedelta(days=1)).isoformat()
    boss = users.create_user(username="boss", email="boss@example.com", password=None)
    role_add(boss, Role.EMPLOYER)
    shop = organization_create(name="Main Street Auto")
    membership_add(organization_id=shop.pk, user=boss, role=MembershipRole.ADMIN)
    share_grant(technician_id=technician.pk, organization_id=shop.pk)

    # when the candidate opens the dashboard
    sign_in(phone, candidate, live_server.url)
    phone.goto("/me/")
    dashboard = phone.locator("main").inner_text()
    # and the API
    client.force_login(candidate)
    api = client.get("/api/portal/me/state").json()

    # and the employer opens the organization's roster
    phone.context.clear_cookies()
    sign_in(phone, boss, live_server.url)
    phone.goto(f"/account/organizations/{shop.pk}/")
    roster = phone.locator("main").inner_text()

    # then all three name the same last valid day, and none the exclusive end
    assert f"Valid through {last_day}" in dashboard
    assert f"valid through {last_day}" in roster
    assert expires_on.isoformat() not in roster
    (a1_api,) = [c for c in api["certifications"] if c["test"] == "A1"]
    assert a1_api["valid_through"] == last_day
