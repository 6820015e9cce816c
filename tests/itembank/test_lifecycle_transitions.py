"""An item version moves draft → reviewed → pretest → operational → retired and no
other way; a refused move names the version and the statuses, and changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.itembank.models import ItemStatus, ItemVersion
from certwright.itembank.services import (
    ItemBankError,
    item_review,
    item_status_set,
    item_version_edit,
)
from tests.support.itembank import draft_create


def test_the_whole_lifecycle(writer: Any, reviewer: Any) -> None:
    """A reviewed draft is pretested, then made operational, then retired."""
    # given
    version = draft_create(writer)
    item_review(version_id=version.pk, actor=reviewer)
    # when
    seen = []
    for status in ("pretest", "operational", "retired"):
        seen.append(item_status_set(version_id=version.pk, status=status).status)
    # then
    assert seen == ["pretest", "operational", "retired"]


@pytest.mark.parametrize(
    ("start", "target", "words"),
    [
        ("draft", "reviewed", "second person"),
        ("draft", "operational", "pretested"),
        ("reviewed", "operational", "pretested"),
        ("draft", "pretest", "cannot go"),
        ("operational", "pretest", "cannot go"),
        ("retired", "operational", "cannot go"),
        ("pretest", "draft", "cannot go"),
    ],
)
def test_moves_outside_the_lifecycle_are_refused(
    writer: Any, start: str, target: str, words: str
) -> None:
    """Skipping review or pretesting, or going backwards, is refused and the status
    stays."""
    # given
    version = draft_create(writer)
    ItemVersion.objects.filter(pk=version.pk).update(status=start)
    # when
    with pytest.raises(ItemBankError, match=words) as refused:
        item_status_set(version_id=version.pk, status=target)
    # then
    assert "A1-001 v1" in str(refused.value)
    version.refresh_from_db()
    assert version.status == start


def test_an_unknown_status_is_refused(writer: Any) -> None:
    """A status that does not exist is named in the refusal."""
    # given
    version = draft_create(writer)
    # when / then
    with pytest.raises(ItemBankError, match="'live' is not an item status"):
        item_status_set(version_id=version.pk, status="live")


def test_promoting_a_new_version_retires_the_old_one(
    writer: Any, reviewer: Any
) -> None:
    """When version 2 of an operational item is made pretest, version 1 retires:
    one live version per item."""
    # given
    v1 = draft_create(writer)
    item_review(version_id=v1.pk, actor=reviewer)
    item_status_set(version_id=v1.pk, status="pretest")
    item_status_set(version_id=v1.pk, status="operational")
    v2 = item_version_edit(version_id=v1.pk, actor=writer, stem="Reworded stem?")
    item_review(version_id=v2.pk, actor=reviewer)
    # when
    item_status_set(version_id=v2.pk, status=ItemStatus.PRETEST)
    # then
    v1.refresh_from_db()
    assert v1.status == ItemStatus.RETIRED
    assert v2.number == 2
