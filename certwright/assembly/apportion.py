"""Scaling a blueprint's content-area counts to another form length.

A recertification form is shorter than the initial one (ASE A1: 25 questions in 30
minutes instead of 50 or 45 scored), but it samples the same content areas. Its area
counts are the blueprint's, scaled to the shorter length by largest-remainder
(Hamilton) apportionment. The same rule spreads a form's pretest items over the areas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction


def recert_area_counts(area_counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Scale blueprint counts to ``total`` items, keeping the blueprint's proportions.

    Largest remainder: each area first gets the whole part of its exact share
    ``total * count / sum(counts)``, and the seats left over go to the largest
    fractional parts (ties: the larger blueprint count, then blueprint order). Every
    area keeps at least one item when ``total`` is at least the number of areas with
    items: such an area is given one item and the rest are apportioned again among
    the others. Areas with no items get none. The result has the input's keys in its
    order and sums to ``total``.

    >>> recert_area_counts({"A": 18, "B": 6, "C": 4, "D": 8, "E": 9}, 25)
    {'A': 10, 'B': 3, 'C': 2, 'D': 5, 'E': 5}

    Raises ``ValueError`` for a negative count or total, or a positive total over
    areas that have no items.
    """
    counts = checked_counts(area_counts)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(
            f"the total must be a whole number of at least 0, not {total!r}"
        )
    with_items = [area for area, count in counts.items() if count > 0]
    if total > 0 and not with_items:
        raise ValueError(f"cannot share {total} items over areas that have no items")
    result = dict.fromkeys(counts, 0)
    # Areas forced to one item because their share rounded to none.
    floor_one: set[str] = set()
    if total >= len(with_items):
        while True:
            rest = {a: counts[a] for a in with_items if a not in floor_one}
            shares = _largest_remainder(rest, total - len(floor_one))
            starved = {a for a, n in shares.items() if n == 0}
            if not starved:
                break
            floor_one |= starved
        result.update(shares)
        result.update(dict.fromkeys(floor_one, 1))
    else:
        result.update(_largest_remainder({a: counts[a] for a in with_items}, total))
    return result


def _largest_remainder(counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Hamilton apportionment of ``total`` seats to positive ``counts``."""
    if not counts:
        return {}
    whole = sum(counts.values())
    quotas = {area: Fraction(total * count, whole) for area, count in counts.items()}
    seats = {area: math.floor(q) for area, q in quotas.items()}
    order = list(counts)
    by_remainder = sorted(
        order,
        key=lambda a: (-(quotas[a] - seats[a]), -counts[a], order.index(a)),
    )
    for area in by_remainder[: total - sum(seats.values())]:
        seats[area] += 1
    return seats


def checked_counts(area_counts: Mapping[str, int]) -> dict[str, int]:
    """A plain copy of blueprint counts, or ``ValueError`` naming the bad entry."""
    counts: dict[str, int] = {}
    for area, count in area_counts.items():
        if not isinstance(area, str) or not area:
            raise ValueError(f"an area code must be a non-empty string, not {area!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(
                f"area {area} must have a whole number of items of at least 0, "
                f"not {count!r}"
            )
        counts[area] = count
    return counts
