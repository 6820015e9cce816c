"""Every change to the bank writes an audit event naming the item and who acted:
creation, edits, review, status changes, enemies, imports, exports, assembly,
scaling, publication, retirement; and a look at an item writes item.viewed."""

from __future__ import annotations

from typing import Any

from certwright.audit.models import Event, EventKind
from certwright.itembank.form_building import form_assemble
from certwright.itembank.item_files import items_export
from certwright.itembank.services import (
    form_publish,
    form_retire,
    form_scale_set,
    item_enemy_add,
    item_enemy_remove,
    item_review,
    item_status_set,
    item_version_edit,
    item_viewed,
)
from tests.support.itembank import DAY, draft_create, synthetic_bank


def test_each_change_has_its_event(writer: Any, reviewer: Any) -> None:
    """A version's life, its enemies, a form's life and an export: one event each,
    by the acting account, with the item's code."""
    # given
    synthetic_bank(count=120)
    # when
    version = draft_create(writer, code="A1-001")
    other = draft_create(writer, code="A1-002")
    item_version_edit(version_id=version.pk, actor=writer, task="Read a gauge")
    item_review(version_id=version.pk, actor=reviewer)
    item_status_set(version_id=version.pk, status="pretest", actor=reviewer)
    item_enemy_add(item_id=version.item_id, other_id=other.item_id, actor=reviewer)
    item_enemy_remove(item_id=version.item_id, other_id=other.item_id, actor=reviewer)
    item_viewed(item_id=version.item_id, actor=reviewer, key_shown=True)
    form = form_assemble(test="A1", kind="recert", day=DAY, seed=1, actor=reviewer)
    scored = form.items.count()
    form_scale_set(
        form_id=form.pk,
        cut_score=15,
        scale=list(range(scored + 1)),
        actor=reviewer,
        reason="equated",
    )
    form_publish(form_id=form.pk, actor=reviewer)
    form_retire(form_id=form.pk, actor=reviewer, reason="exposed")
    items_export(test="A1", actor=reviewer)
    # then
    kinds = list(
        Event.objects.exclude(kind=EventKind.ITEMS_IMPORTED)
        .order_by("id")
        .values_list("kind", "actor_id")
    )
    assert kinds == [
        (EventKind.ITEM_CREATED, writer.pk),
        (EventKind.ITEM_CREATED, writer.pk),
        (EventKind.ITEM_EDITED, writer.pk),
        (EventKind.ITEM_REVIEWED, reviewer.pk),
        (EventKind.ITEM_STATUS_CHANGED, reviewer.pk),
        (EventKind.ITEM_ENEMY_ADDED, reviewer.pk),
        (EventKind.ITEM_ENEMY_REMOVED, reviewer.pk),
        (EventKind.ITEM_VIEWED, reviewer.pk),
        (EventKind.FORM_ASSEMBLED, reviewer.pk),
        (EventKind.FORM_SCALE_SET, reviewer.pk),
        (EventKind.FORM_PUBLISHED, reviewer.pk),
        (EventKind.FORM_RETIRED, reviewer.pk),
        (EventKind.ITEMS_EXPORTED, reviewer.pk),
    ]
    item_events = Event.objects.filter(kind__startswith="item.")
    assert all(
        e.data.get("code") in ("A1-001", "A1-002")
        or e.data.get("items") == ["A1-001", "A1-002"]
        for e in item_events
    )
    imported = Event.objects.get(kind=EventKind.ITEMS_IMPORTED)
    assert len(imported.data["created"]) == 120
