"""A seeded synthetic item pool, for tests and benchmarks of form assembly."""

from __future__ import annotations

import random
from collections.abc import Mapping

from certwright.assembly.apportion import recert_area_counts
from certwright.assembly.model import PoolItem, Role

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
