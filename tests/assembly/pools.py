"""Small pools and checks shared by the form assembly tests."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence

from certwright.assembly import Assembly, FormSpec, PoolItem


def op(item_id: int, area: str, enemies: Iterable[int] = (), **kw) -> PoolItem:
    """An operational item."""
    return PoolItem(item_id, area, "operational", enemies=frozenset(enemies), **kw)


def pt(item_id: int, area: str, enemies: Iterable[int] = (), **kw) -> PoolItem:
    """A pretest item."""
    return PoolItem(item_id, area, "pretest", enemies=frozenset(enemies), **kw)


def usable(item: PoolItem, spec: FormSpec) -> bool:
    limit = spec.max_exposure
    over = limit is not None and item.exposure + 1 > limit
    return item.id not in spec.exclude and not over


def enemies_together(
    pool: Sequence[PoolItem], ids: Iterable[int]
) -> set[tuple[int, int]]:
    """The enemy pairs (smaller id first) both of whose items are in ``ids``."""
    chosen = set(ids)
    return {
        (min(i.id, e), max(i.id, e))
        for i in pool
        if i.id in chosen
        for e in i.enemies
        if e in chosen
    }


def form_problems(
    pool: Sequence[PoolItem], spec: FormSpec, form: Assembly
) -> list[str]:
    """Every way ``form`` breaks ``spec`` (empty: it is a valid form)."""
    by_id = {i.id: i for i in pool}
    problems = []
    ids = [*form.scored, *form.pretest]
    if len(set(ids)) != len(ids):
        problems.append("an item is on the form twice")
    scored = [by_id[i] for i in form.scored]
    if any(i.role != "operational" for i in scored):
        problems.append("a scored slot holds a pretest item")
    if any(by_id[i].role != "pretest" for i in form.pretest):
        problems.append("a pretest slot holds an operational item")
    per_area = Counter(i.area for i in scored)
    wanted = {a: n for a, n in spec.area_counts.items() if n}
    if dict(per_area) != wanted:
        problems.append(f"area counts {dict(per_area)} != {wanted}")
    if len(form.pretest) != spec.pretest:
        problems.append(f"{len(form.pretest)} pretest items, not {spec.pretest}")
    if any(not usable(by_id[i], spec) for i in ids):
        problems.append("an excluded or over-exposed item is on the form")
    if pairs := enemies_together(pool, ids):
        problems.append(f"enemies together: {sorted(pairs)}")
    return problems


def some_form_exists(pool: Sequence[PoolItem], spec: FormSpec) -> bool:
    """Exhaustive search (small pools only): is there any form meeting ``spec``?"""
    groups: list[tuple[list[PoolItem], int]] = [
        ([i for i in pool if i.role == "operational" and i.area == a], n)
        for a, n in spec.area_counts.items()
        if n
    ]
    groups.append(([i for i in pool if i.role == "pretest"], spec.pretest))
    # Either side may name a pair.
    foes: dict[int, set[int]] = {i.id: set(i.enemies) for i in pool}
    for i in pool:
        for e in i.enemies:
            foes[e].add(i.id)

    def extend(k: int, chosen: set[int]) -> bool:
        if k == len(groups):
            return True
        items, need = groups[k]
        candidates = [i for i in items if usable(i, spec) and not foes[i.id] & chosen]
        for combo in itertools.combinations(candidates, need):
            ids = {i.id for i in combo}
            if not any(foes[i] & ids for i in ids) and extend(k + 1, chosen | ids):
                return True
        return False

    return extend(0, set())
