"""The database itself refuses what the item bank never allows: a key outside A-D,
a writer approving their own item, an enemy pair stored twice, a published form
without its cut score."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from certwright.itembank.models import Form, Item, ItemEnemy, ItemVersion
from tests.support.itembank import MakeVersion


def test_key_outside_the_four_options_is_refused(make_version: MakeVersion) -> None:
    """A key of 4 (a fifth option) does not store."""
    # given
    version = make_version("A1-001")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=version.pk).update(key=4)


def test_writer_cannot_be_reviewer(
    make_version: MakeVersion, django_user_model: Any
) -> None:
    """The same account as writer and reviewer does not store."""
    # given
    user = django_user_model.objects.create_user("w", "w@example.com", "pw")
    version = make_version("A1-001")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=version.pk).update(
            written_by=user, reviewed_by=user
        )


def test_enemy_pairs_are_stored_once_in_order(db: Any) -> None:
    """(b, a) with b > a does not store: the pair is kept as (a, b) only."""
    # given
    x = Item.objects.create(test="A1", code="A1-001")
    y = Item.objects.create(test="A1", code="A1-002")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemEnemy.objects.create(a=y, b=x)


def test_published_form_needs_its_cut_and_table(db: Any) -> None:
    """A form marked published without number, cut score and table does not
    store."""
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Form.objects.create(
            test="A1",
            kind="initial",
            status="published",
            blueprint_effective=dt.date(2026, 1, 1),
            minutes=75,
        )
