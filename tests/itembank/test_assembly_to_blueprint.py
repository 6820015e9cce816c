"""An assembled form follows the blueprint in force: its scored items per content
area, its pretest items, enemies never together, and a seeded order."""

from __future__ import annotations

from collections import Counter
from typing import Any

from certwright.audit.models import Event, EventKind
from certwright.core.program import current_program
from certwright.itembank.form_building import form_assemble
from certwright.itembank.models import FormItem, ItemEnemy, ItemStatus
from tests.support.itembank import DAY, synthetic_bank


def test_an_initial_form_meets_the_blueprint(db: Any) -> None:
    """A1 (2026): 45 scored items as A18 B6 C4 D8 E9, plus 10 pretest items, scored
    ones operational and unscored ones pretest, no enemy pair on the form."""
    # given
    synthetic_bank(count=240)
    blueprint = current_program().tests["A1"].blueprint_on(DAY)
    assert blueprint is not None
    # when
    form = form_assemble(test="A1", kind="initial", day=DAY, seed=3, actor="cli")
    # then
    rows = list(FormItem.objects.filter(form=form).select_related("item_version"))
    scored = Counter(r.area for r in rows if r.scored)
    assert scored == {a.code: a.questions for a in blueprint.areas}
    assert sum(1 for r in rows if not r.scored) == blueprint.unscored == 10
    assert all(
        r.item_version.status
        == (ItemStatus.OPERATIONAL if r.scored else ItemStatus.PRETEST)
        for r in rows
    )
    assert all(r.area == r.item_version.area for r in rows)
    on_form = {r.item_version.item_id for r in rows}
    assert len(on_form) == len(rows)
    assert not ItemEnemy.objects.filter(a_id__in=on_form, b_id__in=on_form).exists()
    assert sorted(r.position for r in rows) == list(range(1, 56))
    assert (form.status, form.minutes, form.blueprint_effective) == (
        "draft",
        blueprint.minutes,
        blueprint.effective,
    )
    assert Event.objects.filter(kind=EventKind.FORM_ASSEMBLED).count() == 1


def test_the_seed_decides_the_order(db: Any) -> None:
    """The same seed gives the same form in the same order; another seed another
    order (pretest items are not all at the end)."""
    # given
    synthetic_bank(count=240)
    # when
    forms = [form_assemble(test="A1", day=DAY, seed=s) for s in (5, 5, 6)]
    # then
    orders = [
        list(f.items.order_by("position").values_list("item_version_id", "scored"))
        for f in forms
    ]
    assert orders[0] == orders[1]
    assert orders[0] != orders[2]
    flags = [scored for _vid, scored in orders[0]]
    assert flags != sorted(flags, reverse=True)
