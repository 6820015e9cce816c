"""Bad pools and specs raise a ValueError that says what is wrong, before solving."""

import pytest

from certwright.assembly import FormSpec, PoolItem, assemble

from .pools import op, pt


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "scored"}, "item 1: the role must be 'operational' or 'pretest'"),
        ({"exposure": -1}, "item 1: the exposure must be a whole number"),
        ({"area": ""}, "item 1: the area must be a non-empty string"),
        ({"enemies": frozenset({1})}, "item 1 names itself as an enemy"),
        ({"enemies": frozenset({"2"})}, "item 1: enemy ids must be integers"),
        ({"difficulty": float("nan")}, "item 1: a difficulty must be finite"),
        ({"id": "1"}, "an item id must be an integer"),
    ],
)
def test_bad_items_are_refused(kwargs, message):
    """An unknown role, a negative exposure, no area, a self-enemy, a NaN fail."""
    # given
    fields = {"id": 1, "area": "A", "role": "pretest"} | kwargs
    # when / then
    with pytest.raises(ValueError, match=message):
        PoolItem(**fields)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"area_counts": {"A": -2}}, "area A must have a whole number of items"),
        ({"area_counts": {"A": 2}, "pretest": -1}, "the pretest count must be"),
        ({"area_counts": {"A": 0}, "pretest": 0}, "the form asks for no items"),
        ({"area_counts": {"A": 2}, "max_exposure": 0}, "max_exposure must be"),
        ({"area_counts": {"A": 2}, "time_limit": 0}, "the time limit must be positive"),
        ({"area_counts": {"A": 2}, "target_difficulty": float("inf")}, "finite"),
        ({"area_counts": {"A": 2}, "exclude": frozenset({"x"})}, "excluded ids must"),
    ],
)
def test_bad_specs_are_refused(kwargs, message):
    """Negative counts, an empty form, a limit under one or a non-finite target fail."""
    # when / then
    with pytest.raises(ValueError, match=message):
        FormSpec(**kwargs)


def test_duplicate_ids_are_refused():
    """Two pool items with one id make the pool ambiguous: refused."""
    # given
    pool = [op(1, "A"), pt(1, "B")]
    # when / then
    with pytest.raises(ValueError, match="item id 1 appears twice in the pool"):
        assemble(pool, FormSpec({"A": 1}, pretest=1))


def test_enemies_naming_unknown_items_are_refused():
    """An enemy id that is not in the pool is a caller's mistake, named in the error."""
    # given
    pool = [op(1, "A", [7, 9]), op(2, "A")]
    # when / then
    with pytest.raises(
        ValueError, match="item 1 names enemies that are not in the pool: 7, 9"
    ):
        assemble(pool, FormSpec({"A": 1}, pretest=0))


def test_the_spec_keeps_its_own_copy_of_the_counts():
    """Changing the caller's dict after making the spec changes nothing."""
    # given
    counts = {"A": 1}
    spec = FormSpec(counts, pretest=0)
    # when
    counts["A"] = 5
    # then
    assert spec.area_counts == {"A": 1}
