"""schemathesis against the served OpenAPI document (/api/openapi.json), through the
WSGI application, with every check it has (server errors, status codes, content
types, response headers, response schemas, data acceptance and rejection, auth,
methods, ...): the API answers what its document says, anonymously and as each role.

The roles (``certwright.core.roles``) each call with their API token: a technician
(the candidate role, with a technician record), a shop's employer, a proctor of a
centre, program staff and a superuser (the admin); those who must use a second factor
have one, as in production.

Bounded for CI: a few examples per operation, no deadline, derandomized so a run is
reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import PositiveDataAcceptanceConfig

from certwright.accounts.models import MembershipRole
from certwright.accounts.services import (
    api_token_create,
    membership_add,
    organization_create,
    share_grant,
)
from certwright.candidates.services import technician_create
from certwright.core.roles import Role, role_add
from certwright.scheduling.models import TestCentre
from certwright.wsgi import application

MAX_EXAMPLES = 5
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
ROLES = ("anonymous", "technician", "employer", "proctor", "program_staff", "admin")

# pytest-django has set Django up before collection; reading the document touches
# no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.hook
def filter_body(ctx: Any, body: Any) -> bool:
    """No empty file parts. Werkzeug's test client writes an empty file part with no
    line break before the next boundary, so no multipart parser (Django's included)
    finds a file there, and the API rightly answers that the file is missing: a flaw
    of the test client's encoding, not of the API or its document."""
    if not isinstance(body, dict):
        return True
    return not any(getattr(value, "data", None) == b"" for value in body.values())


# Valid input may still be refused by a rule no schema can state (a test code the
# program does not have, an empty cart, a technician not eligible: 400, or 422 with
# code not_eligible): those answers are accepted here, and the check below holds
# valid input to never being refused as not matching the document.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=[
        *schema.config.checks.positive_data_acceptance.expected_statuses,
        "400",
        "422",
    ]
)


@schemathesis.check
def valid_input_matches_the_document(ctx: Any, response: Any, case: Any) -> None:
    """Input generated to match the document is never refused as not matching it
    (422 with code ``invalid``): the document says what the API accepts."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code == 422:
        problem = response.json()
        assert problem.get("code") != "invalid", (
            f"valid input refused as invalid: {problem}"
        )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Calls go straight into the WSGI handler, whose request signals close "old"
    database connections; on PostgreSQL that closes the connection holding the
    test's transaction. Django's test client switches this off the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _user(name: str, *roles: Role, mfa: bool = False, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(
        username=name, email=f"{name}@example.com", password=None, **extra
    )
    for role in roles:
        role_add(user, role)
    if mfa:  # staff and proctors must have a second factor before the API
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    return user


def _role_user(role: str) -> Any:
    """The user who plays ``role``, with what the role comes with."""
    if role == "technician":
        user = _user("tech", Role.CANDIDATE)
        technician = technician_create(
            name="Fuzz Technician", email=user.email, user_id=user.pk
        )
        shop = organization_create(name="Fuzz Shop")
        share_grant(technician_id=technician.pk, organization_id=shop.pk)
        return user
    if role == "employer":
        user = _user("boss", Role.EMPLOYER)
        shop = organization_create(name="Boss Shop")
        membership_add(organization_id=shop.pk, user=user, role=MembershipRole.ADMIN)
        return user
    if role == "proctor":
        user = _user("proctor", Role.PROCTOR, mfa=True)
        centre = TestCentre.objects.create(
            code="fz1",
            name="Fuzz Centre",
            city="Springfield",
            time_zone="America/Chicago",
            seats=4,
        )
        centre.admins.add(user)
        return user
    if role == "program_staff":
        return _user("staff", Role.PROGRAM_STAFF, mfa=True, is_staff=True)
    return _user("root", mfa=True, is_staff=True, is_superuser=True)


@pytest.fixture(params=ROLES)
def headers(request: pytest.FixtureRequest, db: None) -> dict[str, str]:
    """The Authorization header of the role (none when anonymous)."""
    if request.param == "anonymous":
        return {}
    _row, token = api_token_create(user=_role_user(request.param), name="fuzz")
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@BOUNDED
def test_the_api_does_what_its_document_says(
    case: Any, headers: dict[str, str]
) -> None:
    """Every check schemathesis has, for every operation, as every role."""
    case.call_and_validate(headers=headers)
