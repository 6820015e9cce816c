"""Fixtures for the scheduling tests: centres, candidates and purchased tests made
on demand. The clock frozen at NOW, the Chicago centre and Casey Candidate are
tests/support/scheduling.py's fixtures (shared with the delivery tests).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from certwright.candidates.models import Technician
from certwright.commerce.models import OrderLine
from certwright.scheduling.models import TestCentre
from tests.support.forms import every_test_deliverable
from tests.support.scheduling import candidate_create, centre_create, lines_buy


@pytest.fixture
def make_centre(db: None) -> Callable[..., TestCentre]:
    return centre_create


@pytest.fixture
def make_candidate(db: None) -> Callable[..., Technician]:
    return candidate_create


@pytest.fixture
def buy(db: None) -> Callable[..., list[OrderLine]]:
    return lines_buy


@pytest.fixture(autouse=True)
def _every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """Every test of the program has a published form (see tests/support/forms.py)."""
    every_test_deliverable(request)
