"""Pools (small ones by hand, a seeded synthetic bank) and checks shared by the form
assembly tests and its benchmark (bench/assembly.py)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from certwright.assembly import Assembly, FormSpec, PoolItem, recert_area_counts
from certwright.assembly.model import Role

# ASE A1 before 2026: 50 scored items over five areas (plus 10 pretest).
A1_AREAS: Mapping[str, int] = {"A": 15, "B": 10, "C": 10, "D": 8, "E": 7}
# Share of items already on 0, 1, 2, … live forms.
EXPOSURE_MIX = (0.5, 0.25, 0.12, 0.08, 0.03, 0.02)


def synthetic_pool(
    size: int = 2000,
    *,
    area_counts: Mapping[str, int] = A1_AREAS,
    pretest_share: float = 0.15,
    enemy_share: float = 0.05,
    seed: int = 0,
) -> list[PoolItem]:
    """``size`` items with ids 1…size, reproducible from ``seed``.

    Items spread over the areas in proportion to the blueprint, ``pretest_share`` of
    them pretest items (uncalibrated), the others operational with an IRT b drawn
    from N(0, 1). ``enemy_share * size`` enemy pairs, four in five within one area.
    Exposure follows ``EXPOSURE_MIX`` (half the items fresh, a few on five forms).
    """
    rng = random.Random(seed)
    n_pretest = round(size * pretest_share)
    roles: list[tuple[str, Role]] = []
    kinds: tuple[tuple[int, Role], ...] = (
        (size - n_pretest, "operational"),
        (n_pretest, "pretest"),
    )
    for count, role in kinds:
        per_area = recert_area_counts(area_counts, count)
        roles += [(area, role) for area, n in per_area.items() for _ in range(n)]
    rng.shuffle(roles)
    ids = list(range(1, size + 1))
    by_area: dict[str, list[int]] = {}
    for item_id, (area, _) in zip(ids, roles, strict=True):
        by_area.setdefault(area, []).append(item_id)
    enemies: dict[int, set[int]] = {i: set() for i in ids}
    pairs = round(size * enemy_share)
    while pairs > 0:
        if rng.random() < 0.8:
            a, b = rng.sample(by_area[rng.choice(list(by_area))], 2)
        else:
            a, b = rng.sample(ids, 2)
        if b not in enemies[a]:
            enemies[a].add(b)
            enemies[b].add(a)
            pairs -= 1
    exposures = rng.choices(range(len(EXPOSURE_MIX)), weights=EXPOSURE_MIX, k=size)
    return [
        PoolItem(
            id=item_id,
            area=area,
            role=role,
            exposure=exposure,
            enemies=frozenset(enemies[item_id]),
            difficulty=round(rng.gauss(0.0, 1.0), 3) if role == "operational" else None,
        )
        for item_id, (area, role), exposure in zip(ids, roles, exposures, strict=True)
    ]


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
