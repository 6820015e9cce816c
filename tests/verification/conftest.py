"""The verification tests start each with a clean lookup count (rows in the
database, so each test's transaction already gives that) and a small limit."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _lookup_limit(settings: Any) -> None:
    settings.VERIFY_LOOKUP_LIMIT = 5
    settings.VERIFY_LOOKUP_WINDOW_SECONDS = 600
