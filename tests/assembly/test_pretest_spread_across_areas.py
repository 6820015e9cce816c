"""Pretest items spread over the areas in proportion to the blueprint where possible."""

from collections import Counter

from certwright.assembly import FormSpec, assemble
from tests.assembly.pools import A1_AREAS, synthetic_pool

from .pools import op, pt


def test_pretest_items_follow_the_blueprint_shares():
    """10 pretest slots on the A1 blueprint (15/10/10/8/7) go 3/2/2/2/1."""
    # given
    pool = synthetic_pool(2000, seed=8)
    by_id = {i.id: i for i in pool}
    # when
    form = assemble(pool, FormSpec(A1_AREAS, pretest=10, seed=2))
    # then
    assert Counter(by_id[i].area for i in form.pretest) == {
        "A": 3,
        "B": 2,
        "C": 2,
        "D": 2,
        "E": 1,
    }


def test_spread_beats_freshness():
    """A used pretest item of an unrepresented area beats a fresh one of a full area."""
    # given: A's share is 1 and B's 1; B's only pretest item is on one form already
    pool = [op(1, "A"), op(2, "B")]
    pool += [pt(3, "A"), pt(4, "A"), pt(5, "B", exposure=1)]
    # when
    form = assemble(pool, FormSpec({"A": 1, "B": 1}, pretest=2))
    # then
    assert 5 in form.pretest


def test_an_area_without_pretest_items_does_not_block_the_form():
    """The spread is soft: with pretest items in one area only, they fill every slot."""
    # given
    pool = [op(1, "A"), op(2, "B")] + [pt(i, "A") for i in range(3, 8)]
    # when
    form = assemble(pool, FormSpec({"A": 1, "B": 1}, pretest=4))
    # then
    assert len(form.pretest) == 4
