"""A pool that lacks items for an area is reported in plain words, with the numbers."""

import pytest

from certwright.assembly import AssemblyInfeasible, FormSpec, assemble

from .pools import op, pt


def test_area_short_of_items_over_the_exposure_limit():
    """The message names the area, its need, what is usable and why the rest is not."""
    # given: area B has 6 operational items, 2 of them on 3 live forms already
    pool = [op(i, "A") for i in range(1, 11)]
    pool += [op(i, "B", exposure=3 if i > 14 else 0) for i in range(11, 17)]
    spec = FormSpec({"A": 5, "B": 6}, pretest=0, max_exposure=3)
    # when
    with pytest.raises(AssemblyInfeasible) as caught:
        assemble(pool, spec)
    # then
    assert str(caught.value) == (
        "Cannot assemble the form: area B needs 6 operational items, "
        "only 4 usable (2 over the exposure limit)."
    )
    assert caught.value.shortages == {"B": (6, 4)}
    assert caught.value.pretest_shortage is None
    assert caught.value.enemy_pairs == ()


def test_every_short_area_and_the_pretest_slots_are_named():
    """Each lacking area is named with its own counts and reasons, and pretest too."""
    # given
    pool = [op(1, "A"), op(2, "A", exposure=3), op(3, "B", exposure=5), op(4, "B")]
    pool += [pt(5, "A"), pt(6, "B", exposure=3)]
    spec = FormSpec(
        {"A": 2, "B": 2, "C": 1}, pretest=3, max_exposure=3, exclude=frozenset({4})
    )
    # when
    with pytest.raises(AssemblyInfeasible) as caught:
        assemble(pool, spec)
    # then
    message = str(caught.value)
    assert (
        "area A needs 2 operational items, only 1 usable (1 over the exposure limit)"
        in message
    )
    assert (
        "area B needs 2 operational items, only 0 usable "
        "(1 over the exposure limit, 1 excluded)"
    ) in message
    assert "area C needs 1 operational item, the pool has none" in message
    assert (
        "pretest needs 3 pretest items, only 1 usable (1 over the exposure limit)"
        in message
    )
    assert caught.value.shortages == {"A": (2, 1), "B": (2, 0), "C": (1, 0)}
    assert caught.value.pretest_shortage == (3, 1)


def test_infeasible_is_a_value_error():
    """Callers that catch ValueError for bad requests catch an infeasible spec too."""
    # given
    pool = [op(1, "A")]
    # when / then
    with pytest.raises(
        ValueError, match="area A needs 2 operational items, only 1 usable"
    ):
        assemble(pool, FormSpec({"A": 2}, pretest=0))
