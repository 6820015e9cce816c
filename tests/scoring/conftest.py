"""Fixtures for scoring: a small published A1 form (tests/support/scoring.py builds
it, the attempts and the simulated sittings), and the people who may or may not see
the analyses.
"""

from __future__ import annotations

from typing import Any

import pytest

from certwright.core.roles import Role, role_add
from certwright.itembank.models import Form
from tests.support.scheduling import candidate_create, centre_create, user_create
from tests.support.scoring import form_build, with_totp


@pytest.fixture
def scoring_form(db: Any) -> Form:
    return form_build()


@pytest.fixture
def program_staff(db: Any) -> Any:
    user = user_create("staff@example.com")
    role_add(user, Role.PROGRAM_STAFF)
    return with_totp(user)


@pytest.fixture
def candidate_user(db: Any) -> Any:
    return candidate_create().user


@pytest.fixture
def proctor_user(db: Any) -> Any:
    """A centre's proctor: Django staff (to reach the admin) but not program staff."""
    user = user_create("proctor@example.com", is_staff=True)
    role_add(user, Role.PROCTOR)
    centre_create().admins.add(user)
    return with_totp(user)
