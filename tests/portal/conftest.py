"""Fixtures for the portal: a candidate with an account, and fact recorders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.services import result_record
from tests.support.forms import every_test_deliverable


@pytest.fixture
def candidate(db: None) -> tuple[Any, Technician]:
    user = get_user_model().objects.create_user(
        username="pat", email="pat@example.com", password=None
    )
    technician = technician_create(
        name="Pat Candidate", email="pat@example.com", user_id=user.pk
    )
    return user, technician


@pytest.fixture
def record_result() -> Callable[..., Any]:
    def record(technician: Technician, test: str, day: dt.date, **kw: Any) -> Any:
        return result_record(
            technician_id=technician.pk,
            test=test,
            date=day,
            kind=kw.pop("kind", "initial"),
            outcome=kw.pop("outcome", "pass"),
            **kw,
        )

    return record


@pytest.fixture
def employment() -> Callable[..., Any]:
    def add(technician: Technician, start: dt.date, **kw: Any) -> Any:
        return experience_record_add(
            technician_id=technician.pk,
            kind=kw.pop("kind", "employment"),
            start=start,
            approved=kw.pop("approved", True),
            **kw,
        )

    return add


@pytest.fixture(autouse=True)
def _every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """Every test of the program has a published form (see tests/support/forms.py)."""
    every_test_deliverable(request)
