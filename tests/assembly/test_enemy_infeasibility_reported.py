"""When counts suffice but enemies keep the form from being filled, the error says so
and names the enemy pairs involved."""

import pytest

from certwright.assembly import AssemblyInfeasible, FormSpec, assemble

from .pools import op, pt

PREFIX = "Cannot assemble the form without putting enemy items together: "


def test_enemies_within_one_area():
    """An area whose usable items are mostly enemies is named with the pairs."""
    # given: B has 4 items in two enemy pairs and needs 3
    pool = [op(1, "A"), op(2, "A"), op(3, "B", [4]), op(4, "B"), op(5, "B", [6])]
    pool += [op(6, "B")]
    # when
    with pytest.raises(AssemblyInfeasible) as caught:
        assemble(pool, FormSpec({"A": 2, "B": 3}, pretest=0))
    # then
    assert str(caught.value) == PREFIX + (
        "area B needs 3 operational items and has 4 usable, but enemies among them "
        "allow at most 2 on one form (enemy pairs 3–4, 5–6)."
    )
    assert caught.value.enemy_pairs == ((3, 4), (5, 6))
    assert caught.value.shortages == {}


def test_enemies_between_an_area_and_the_pretest_slots():
    """Two groups that each fill alone but not together are named as a pair."""
    # given: the only pretest item is an enemy of one of A's two items
    pool = [op(1, "A"), op(2, "A"), op(3, "B"), pt(4, "B", [2])]
    # when
    with pytest.raises(AssemblyInfeasible) as caught:
        assemble(pool, FormSpec({"A": 2, "B": 1}, pretest=1))
    # then
    assert str(caught.value) == PREFIX + (
        "area A and pretest cannot be filled together (enemy pairs between them 2–4)."
    )
    assert caught.value.enemy_pairs == ((2, 4),)


def test_enemies_spanning_three_areas():
    """A conflict only the three areas together have lists the pairs across areas."""
    # given: one item from each of A, B, C; every choice meets an enemy somewhere
    pool = [op(1, "A", [3, 5]), op(2, "A", [4, 6]), op(3, "B", [5]), op(4, "B", [6])]
    pool += [op(5, "C"), op(6, "C")]
    # when
    with pytest.raises(AssemblyInfeasible) as caught:
        assemble(pool, FormSpec({"A": 1, "B": 1, "C": 1}, pretest=0))
    # then
    assert "each area can be filled alone but not all at once" in str(caught.value)
    assert caught.value.enemy_pairs == ((1, 3), (1, 5), (2, 4), (2, 6), (3, 5), (4, 6))


def test_enemies_of_unusable_items_do_not_count():
    """An enemy over the exposure limit is off the form anyway and blocks nothing."""
    # given: 2 and 3 are enemies, but 3 is over the limit and A needs 1, 2 and 4
    pool = [op(1, "A"), op(2, "A", [3]), op(3, "A", exposure=5), op(4, "A")]
    # when
    form = assemble(pool, FormSpec({"A": 3}, pretest=0, max_exposure=2))
    # then
    assert form.scored == (1, 2, 4)
