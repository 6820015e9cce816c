"""schemathesis against the served OpenAPI document (/api/openapi.json), through the
WSGI application: no operation answers any generated input with a server error,
neither anonymously nor with a candidate's API token.

Bounded for CI: a few examples per operation, no deadline, derandomized so a run
is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from certwright.accounts.services import api_token_create
from certwright.candidates.services import technician_create
from certwright.core.roles import Role, role_add
from certwright.wsgi import application

MAX_EXAMPLES = 10
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# pytest-django has set Django up before collection; reading the document touches
# no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


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


@pytest.fixture
def candidate_token(db: None) -> str:
    """A candidate with a technician record and an API token."""
    user = get_user_model().objects.create_user(
        username="fuzz", email="fuzz@example.com", password=None
    )
    role_add(user, Role.CANDIDATE)
    technician_create(name="Fuzz Candidate", email="fuzz@example.com", user_id=user.pk)
    _row, token = api_token_create(user=user, name="schemathesis")
    return token


def _no_server_error(case: Any, headers: dict[str, str] | None = None) -> None:
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.operation.label} answered {response.status_code}:\n"
        f"{case.as_curl_command(headers=headers)}\n{response.text[:2000]}"
    )


@schema.parametrize()
@BOUNDED
def test_no_server_errors_anonymously(case: Any, db: None) -> None:
    """Without credentials every operation answers 2xx/4xx, never 5xx."""
    _no_server_error(case)


@schema.parametrize()
@BOUNDED
def test_no_server_errors_with_a_candidate_token(
    case: Any, candidate_token: str
) -> None:
    """With a candidate's bearer token every operation answers 2xx/4xx, never 5xx."""
    _no_server_error(case, {"Authorization": f"Bearer {candidate_token}"})
