"""A draft becomes reviewed only when a second person approves it: the writer is
refused with a clear message, and a rejection leaves it a draft."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.audit.models import Event, EventKind
from certwright.itembank.models import ItemStatus
from certwright.itembank.services import ItemBankError, item_review
from tests.support.itembank import draft_create


def test_a_second_person_approves(writer: Any, reviewer: Any) -> None:
    """The reviewer's approval makes the draft reviewed, recording who and when."""
    # given
    version = draft_create(writer)
    # when
    reviewed = item_review(version_id=version.pk, actor=reviewer)
    # then
    assert reviewed.status == ItemStatus.REVIEWED
    assert reviewed.reviewed_by == reviewer
    assert reviewed.reviewed_at is not None


def test_the_writer_cannot_approve_their_own_item(writer: Any) -> None:
    """The writer's approval is refused, naming the rule; the item stays a draft and
    no review event is written."""
    # given
    version = draft_create(writer)
    # when
    with pytest.raises(ItemBankError, match="second person") as refused:
        item_review(version_id=version.pk, actor=writer)
    # then
    assert refused.value.code == "reviewer"
    version.refresh_from_db()
    assert version.status == ItemStatus.DRAFT
    assert version.reviewed_by is None
    assert not Event.objects.filter(kind=EventKind.ITEM_REVIEWED).exists()


def test_the_same_machine_label_cannot_review_its_own_import(db: Any) -> None:
    """Without accounts the labels are compared: "cli" cannot approve "cli"'s
    item."""
    # given
    version = draft_create("cli")
    # when / then
    with pytest.raises(ItemBankError, match="second person"):
        item_review(version_id=version.pk, actor="cli")


def test_a_rejection_keeps_the_draft_and_records_why(
    writer: Any, reviewer: Any
) -> None:
    """Asking for changes leaves the draft a draft and records the reason."""
    # given
    version = draft_create(writer)
    # when
    item_review(
        version_id=version.pk,
        actor=reviewer,
        approve=False,
        reason="Option B is also defensible.",
    )
    # then
    version.refresh_from_db()
    assert version.status == ItemStatus.DRAFT
    event = Event.objects.get(kind=EventKind.ITEM_REVIEWED)
    assert event.data["outcome"] == "changes requested"
    assert event.reason == "Option B is also defensible."


def test_only_a_draft_is_reviewed(writer: Any, reviewer: Any) -> None:
    """Reviewing an already reviewed version is refused."""
    # given
    version = draft_create(writer)
    item_review(version_id=version.pk, actor=reviewer)
    # when / then
    with pytest.raises(ItemBankError, match="only a draft"):
        item_review(version_id=version.pk, actor=reviewer)
