"""Enemies are symmetric: adding (x, y) makes y an enemy of x and x of y, adding
(y, x) again changes nothing, and removing either way round removes the pair."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event, EventKind
from certwright.itembank.models import ItemEnemy
from certwright.itembank.selectors import item_enemies
from certwright.itembank.services import (
    ItemBankError,
    item_enemy_add,
    item_enemy_remove,
)
from tests.support.itembank import MakeVersion


def test_adding_one_way_holds_both_ways(make_version: MakeVersion) -> None:
    """The pair is stored once and read from both sides."""
    # given
    x = make_version("A1-001").item
    y = make_version("A1-002").item
    # when
    first = item_enemy_add(item_id=y.pk, other_id=x.pk, actor="cli")
    again = item_enemy_add(item_id=x.pk, other_id=y.pk, actor="cli")
    # then
    assert (first, again) == (True, False)
    assert ItemEnemy.objects.count() == 1
    assert item_enemies(test="A1") == {x.pk: {y.pk}, y.pk: {x.pk}}
    assert Event.objects.filter(kind=EventKind.ITEM_ENEMY_ADDED).count() == 1


def test_removing_the_other_way_round(make_version: MakeVersion) -> None:
    """A pair added as (x, y) is removed as (y, x)."""
    # given
    x = make_version("A1-001").item
    y = make_version("A1-002").item
    item_enemy_add(item_id=x.pk, other_id=y.pk)
    # when
    removed = item_enemy_remove(item_id=y.pk, other_id=x.pk)
    # then
    assert removed is True
    assert item_enemies(test="A1") == {}
    assert Event.objects.filter(kind=EventKind.ITEM_ENEMY_REMOVED).count() == 1


def test_self_and_cross_test_enemies_are_refused(make_version: MakeVersion) -> None:
    """An item is not its own enemy, and enemies share a test."""
    # given
    x = make_version("A1-001").item
    other = make_version("A2-001", test="A2").item
    # when / then
    with pytest.raises(ItemBankError, match="own enemy"):
        item_enemy_add(item_id=x.pk, other_id=x.pk)
    with pytest.raises(ItemBankError, match="different tests"):
        item_enemy_add(item_id=x.pk, other_id=other.pk)
    assert not ItemEnemy.objects.exists()
