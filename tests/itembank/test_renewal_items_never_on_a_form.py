"""Renewal items are the questions sent one a month to technicians subscribed to
renewal, key and rationale shown after the answer: none ever goes on a form. Every
path that puts a version on a form holds to it: assembly of initial, recert and
practice forms (the exam and practice pools), the practice form delivery makes on
first use, and publication of a form however it was made (refused with code
``pool``, naming the item and why, changing nothing). What may be sent is
``renewal_pool``: the operational version of each renewal item. A version sent is
frozen (``item_versions_freeze``), so it is never edited in place and its item never
changes pool."""

from __future__ import annotations

import json
from typing import Any

import pytest

from certwright.delivery.practice import practice_form_get
from certwright.itembank.form_building import form_assemble
from certwright.itembank.item_files import items_import, read_json
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    FormStatus,
    Item,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import (
    RenewalPoolItem,
    exam_pool_versions,
    practice_pool_versions,
    renewal_pool,
)
from certwright.itembank.services import (
    ItemBankError,
    form_publish,
    item_version_edit,
    item_versions_freeze,
)
from certwright.itemformats import ItemFileError
from tests.support.itembank import DAY, MakeForm, MakeVersion, synthetic_bank

# The A1 2026 blueprint: 45 scored items.
A1_COUNTS = {"A": 18, "B": 6, "C": 4, "D": 8, "E": 9}


def _renewal_items(make_version: MakeVersion, per_area: int = 6) -> set[str]:
    """``per_area`` operational renewal items in each A1 area, and a retired one."""
    codes = set()
    for area in A1_COUNTS:
        for n in range(per_area):
            code = f"R-{area}{n}"
            make_version(code, area=area, pool=ItemPool.RENEWAL)
            codes.add(code)
    retired = make_version(
        "R-old", area="A", pool=ItemPool.RENEWAL, status=ItemStatus.RETIRED
    )
    codes.add(retired.item.code)
    return codes


def _codes(form: Form) -> set[str]:
    return set(
        FormItem.objects.filter(form=form).values_list(
            "item_version__item__code", flat=True
        )
    )


def test_no_assembled_form_of_any_kind_holds_a_renewal_item(
    db: Any, make_version: MakeVersion
) -> None:
    """Initial, recert and practice forms, on several seeds, take no renewal item
    (operational or retired) though renewal items sit in every area; neither pool
    selector offers one."""
    # given an exam bank, practice items and renewal items in every area
    synthetic_bank(count=240)
    for area in A1_COUNTS:
        make_version(f"P-{area}", area=area, pool=ItemPool.PRACTICE)
    renewal = _renewal_items(make_version)
    # when
    forms = [
        form_assemble(test="A1", kind=kind, day=DAY, seed=seed)
        for kind in (FormKind.INITIAL, FormKind.RECERT, FormKind.PRACTICE)
        for seed in range(3)
    ]
    # then
    for form in forms:
        assert _codes(form)
        assert not _codes(form) & renewal, form.kind
    offered = {
        v.item.code
        for v in [
            *exam_pool_versions(test="A1").values(),
            *practice_pool_versions(test="A1").values(),
        ]
    }
    assert not offered & renewal


def test_renewal_items_do_not_make_up_for_a_short_pool(
    db: Any, make_version: MakeVersion
) -> None:
    """With area C one operational exam item short, renewal items in C do not fill
    the gap (refused, naming area C); with no practice item at all, renewal items
    make no practice form (code ``empty``). Nothing is stored."""
    # given area C with 3 operational exam items (4 needed) and renewal items
    for area, count in A1_COUNTS.items():
        for n in range(count - (area == "C")):
            make_version(f"X-{area}{n}", area=area)
    for n in range(10):
        make_version(f"X-pre{n}", area="A", status=ItemStatus.PRETEST)
    _renewal_items(make_version)
    # when
    with pytest.raises(ItemBankError) as initial:
        form_assemble(test="A1", day=DAY, seed=1)
    with pytest.raises(ItemBankError) as practice:
        form_assemble(test="A1", kind=FormKind.PRACTICE, day=DAY, seed=1)
    # then
    assert initial.value.code == "infeasible"
    assert "area C needs 4 operational items, only 3 usable" in str(
        initial.value.message
    )
    assert practice.value.code == "empty"
    assert not Form.objects.exists()


@pytest.mark.parametrize("kind", [FormKind.INITIAL, FormKind.RECERT, "practice"])
def test_publishing_a_form_holding_a_renewal_item_is_refused(
    db: Any, make_version: MakeVersion, make_form: MakeForm, kind: str
) -> None:
    """A form made by hand with a renewal item among good ones is refused on
    publication, whatever its kind: code ``pool``, the item and its position named,
    the reason given; the form stays a draft and no version is frozen."""
    # given
    good = make_version("P-1", pool=ItemPool.PRACTICE if kind == "practice" else "exam")
    renewal = make_version("R-1", pool=ItemPool.RENEWAL)
    form = make_form([good, renewal], kind=kind)
    # when
    with pytest.raises(ItemBankError) as refused:
        form_publish(form_id=form.pk, actor="t")
    # then
    assert refused.value.code == "pool"
    message = str(refused.value.message)
    assert "R-1 v1 on position 2 is a renewal item" in message
    assert "never put on an initial, recertification or practice form" in message
    form.refresh_from_db()
    assert (form.status, form.number) == (FormStatus.DRAFT, None)
    assert not ItemVersion.objects.filter(frozen_at__isnull=False).exists()


def test_delivery_makes_its_practice_form_without_renewal_items(
    db: Any, make_version: MakeVersion
) -> None:
    """The practice form delivery makes on first use holds the practice items and
    none of the renewal items beside them."""
    # given
    practice = {
        make_version(f"P-{area}{n}", area=area, pool=ItemPool.PRACTICE).item.code
        for area in A1_COUNTS
        for n in range(2)
    }
    renewal = _renewal_items(make_version)
    # when
    form = practice_form_get(test="A1")
    # then
    assert form.status == FormStatus.PUBLISHED
    assert _codes(form) <= practice
    assert not _codes(form) & renewal


def test_the_renewal_pool_is_the_operational_renewal_versions(
    db: Any, make_version: MakeVersion
) -> None:
    """Per test asked: the operational version of each renewal item, with its area;
    a retired, draft or pretest renewal item, and exam or practice items, are not
    in it; a test without renewal items has an empty list."""
    # given
    sent = make_version("R-1", area="B", pool=ItemPool.RENEWAL)
    make_version("R-2", area="A", pool=ItemPool.RENEWAL, status=ItemStatus.RETIRED)
    make_version("R-3", area="A", pool=ItemPool.RENEWAL, status=ItemStatus.DRAFT)
    make_version("R-4", area="A", pool=ItemPool.RENEWAL, status=ItemStatus.PRETEST)
    make_version("X-1", area="A")
    make_version("P-1", area="A", pool=ItemPool.PRACTICE)
    make_version("R-A2", test="A2", area="C", pool=ItemPool.RENEWAL)
    # when
    pool = renewal_pool(["A1", "A3"])
    # then
    assert pool == {"A1": [RenewalPoolItem(sent.item_id, sent.pk, "B")], "A3": []}


def _doc(code: str, pool: str, stem: str = "Which one?") -> str:
    return json.dumps(
        {
            "format": "certwright-items/1",
            "program": "ase",
            "test": "A1",
            "items": [
                {
                    "code": code,
                    "area": "A",
                    "task": "Diagnose it",
                    "stem": stem,
                    "options": {"A": "1", "B": "2", "C": "3", "D": "4"},
                    "key": "C",
                    "rationale": "Because three.",
                    "status": "operational",
                    "pool": pool,
                }
            ],
        }
    )


def test_a_renewal_question_sent_is_frozen_and_keeps_its_pool(
    db: Any, make_version: MakeVersion
) -> None:
    """Freezing the version sent (as the sender does) leaves it unchanged from then
    on: an edit makes version 2, an import moving the item to the exam pool is
    refused whole, and freezing again changes nothing. Before it is sent, the same
    import moves it."""
    # given one renewal item never sent and one sent
    items_import([read_json(_doc("R-unsent", "renewal"))], actor="t")
    items_import([read_json(_doc("R-sent", "renewal"))], actor="t")
    sent = ItemVersion.objects.get(item__code="R-sent")
    # when
    frozen = item_versions_freeze(version_ids=[sent.pk])
    again = item_versions_freeze(version_ids=[sent.pk])
    edited = item_version_edit(version_id=sent.pk, actor="t", stem="Reworded?")
    with pytest.raises(ItemFileError) as refused:
        items_import([read_json(_doc("R-sent", "exam"), source="move.json")], actor="t")
    moved = items_import([read_json(_doc("R-unsent", "exam"))], actor="t")
    # then
    assert (frozen, again) == (1, 0)
    sent.refresh_from_db()
    assert sent.stem == "Which one?"
    assert sent.frozen_at is not None
    assert (edited.number, edited.status) == (2, ItemStatus.DRAFT)
    (problem,) = refused.value.problems
    assert problem.startswith("move.json: item R-sent: field pool: candidates have")
    assert Item.objects.get(code="R-sent").pool == ItemPool.RENEWAL
    assert moved.pool_changed == ["R-unsent"]
    assert Item.objects.get(code="R-unsent").pool == ItemPool.EXAM
