"""Item bank helpers: the types of the item and form fixtures, a day on which the A1
blueprint is in force, a draft written through the service and a synthetic bank."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from certwright.itembank.models import Form, ItemVersion

MakeVersion = Callable[..., ItemVersion]
# A day on which the built-in ASE program's 2026 A1 blueprint is in force.
DAY = dt.date(2026, 3, 2)
MakeForm = Callable[..., Form]


def draft_create(actor: Any, code: str = "A1-001", area: str = "A") -> ItemVersion:
    """A draft item written by ``actor`` through the service."""
    from certwright.itembank.services import item_create

    return item_create(
        test="A1",
        code=code,
        stem="Which gauge reading shows a leaking head gasket?",
        options=["Low vacuum", "Steady vacuum", "Bubbles in coolant", "High oil"],
        key=2,
        area=area,
        task="Diagnose head gasket failure",
        rationale="Combustion gas in the coolant shows as bubbles.",
        actor=actor,
    )


def synthetic_bank(test: str = "A1", count: int = 200, seed: int = 1) -> Any:
    """A seeded synthetic bank of ``test`` in the database (through the import)."""
    from certwright.core.program import current_program
    from certwright.itembank.item_files import items_import
    from certwright.itembank.synthetic import synthetic_items

    bundle = synthetic_items(
        program=current_program(), test=test, count=count, seed=seed, day=DAY
    )
    items_import([bundle], actor="test", source="synthetic")
    return bundle
