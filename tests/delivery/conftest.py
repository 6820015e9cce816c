"""Fixtures for exam delivery. The form, the centre, the candidate's seat and its
proctor are tests/support/delivery.py's fixtures (shared with the fuzz tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.delivery import SEATS


@pytest.fixture(autouse=True)
def _seats_forgotten() -> Iterator[None]:
    """Each test starts with no workstation holding a seat token: attempt ids are
    reused across tests, and a token left from an earlier test must not count."""
    SEATS.clear()
    yield
    SEATS.clear()
