"""The sample bank ships original renewal items, ``<TEST>-renewal.json``, for each of
A1 to A8: every file reads cleanly against the program, holds at least 24
operational renewal items coded ``<TEST>-Rnn`` with four distinct options, a task
and a rationale, spread over every content area of the blueprint in force in its
proportions (at least two per area), each key letter used equally (within one),
enemies named both ways, and no stem shared with the test's exam or practice items.
`demo load` imports them (the whole sample folder is read, so a new file loads by
being there) and they are offered for renewal, never on a form."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from certwright.assembly import recert_area_counts
from certwright.core.program import current_program
from certwright.itembank.demo import DEMO_TESTS, demo_load, sample_bank_dir
from certwright.itembank.item_files import read_path
from certwright.itembank.models import FormItem, ItemPool
from certwright.itembank.selectors import renewal_pool
from certwright.itemformats import ItemBundle
from tests.support.itembank import DAY

MIN_ITEMS = 24
MIN_PER_AREA = 2
DATA = Path(__file__).parents[2] / "certwright/itembank/data/ase"
SHIPPED = sorted(DATA.glob("A?-renewal.json"))


def _read(path: Path) -> ItemBundle:
    (bundle,) = read_path(path)
    return bundle


def test_every_test_a1_to_a8_has_a_renewal_file() -> None:
    """A1-renewal.json to A8-renewal.json are all shipped."""
    assert [p.name for p in SHIPPED] == [f"{t}-renewal.json" for t in DEMO_TESTS]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_renewal_file_is_complete_and_balanced(db: Any, path: Path) -> None:
    """The file's items are valid renewal items covering the blueprint in its
    proportions with balanced keys (see the module docstring)."""
    # given
    test = path.name.removesuffix("-renewal.json")
    blueprint = current_program().tests[test].blueprint_on(DAY)
    assert blueprint is not None
    others = [
        b
        for name in (f"{test}.json", f"{test}-practice.json")
        if (DATA / name).exists()
        for b in read_path(DATA / name)
    ]
    # when
    bundle = _read(path)
    items = bundle.items
    # then
    assert bundle.test == test
    assert len(items) >= MIN_ITEMS
    assert {(i.pool, i.status) for i in items} == {(ItemPool.RENEWAL, "operational")}
    codes = [i.code for i in items]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(rf"{test}-R\d{{2,}}", c) for c in codes), codes
    areas = Counter(i.area for i in items)
    share = recert_area_counts(
        {a.code: a.questions or 0 for a in blueprint.areas}, len(items)
    )
    assert set(areas) == set(share)
    for area, wanted in share.items():
        assert areas[area] >= MIN_PER_AREA, area
        assert abs(areas[area] - wanted) <= 1, (area, areas[area], wanted)
    keys = Counter(i.key for i in items)
    assert set(keys) == set("ABCD")
    assert max(keys.values()) - min(keys.values()) <= 1, keys
    for item in items:
        assert item.task.strip(), item.code
        assert item.rationale.strip(), item.code
        assert len({o.strip().casefold() for o in item.options}) == 4, item.code
    stems = [i.stem for i in items]
    assert len(set(stems)) == len(stems)
    assert not set(stems) & {i.stem for b in others for i in b.items}
    enemies = {i.code: set(i.enemies) for i in items}
    for code, named in enemies.items():
        for other in named:
            assert code in enemies.get(other, set()), (code, other)


def test_demo_load_offers_the_renewal_items_and_puts_none_on_a_form(db: Any) -> None:
    """After `demo load`, each test with a renewal file has all its items in the
    renewal pool, every content area of its blueprint among them, and no form holds
    a renewal item."""
    # given
    shipped = {p.name.removesuffix("-renewal.json"): _read(p) for p in SHIPPED}
    assert {"A1", "A2", "A3", "A4"} <= set(shipped)
    assert sample_bank_dir() == DATA
    # when
    report = demo_load()
    pool = renewal_pool(shipped)
    # then
    assert report.problems == []
    for test, bundle in shipped.items():
        blueprint = current_program().tests[test].blueprint_on(DAY)
        assert blueprint is not None
        assert len(pool[test]) == len(bundle.items) >= MIN_ITEMS
        assert {p.area for p in pool[test]} == {a.code for a in blueprint.areas}
    assert FormItem.objects.exists()
    assert not FormItem.objects.filter(
        item_version__item__pool=ItemPool.RENEWAL
    ).exists()
