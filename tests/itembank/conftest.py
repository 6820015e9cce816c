"""Fixtures for the item bank: items and forms built straight in the database, so a
test sets up exactly the bank it needs (the services under test are called in the
tests themselves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
from tests.support.itembank import MakeForm, MakeVersion


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


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """Item images go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
