"""Fixtures for the certificates tests: a certified technician with an account."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.candidates.models import Technician
from tests.support.certificates import account_technician


@pytest.fixture
def certified(db: None) -> tuple[Any, Technician]:
    """Casey Certified, certified in A1 and A4 (passed a year ago)."""
    return account_technician(
        "Casey Certified", "casey@example.com", passed=("A1", "A4")
    )
