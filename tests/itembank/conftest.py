"""Fixtures for the item bank: items and forms built straight in the database, so a
test sets up exactly the bank it needs (the services under test are called in the
tests themselves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from certwright.itembank.models import (
    Form,
    FormItem,
    Item,
    ItemPool,
    ItemStatus,
    ItemVersion,
)

MakeVersion = Callable[..., ItemVersion]
# A day on which the built-in ASE program's 2026 A1 blueprint is in force.
DAY = dt.date(2026, 3, 2)
MakeForm = Callable[..., Form]


@pytest.fixture
def make_version(db: Any) -> MakeVersion:
    """An item with one version: ``make_version("A1-001", area="A",
    status="operational", pool="exam")``."""

    def make(
        code: str,
        *,
        test: str = "A1",
        area: str = "A",
        status: str = ItemStatus.OPERATIONAL,
        key: int = 2,
        pool: str = ItemPool.EXAM,
    ) -> ItemVersion:
        item = Item.objects.create(test=test, code=code, pool=pool)
        return ItemVersion.objects.create(
            item=item,
            number=1,
            status=status,
            stem=f"Stem of {code}?",
            options=[f"{code} option {letter}" for letter in "ABCD"],
            key=key,
            rationale=f"Because of {code}.",
            area=area,
            task=f"Task of {code}",
            written_by_label="writer",
            reviewed_by_label="reviewer" if status != ItemStatus.DRAFT else "",
        )

    return make


@pytest.fixture
def make_form(db: Any) -> MakeForm:
    """A draft form holding ``scored`` and ``pretest`` versions in that order."""

    def make(
        scored: Sequence[ItemVersion],
        pretest: Sequence[ItemVersion] = (),
        *,
        test: str = "A1",
        kind: str = "initial",
    ) -> Form:
        form = Form.objects.create(
            test=test, kind=kind, blueprint_effective=dt.date(2026, 1, 1), minutes=75
        )
        rows = [(v, True) for v in scored] + [(v, False) for v in pretest]
        FormItem.objects.bulk_create(
            FormItem(form=form, position=i, item_version=v, scored=s, area=v.area)
            for i, (v, s) in enumerate(rows, start=1)
        )
        return form

    return make


@pytest.fixture
def writer(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("writer", "writer@example.com", "pw")


@pytest.fixture
def reviewer(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(
        "reviewer", "reviewer@example.com", "pw"
    )


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


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """Item images go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
