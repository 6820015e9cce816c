"""What form assembly takes and gives: pool items, the form's spec, the result, errors.

Every value checks itself when it is made, so bad input fails with a ``ValueError``
that says what is wrong before any solving starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from certwright.assembly.apportion import checked_counts

Role = Literal["operational", "pretest"]
ROLES: tuple[Role, ...] = ("operational", "pretest")


@dataclass(frozen=True, slots=True)
class PoolItem:
    """An item that may go on the form.

    ``role`` says which slot it can fill: an operational item a scored slot of its
    content area, a pretest item an unscored slot. ``exposure`` counts the live forms
    already using it. ``enemies`` are ids of pool items that must never sit on one
    form with it (either side may name the pair). ``difficulty`` is the IRT b of a
    calibrated item.
    """

    id: int
    area: str
    role: Role
    exposure: int = 0
    enemies: frozenset[int] = frozenset()
    difficulty: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int):
            raise ValueError(f"an item id must be an integer, not {self.id!r}")
        if not isinstance(self.area, str) or not self.area:
            raise ValueError(f"item {self.id}: the area must be a non-empty string")
        if self.role not in ROLES:
            raise ValueError(
                f"item {self.id}: the role must be 'operational' or 'pretest', "
                f"not {self.role!r}"
            )
        if _not_count(self.exposure):
            raise ValueError(
                f"item {self.id}: the exposure must be a whole number of at least 0, "
                f"not {self.exposure!r}"
            )
        enemies = frozenset(self.enemies)
        for other in enemies:
            if isinstance(other, bool) or not isinstance(other, int):
                raise ValueError(f"item {self.id}: enemy ids must be integers")
        if self.id in enemies:
            raise ValueError(f"item {self.id} names itself as an enemy")
        object.__setattr__(self, "enemies", enemies)
        if self.difficulty is not None:
            object.__setattr__(
                self, "difficulty", _finite(self.difficulty, f"item {self.id}")
            )


@dataclass(frozen=True, slots=True)
class FormSpec:
    """What the form must hold.

    ``area_counts``: scored (operational) items per content area, in blueprint
    order. ``pretest``: unscored pretest items, spread over the areas in proportion
    to the blueprint where the pool allows. ``max_exposure``: an item may sit on at
    most this many live forms, this one included. ``exclude``: ids never to use.
    ``seed``: the random tie-break among equally good items, so successive forms
    from one pool differ (the same seed and pool give the same form).
    ``target_difficulty``: the wanted mean IRT b of the scored items.
    ``time_limit``: seconds the solver may take.
    """

    area_counts: Mapping[str, int]
    pretest: int = 10
    max_exposure: int | None = None
    exclude: frozenset[int] = frozenset()
    seed: int = 0
    target_difficulty: float | None = None
    time_limit: float = 5.0

    def __post_init__(self) -> None:
        counts = checked_counts(self.area_counts)
        object.__setattr__(self, "area_counts", MappingProxyType(counts))
        if _not_count(self.pretest):
            raise ValueError(
                "the pretest count must be a whole number of at least 0, "
                f"not {self.pretest!r}"
            )
        if sum(counts.values()) + self.pretest == 0:
            raise ValueError("the form asks for no items")
        if self.max_exposure is not None and (
            _not_count(self.max_exposure) or self.max_exposure < 1
        ):
            raise ValueError(
                "max_exposure must be a whole number of at least 1 (this form "
                f"counts), not {self.max_exposure!r}"
            )
        object.__setattr__(self, "exclude", frozenset(_ids(self.exclude)))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"the seed must be an integer, not {self.seed!r}")
        if self.target_difficulty is not None:
            object.__setattr__(
                self,
                "target_difficulty",
                _finite(self.target_difficulty, "the target difficulty"),
            )
        limit = self.time_limit
        if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
            raise ValueError(f"the time limit must be positive seconds, not {limit!r}")
        if not math.isfinite(limit):
            raise ValueError("the time limit must be finite")


@dataclass(frozen=True, slots=True)
class Assembly:
    """An assembled form.

    ``scored`` lists the operational item ids grouped by area in blueprint order,
    ascending within an area; ``pretest`` the pretest ids, ascending (the caller
    places them on the form). ``objective`` is the solver's objective value and
    ``seconds`` the wall time of ``assemble``. ``optimal`` is True when the form is
    proven best in all but the random tie-break, False when the time limit stopped
    the solver with a valid form not proven best.
    """

    scored: tuple[int, ...]
    pretest: tuple[int, ...]
    objective: float
    seconds: float
    optimal: bool = True


class AssemblyError(Exception):
    """The form could not be assembled."""


class AssemblyInfeasible(AssemblyError, ValueError):
    """No form meets the spec with this pool; the message says why in plain words.

    ``shortages`` maps each area that lacks usable operational items to
    ``(needed, usable)``; ``pretest_shortage`` is ``(needed, usable)`` for pretest
    items, or None. When the counts suffice but enemies keep the form from being
    filled, ``enemy_pairs`` holds the enemy pairs involved (smaller id first).
    """

    def __init__(
        self,
        message: str,
        *,
        shortages: Mapping[str, tuple[int, int]] | None = None,
        pretest_shortage: tuple[int, int] | None = None,
        enemy_pairs: Iterable[tuple[int, int]] = (),
    ) -> None:
        super().__init__(message)
        self.shortages: dict[str, tuple[int, int]] = dict(shortages or {})
        self.pretest_shortage = pretest_shortage
        self.enemy_pairs: tuple[tuple[int, int], ...] = tuple(sorted(enemy_pairs))


class AssemblyTimeout(AssemblyError, TimeoutError):
    """The time limit passed before the solver found any form meeting the spec."""


def _not_count(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int) or value < 0


def _finite(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what}: a difficulty must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what}: a difficulty must be finite, not {value!r}")
    return float(value)


def _ids(values: Iterable[object]) -> Iterable[int]:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"excluded ids must be integers, not {value!r}")
        yield value
