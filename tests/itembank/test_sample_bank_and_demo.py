"""The sample bank loads as reviewed operational/pretest versions covering every
content area of A1-A8, plus 24 A1 practice items in the blueprint's proportions,
and `demo load` publishes initial and recert forms of A1 to A8 from it (exam items
only) and can make an A1 practice form (practice items only); loading again changes
nothing."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from certwright.assembly import recert_area_counts
from certwright.core.program import current_program
from certwright.itembank.demo import demo_load, sample_bank_dir
from certwright.itembank.form_building import form_assemble
from certwright.itembank.item_files import read_path
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from tests.support.itembank import DAY


def test_the_sample_files_cover_every_area(db: Any) -> None:
    """At least 12 items per test A1-A8, every content area of the blueprint in
    force with at least one operational item."""
    # given
    program = current_program()
    # when
    items_of: dict[str, list[Any]] = {}
    for bundle in read_path(sample_bank_dir()):
        items_of.setdefault(bundle.test, []).extend(
            i for i in bundle.items if i.pool == ItemPool.EXAM
        )
    # then
    for test in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"):
        blueprint = program.tests[test].blueprint_on(DAY)
        assert blueprint is not None
        items = items_of[test]
        assert len(items) >= 12, test
        operational = Counter(i.area for i in items if i.status == "operational")
        assert {a.code for a in blueprint.areas} <= set(operational), test


def test_demo_load_imports_and_publishes_once(db: Any) -> None:
    """The first load stores the bank reviewed by "system" and publishes initial
    and recert forms of A1 to A8; the second adds nothing."""
    # when
    first = demo_load()
    versions = ItemVersion.objects.count()
    second = demo_load()
    # then
    assert first.problems == []
    assert first.imported is not None
    assert len(first.imported.created) == versions >= 12 * 8
    assert ItemVersion.objects.exclude(reviewed_by_label="system").count() == 0
    assert set(ItemVersion.objects.values_list("status", flat=True)) <= {
        ItemStatus.OPERATIONAL,
        ItemStatus.PRETEST,
    }
    assert sorted(first.forms_published) == sorted(
        f"A{n} {kind} form 1" for n in range(1, 9) for kind in ("initial", "recert")
    )
    assert second.imported is not None
    assert second.imported.changed == 0
    assert second.forms_published == []
    assert Form.objects.count() == 16
    # the exam forms hold exam items only
    assert not FormItem.objects.filter(item_version__item__pool="practice").exists()


def test_the_a1_practice_items(db: Any) -> None:
    """A1-practice.json: 24 operational practice items A1-P01 to A1-P24, areas in
    the 2026 blueprint's proportions, each key used six times, a task and a
    rationale of one to three sentences each, and no stem or task-and-key shared
    with the exam items."""
    # given
    blueprint = current_program().tests["A1"].blueprint_on(DAY)
    assert blueprint is not None
    # when
    (practice,) = read_path(sample_bank_dir() / "A1-practice.json")
    (exam,) = read_path(sample_bank_dir() / "A1.json")
    items = practice.items
    # then
    assert [i.code for i in items] == [f"A1-P{n:02d}" for n in range(1, 25)]
    assert {(i.pool, i.status) for i in items} == {("practice", "operational")}
    wanted = recert_area_counts({a.code: a.questions or 0 for a in blueprint.areas}, 24)
    assert Counter(i.area for i in items) == wanted
    assert Counter(i.key for i in items) == dict.fromkeys("ABCD", 6)
    for item in items:
        assert item.task
        assert item.stem.strip()
        assert len(set(item.options)) == 4
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", item.rationale)) <= 3, item.code
    assert not {i.stem for i in items} & {i.stem for i in exam.items}


def test_the_demo_practice_form_holds_the_practice_items(db: Any) -> None:
    """After `demo load`, an A1 practice form takes all 24 practice items (the
    pool is in the blueprint's proportions) and no exam item."""
    # given
    demo_load()
    # when
    form = form_assemble(test="A1", kind=FormKind.PRACTICE, day=DAY, seed=7)
    # then
    rows = list(form.items.select_related("item_version__item"))
    assert len(rows) == 24
    assert {r.item_version.item.pool for r in rows} == {ItemPool.PRACTICE}
    assert form.assembly["blueprint_scored"] == 45
