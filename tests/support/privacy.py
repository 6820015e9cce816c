"""The person of the privacy tests (tests/privacy/conftest.py builds them): their
names and address, to look for after an export or an erasure."""

from __future__ import annotations

from typing import Any

from certwright.candidates.models import Technician

NAME = "Casey Quintero-Candidate"
FAMILY = "Quintero-Candidate"
EMAIL = "casey.quintero@example.com"


def account_of(technician: Technician) -> Any:
    """The technician's account (the privacy tests' people all have one)."""
    user = technician.user
    assert user is not None
    return user
