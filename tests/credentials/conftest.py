"""Fixtures for the credentials tests: technicians and facts recorded through the
services (the built-in ASE program is the program; dates relative to today come
from tests/support/dates.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.services import result_record
from tests.support.dates import ago


@pytest.fixture
def make_technician(db: None) -> Callable[..., Technician]:
    counter = iter(range(1, 1_000_000))

    def make(name: str | None = None) -> Technician:
        n = next(counter)
        return technician_create(
            name=name or f"Technician {n}", email=f"t{n}@example.com"
        )

    return make


@pytest.fixture
def experienced(make_technician: Callable[..., Technician]) -> Technician:
    """A technician with ten years of approved full-time employment, no results."""
    technician = make_technician("Experienced Technician")
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=10),
        approved=True,
    )
    return technician


@pytest.fixture
def record_pass() -> Callable[..., Any]:
    def record(technician: Technician, test: str, day: dt.date, **kw: Any) -> Any:
        return result_record(
            technician_id=technician.pk,
            test=test,
            date=day,
            kind=kw.pop("kind", "initial"),
            outcome=kw.pop("outcome", "pass"),
            source=kw.pop("source", "test"),
            **kw,
        )

    return record
