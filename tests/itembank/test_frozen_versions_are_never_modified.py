"""An unfrozen draft is edited in place; any other version, above all one frozen by
a published form, is never modified: the edit makes a new draft version."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.itembank.models import ItemStatus, ItemVersion
from certwright.itembank.services import (
    ItemBankError,
    form_publish,
    item_version_edit,
)
from tests.support.itembank import MakeForm, MakeVersion, draft_create


def _content(version: ItemVersion) -> tuple[Any, ...]:
    return (
        version.stem,
        version.options,
        version.key,
        version.rationale,
        version.area,
        version.task,
        version.status,
    )


def test_a_draft_is_edited_in_place(writer: Any) -> None:
    """Editing a draft changes that version; no new version appears."""
    # given
    version = draft_create(writer)
    # when
    edited = item_version_edit(version_id=version.pk, actor=writer, key=1)
    # then
    assert edited.pk == version.pk
    assert edited.key == 1
    assert ItemVersion.objects.count() == 1


def test_a_frozen_version_gets_a_new_draft(
    make_version: MakeVersion, make_form: MakeForm, writer: Any
) -> None:
    """After publication, an edit leaves the frozen version byte for byte as it was
    and stores the change as version 2, a draft by the editor."""
    # given
    frozen = make_version("A1-001")
    form_publish(form_id=make_form([frozen]).pk)
    frozen.refresh_from_db()
    before = _content(frozen)
    # when
    new = item_version_edit(
        version_id=frozen.pk, actor=writer, stem="A clearer stem?", key=0
    )
    # then
    frozen.refresh_from_db()
    assert _content(frozen) == before
    assert frozen.is_frozen
    assert (new.number, new.status, new.stem, new.key) == (
        2,
        ItemStatus.DRAFT,
        "A clearer stem?",
        0,
    )
    assert new.written_by == writer
    assert new.frozen_at is None
    assert new.options == frozen.options


def test_an_older_version_cannot_be_edited(writer: Any, reviewer: Any) -> None:
    """Only the latest version takes an edit: editing version 1 when 2 exists is
    refused."""
    # given
    from certwright.itembank.services import item_review

    v1 = draft_create(writer)
    item_review(version_id=v1.pk, actor=reviewer)
    item_version_edit(version_id=v1.pk, actor=writer, task="Another task")
    # when / then
    with pytest.raises(ItemBankError, match="not the latest"):
        item_version_edit(version_id=v1.pk, actor=writer, task="Third")


def test_bad_content_is_refused_and_nothing_changes(writer: Any) -> None:
    """Three options, or a key of E, are refused naming the item; the draft keeps
    its content."""
    # given
    version = draft_create(writer)
    # when / then
    with pytest.raises(ItemBankError, match="A1-001: options"):
        item_version_edit(version_id=version.pk, options=["a", "b", "c"])
    with pytest.raises(ItemBankError, match="A1-001: the key"):
        item_version_edit(version_id=version.pk, key=4)
    version.refresh_from_db()
    assert len(version.options) == 4
    assert version.key == 2


def test_an_import_never_modifies_a_frozen_version(
    make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Importing changed content for an item whose version is frozen stores it as
    version 2 (operational, as the file says) and retires, but does not alter,
    version 1."""
    # given
    from certwright.itembank.item_files import items_export, items_import

    frozen = make_version("A1-001")
    form_publish(form_id=make_form([frozen]).pk)
    frozen.refresh_from_db()
    before = _content(frozen)[:-1]
    bundle = items_export(test="A1")
    from dataclasses import replace

    bundle.items[0] = replace(bundle.items[0], stem="Edited outside?")
    # when
    report = items_import([bundle], actor="test")
    # then
    frozen.refresh_from_db()
    assert _content(frozen)[:-1] == before
    assert frozen.status == ItemStatus.RETIRED
    assert report.new_versions == ["A1-001"]
    assert report.superseded == {"A1-001": [1]}
    new = ItemVersion.objects.get(item_id=frozen.item_id, number=2)
    assert (new.stem, new.status, new.frozen_at) == (
        "Edited outside?",
        ItemStatus.OPERATIONAL,
        None,
    )
