"""Practice tests show keys and rationales, so the bank keeps two pools: a practice
item never goes on an initial or recert form, a practice form holds only practice
items and retired exam items off every published exam form (never an operational or
pretest exam item), and an item a practice form has shown never goes on an exam form
again. Assembly and publication both hold to it; a practice form is as long as the
practice pool allows, in the blueprint's proportions."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.itembank.form_building import form_assemble, practice_area_counts
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    Item,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import practice_pool_versions
from certwright.itembank.services import (
    ItemBankError,
    form_publish,
    item_enemy_add,
)
from tests.support.itembank import DAY, MakeForm, MakeVersion, synthetic_bank

# The A1 2026 blueprint: 45 scored items.
A1_COUNTS = {"A": 18, "B": 6, "C": 4, "D": 8, "E": 9}


def _codes(form: Form) -> set[str]:
    return set(
        FormItem.objects.filter(form=form).values_list(
            "item_version__item__code", flat=True
        )
    )


def _practice_items(make_version: MakeVersion, per_area: int = 3) -> set[str]:
    """``per_area`` operational practice items in each A1 area."""
    codes = set()
    for area in A1_COUNTS:
        for n in range(per_area):
            code = f"P-{area}{n}"
            make_version(code, area=area, pool=ItemPool.PRACTICE)
            codes.add(code)
    return codes


def _exam_bank_short_in_c(make_version: MakeVersion) -> None:
    """Exam items for an A1 initial form but one operational item in area C."""
    for area, count in A1_COUNTS.items():
        for n in range(count - (area == "C")):
            make_version(f"X-{area}{n}", area=area)
    for n in range(10):
        make_version(f"X-pre{n}", area="A", status=ItemStatus.PRETEST)


def _revive(retired: ItemVersion) -> ItemVersion:
    """A new operational version 2 of a retired item (as a revision would end)."""
    return ItemVersion.objects.create(
        item=retired.item,
        number=2,
        status=ItemStatus.OPERATIONAL,
        stem="Revised stem",
        options=["a", "b", "c", "d"],
        key=1,
        area=retired.area,
        written_by_label="writer",
        reviewed_by_label="reviewer",
    )


def test_exam_forms_never_hold_practice_items(
    db: Any, make_version: MakeVersion
) -> None:
    """Initial and recert forms, on several seeds, take no practice item though
    practice items sit in every area."""
    # given an exam bank and practice items in every area
    synthetic_bank(count=240)
    practice = _practice_items(make_version, per_area=6)
    # when
    forms = [
        form_assemble(test="A1", kind=kind, day=DAY, seed=seed)
        for kind in (FormKind.INITIAL, FormKind.RECERT)
        for seed in range(3)
    ]
    # then
    for form in forms:
        assert _codes(form)
        assert not _codes(form) & practice


def test_practice_items_do_not_make_up_for_a_short_exam_area(
    db: Any, make_version: MakeVersion
) -> None:
    """With area C one operational exam item short, practice items in C do not
    fill the gap: the form is refused, naming area C."""
    # given area C with 3 operational exam items (4 needed) and 5 practice ones
    _exam_bank_short_in_c(make_version)
    for n in range(5):
        make_version(f"P-C{n}", area="C", pool=ItemPool.PRACTICE)
    # when
    with pytest.raises(ItemBankError) as refused:
        form_assemble(test="A1", day=DAY, seed=1)
    # then
    assert refused.value.code == "infeasible"
    assert "area C needs 4 operational items, only 3 usable" in str(
        refused.value.message
    )


def test_a_practice_form_holds_practice_and_retired_exam_items_only(
    db: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Operational and pretest exam items, a retired item still on a published
    exam form, an item with a newer live version, and retired or draft practice
    items stay off; practice items and retired exam items off the exam forms come
    on. The form publishes."""
    # given a published exam form of operational and pretest exam items
    live = [make_version(f"EX-{n}", area="AB"[n % 2]) for n in range(4)]
    pretest = make_version("EX-pre", area="A", status=ItemStatus.PRETEST)
    on_exam = make_version("EX-retired-live", area="B")
    form_publish(form_id=make_form([*live, on_exam], [pretest]).pk, actor="t")
    # and then retired: still on that published exam form
    ItemVersion.objects.filter(pk=on_exam.pk).update(status=ItemStatus.RETIRED)
    # an exam item retired in version 1 and live again in version 2
    revived = make_version("EX-revived", area="A", status=ItemStatus.RETIRED)
    _revive(revived)
    # a retired exam item never approved (retired from draft)
    make_version("EX-retired-draft", area="A", status=ItemStatus.RETIRED)
    ItemVersion.objects.filter(item__code="EX-retired-draft").update(
        reviewed_by_label=""
    )
    # the practice pool proper
    good = {
        make_version("P-A", area="A", pool=ItemPool.PRACTICE).item.code,
        make_version("P-B", area="B", pool=ItemPool.PRACTICE).item.code,
        make_version("EX-retired", area="A", status=ItemStatus.RETIRED).item.code,
    }
    make_version(
        "P-retired", area="A", pool=ItemPool.PRACTICE, status=ItemStatus.RETIRED
    )
    make_version("P-draft", area="B", pool=ItemPool.PRACTICE, status="draft")
    # when
    forms = [
        form_assemble(test="A1", kind=FormKind.PRACTICE, day=DAY, seed=s)
        for s in range(3)
    ]
    # then
    pool = {v.item.code for v in practice_pool_versions(test="A1").values()}
    assert pool == good
    for form in forms:
        assert _codes(form) == good
        assert all(form.items.values_list("scored", flat=True))
        assert form.assembly["blueprint_scored"] == 45
    published = form_publish(form_id=forms[0].pk, actor="t")
    assert published.number == 1


def test_an_operational_exam_item_on_a_practice_form_is_refused(
    db: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Publishing a practice form holding an operational exam item (or a pretest
    slot) is refused and changes nothing."""
    # given
    practice = make_version("P-1", pool=ItemPool.PRACTICE)
    exam = make_version("EX-1")
    leaky = make_form([practice, exam], kind=FormKind.PRACTICE)
    pretest_slot = make_form(
        [practice], [make_version("P-2", pool=ItemPool.PRACTICE)], kind="practice"
    )
    # when / then
    for form in (leaky, pretest_slot):
        with pytest.raises(ItemBankError) as refused:
            form_publish(form_id=form.pk, actor="t")
        assert refused.value.code == "pool"
        form.refresh_from_db()
        assert form.status == "draft"
    assert not ItemVersion.objects.filter(frozen_at__isnull=False).exists()


def test_a_practice_item_on_an_exam_form_is_refused(
    db: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """An exam form holding a practice item is refused, naming it."""
    # given
    form = make_form([make_version("EX-1"), make_version("P-1", pool="practice")])
    # when
    with pytest.raises(ItemBankError) as refused:
        form_publish(form_id=form.pk, actor="t")
    # then
    assert refused.value.code == "pool"
    assert "P-1 v1" in str(refused.value.message)


def test_an_item_shown_in_practice_never_returns_to_an_exam_form(
    db: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """A retired exam item shown on a published practice form, later revived as a
    new operational version, is left out of exam assembly and refused on an exam
    form."""
    # given the retired item on a published practice form
    retired = make_version("EX-old", area="C", status=ItemStatus.RETIRED)
    form_publish(form_id=make_form([retired], kind="practice").pk, actor="t")
    # and revived
    revived = _revive(retired)
    # and an exam bank one operational item short in C without it
    _exam_bank_short_in_c(make_version)
    # when / then: assembly does not count it
    with pytest.raises(ItemBankError) as refused:
        form_assemble(test="A1", day=DAY, seed=1)
    assert "area C needs 4 operational items, only 3 usable" in str(
        refused.value.message
    )
    # and a hand-made exam form with it is refused
    with pytest.raises(ItemBankError) as refused:
        form_publish(form_id=make_form([revived]).pk, actor="t")
    assert refused.value.code == "pool"


def test_a_small_practice_pool_gives_a_shorter_form_in_proportion(
    db: Any, make_version: MakeVersion
) -> None:
    """24 practice items apportioned like the blueprint (A10 B3 C2 D4 E5) make a
    24-item form of exactly those counts; an enemy pair among them takes one item
    off rather than refusing the form."""
    # given
    counts = {"A": 10, "B": 3, "C": 2, "D": 4, "E": 5}
    for area, count in counts.items():
        for n in range(count):
            make_version(f"P-{area}{n}", area=area, pool=ItemPool.PRACTICE)
    # when
    form = form_assemble(test="A1", kind="practice", day=DAY, seed=1)
    # then
    areas = list(form.items.values_list("area", flat=True))
    assert {a: areas.count(a) for a in counts} == counts
    assert form.minutes > 0
    # given an enemy pair in area C (both are needed for two C items)
    c0, c1 = Item.objects.filter(code__in=["P-C0", "P-C1"]).order_by("code")
    item_enemy_add(item_id=c0.pk, other_id=c1.pk)
    # when
    shorter = form_assemble(test="A1", kind="practice", day=DAY, seed=1)
    # then
    codes = _codes(shorter)
    assert len(codes) < 24
    assert not {"P-C0", "P-C1"} <= codes


def test_no_practice_items_no_practice_form(db: Any, make_version: MakeVersion) -> None:
    """A bank of live exam items only gives no practice form: code ``empty``, and
    nothing is stored."""
    # given
    synthetic_bank(count=120)
    # when
    with pytest.raises(ItemBankError) as refused:
        form_assemble(test="A1", kind="practice", day=DAY, seed=1)
    # then
    assert refused.value.code == "empty"
    assert "no practice items" in str(refused.value.message)
    assert not Form.objects.exists()


def test_practice_counts_follow_the_blueprint_as_far_as_the_pool_allows() -> None:
    """Full counts when every area has enough; otherwise the largest total that
    fits, in proportion; areas without items drop out; an empty pool gives none."""
    assert practice_area_counts(A1_COUNTS, dict.fromkeys(A1_COUNTS, 50)) == A1_COUNTS
    assert practice_area_counts(
        A1_COUNTS, {"A": 10, "B": 3, "C": 2, "D": 4, "E": 5}
    ) == {
        "A": 10,
        "B": 3,
        "C": 2,
        "D": 4,
        "E": 5,
    }
    # area C has one item: 15 is the largest total whose share for C is one
    short_c = practice_area_counts(A1_COUNTS, {"A": 30, "B": 9, "C": 1, "D": 9, "E": 9})
    assert short_c == {"A": 6, "B": 2, "C": 1, "D": 3, "E": 3}
    assert practice_area_counts(A1_COUNTS, {"A": 2}) == {"A": 2}
    assert practice_area_counts(A1_COUNTS, {}) == {}
    assert practice_area_counts(A1_COUNTS, dict.fromkeys(A1_COUNTS, 50), at_most=9) == {
        "A": 4,
        "B": 1,
        "C": 1,
        "D": 1,
        "E": 2,
    }
