"""Recertification counts scale the blueprint to the shorter length by largest
remainder: they sum to the total, follow the proportions, keep every area."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certwright.assembly import recert_area_counts


def test_a1_recert_from_the_2026_blueprint():
    """A1 (45 scored: 18/6/4/8/9) scales to 25: the leftover item goes to D (4.44)."""
    # given
    blueprint = {"A": 18, "B": 6, "C": 4, "D": 8, "E": 9}
    # when
    counts = recert_area_counts(blueprint, 25)
    # then
    assert counts == {"A": 10, "B": 3, "C": 2, "D": 5, "E": 5}


def test_a1_recert_from_the_older_blueprint_breaks_ties_by_size():
    """A (7.5) and E (3.5) tie on remainder; the larger blueprint area gets the item."""
    # given
    blueprint = {"A": 15, "B": 10, "C": 10, "D": 8, "E": 7}
    # when
    counts = recert_area_counts(blueprint, 25)
    # then
    assert counts == {"A": 8, "B": 5, "C": 5, "D": 4, "E": 3}


def test_a_small_area_keeps_one_item():
    """An area whose share rounds to nothing keeps one; the others share the rest."""
    # given: C's share of 10 is 0.2
    blueprint = {"A": 30, "B": 18, "C": 1, "D": 0}
    # when
    counts = recert_area_counts(blueprint, 10)
    # then
    assert counts == {"A": 6, "B": 3, "C": 1, "D": 0}


def test_too_short_a_form_leaves_the_smallest_areas_out():
    """With fewer items than areas, the largest shares get them."""
    # when
    counts = recert_area_counts({"A": 5, "B": 20, "C": 10}, 2)
    # then
    assert counts == {"A": 0, "B": 1, "C": 1}


@pytest.mark.parametrize(
    ("counts", "total", "message"),
    [
        ({"A": -1}, 5, "area A must have a whole number of items of at least 0"),
        ({"A": 2}, -1, "the total must be a whole number of at least 0"),
        ({"A": 0, "B": 0}, 3, "cannot share 3 items over areas that have no items"),
        ({"": 3}, 2, "an area code must be a non-empty string"),
    ],
)
def test_bad_counts_are_refused(counts, total, message):
    """Negative counts or totals, and nothing to scale, raise a clear ValueError."""
    # when / then
    with pytest.raises(ValueError, match=message):
        recert_area_counts(counts, total)


blueprints = st.dictionaries(
    st.sampled_from("ABCDEFGH"), st.integers(0, 40), min_size=1
).filter(lambda d: sum(d.values()) > 0)


@given(blueprints, st.integers(0, 80))
def test_counts_sum_to_the_total_and_follow_the_proportions(blueprint, total):
    """Any blueprint and total: the sum is exact, every area with items keeps one when
    the total allows, and otherwise each area is within one of its exact share."""
    # when
    counts = recert_area_counts(blueprint, total)
    # then
    assert list(counts) == list(blueprint)
    assert sum(counts.values()) == total
    whole = sum(blueprint.values())
    quota = {a: Fraction(total * n, whole) for a, n in blueprint.items()}
    with_items = [a for a, n in blueprint.items() if n > 0]
    assert all(counts[a] == 0 for a, n in blueprint.items() if n == 0)
    if total >= len(with_items):
        assert all(counts[a] >= 1 for a in with_items)
    if all(quota[a] >= 1 for a in with_items) or total < len(with_items):
        # No area was lifted to one: the quota rule holds exactly.
        for a in blueprint:
            assert math.floor(quota[a]) <= counts[a] <= math.ceil(quota[a])
