"""Assembling a form as a 0-1 integer program solved by HiGHS.

One binary x_i per usable pool item. Constraints:

- for each content area, the chosen operational items of that area == its count;
- the chosen pretest items == the pretest count;
- x_i + x_j <= 1 for every enemy pair.

Items excluded, or whose ``exposure + 1`` would pass ``max_exposure``, get no variable
(they are fixed to 0). The objective, minimised:

- the sum of the chosen items' exposure (fresh items first);
- ``PRETEST_SPREAD_WEIGHT`` per pretest item above or below its area's share of the
  pretest slots (shares: the blueprint counts apportioned by largest remainder), a
  soft constraint with slack variables, so a pool short of pretest items in one area
  still yields a form;
- with a target difficulty, one unit per ``DIFFICULTY_STEP`` (0.01 logit) or part of
  one that the mean IRT b of the scored items lies beyond one step from the target,
  linearised with two integer step variables (an operational item without a
  difficulty counts as on target);
- a tie-break per item drawn from the seed and the item's id, whose sum over a whole
  form stays below ``TIE_BREAK_TOTAL``, so it only decides between otherwise equally
  good forms, and successive seeds give different ones.

Apart from the tie-break every term is a whole number, so a form is proven best in
all but the tie-break once the solver's bound is within ``MIP_ABS_GAP`` of it; the
solver stops there rather than polish a random number for seconds.

Counts are checked before solving, so "area B lacks items" is reported in plain
words; when the counts suffice and the solver proves the form infeasible, enemies
are the cause, and small sub-problems find which areas and pairs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from highspy import (
    HighsLp,
    HighsModelStatus,
    HighsVarType,
    MatrixFormat,
    kHighsInf,
    kSolutionStatusFeasible,
)

# highspy.Highs (the modelling wrapper) registers its callbacks in its constructor,
# which makes HiGHS print its banner before output can be turned off. The core class
# underneath has the same solver methods and prints nothing once output_flag is off.
from highspy._core import _Highs

from certwright.assembly.apportion import recert_area_counts
from certwright.assembly.model import (
    Assembly,
    AssemblyError,
    AssemblyInfeasible,
    AssemblyTimeout,
    FormSpec,
    PoolItem,
)

# A scored mean difficulty within this many logits of the target counts as on target;
# each further step (or part of one) weighs as much as one more use of one item. Far
# below the error of a calibrated b, the band leaves the solver many equally good
# forms instead of a knapsack to fill exactly.
DIFFICULTY_STEP = 0.01
# Objective units per pretest item above or below its area's share.
PRETEST_SPREAD_WEIGHT = 2
# The tie-breaks of a whole form sum to less than this.
TIE_BREAK_TOTAL = 0.05
# The whole-number part of the objective is optimal once the bound is this close: a
# form with a smaller whole part would be below the bound.
MIP_ABS_GAP = 1 - 2 * TIE_BREAK_TOTAL
# Enemy pairs named in a message before "and N more".
PAIRS_SHOWN = 12

_MASK = (1 << 64) - 1


def assemble(pool: Sequence[PoolItem], spec: FormSpec) -> Assembly:
    """Choose the form's items from ``pool`` to meet ``spec`` (see the module doc).

    Raises ``ValueError`` for a bad pool (duplicate ids, enemies naming items not in
    the pool), ``AssemblyInfeasible`` when no form meets the spec (saying which
    area lacks items, or which enemies are in the way), and ``AssemblyTimeout`` when
    the time limit passes before any form is found. A form found when the time
    limit stops the search comes back with ``optimal=False``; ``optimal=True``
    means proven best in all but the tie-break.
    """
    started = time.perf_counter()
    by_id = _index(pool)
    plan = _Plan.make(by_id, spec)
    shortages = [g for g in plan.groups if g.usable < g.need]
    if shortages:
        raise _shortage_error(shortages)
    model = plan.model()
    outcome = model.solve(spec.time_limit)
    if outcome.status in _INFEASIBLE and plan.pairs:
        # The counts suffice (checked above), so enemies are what is in the way.
        raise _enemy_error(plan, deadline=time.perf_counter() + spec.time_limit)
    if outcome.values is None:
        if outcome.status == HighsModelStatus.kTimeLimit:
            raise AssemblyTimeout(
                f"No form was found within the time limit of {spec.time_limit:g} s "
                f"({len(plan.columns)} usable items, {len(plan.pairs)} enemy pairs "
                "among them); allow more time or relax the spec."
            )
        raise AssemblyError(f"The solver stopped without a form: {outcome.status.name}")
    picked = set(np.flatnonzero(outcome.values[: len(plan.columns)] > 0.5).tolist())
    scored: list[int] = []
    pretest: list[int] = []
    for group in plan.groups:
        # Columns are in id order, so each group's ids come out ascending.
        ids = [plan.columns[c].id for c in group.columns if c in picked]
        (pretest if group.pretest else scored).extend(ids)
    return Assembly(
        scored=tuple(scored),
        pretest=tuple(pretest),
        objective=outcome.objective,
        seconds=time.perf_counter() - started,
        optimal=outcome.status == HighsModelStatus.kOptimal,
    )


_INFEASIBLE = (HighsModelStatus.kInfeasible, HighsModelStatus.kUnboundedOrInfeasible)


def _index(pool: Sequence[PoolItem]) -> dict[int, PoolItem]:
    by_id: dict[int, PoolItem] = {}
    for item in pool:
        if not isinstance(item, PoolItem):
            raise ValueError(f"the pool holds PoolItem values, not {item!r}")
        if item.id in by_id:
            raise ValueError(f"item id {item.id} appears twice in the pool")
        by_id[item.id] = item
    for item in by_id.values():
        unknown = sorted(e for e in item.enemies if e not in by_id)
        if unknown:
            raise ValueError(
                f"item {item.id} names enemies that are not in the pool: "
                + ", ".join(map(str, unknown[:10]))
                + (" …" if len(unknown) > 10 else "")
            )
    return by_id


@dataclass
class _Group:
    """Slots that one kind of item fills: a content area's scored slots, or pretest."""

    area: str | None  # None: the pretest slots
    need: int
    in_pool: int = 0
    excluded: int = 0
    over_exposure: int = 0
    columns: list[int] = field(default_factory=list)

    @property
    def pretest(self) -> bool:
        return self.area is None

    @property
    def label(self) -> str:
        return "pretest" if self.area is None else f"area {self.area}"

    @property
    def usable(self) -> int:
        return len(self.columns)

    @property
    def noun(self) -> str:
        kind = "pretest" if self.pretest else "operational"
        return f"{kind} item" if self.need == 1 else f"{kind} items"


@dataclass
class _Plan:
    """The usable items (the model's columns, by id), their groups and enemy pairs."""

    spec: FormSpec
    columns: list[PoolItem]
    groups: list[_Group]
    pairs: list[tuple[int, int]]  # column indices, smaller first

    @classmethod
    def make(cls, by_id: Mapping[int, PoolItem], spec: FormSpec) -> _Plan:
        area_groups = {
            area: _Group(area, need)
            for area, need in spec.area_counts.items()
            if need > 0
        }
        pretest = _Group(None, spec.pretest)
        limit = spec.max_exposure
        columns: list[PoolItem] = []
        for item in sorted(by_id.values(), key=lambda i: i.id):
            if item.role == "pretest":
                if spec.pretest == 0:
                    continue
                group = pretest
            elif item.area in area_groups:
                group = area_groups[item.area]
            else:
                continue
            group.in_pool += 1
            if item.id in spec.exclude:
                group.excluded += 1
            elif limit is not None and item.exposure + 1 > limit:
                group.over_exposure += 1
            else:
                group.columns.append(len(columns))
                columns.append(item)
        column_of = {item.id: c for c, item in enumerate(columns)}
        pairs = sorted(
            {
                (min(c, column_of[e]), max(c, column_of[e]))
                for c, item in enumerate(columns)
                for e in item.enemies
                if e in column_of
            }
        )
        groups = list(area_groups.values()) + ([pretest] if spec.pretest else [])
        return cls(spec, columns, groups, pairs)

    def ids(self, pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        return sorted((self.columns[a].id, self.columns[b].id) for a, b in pairs)

    def model(self) -> _Model:
        spec = self.spec
        slots = sum(g.need for g in self.groups)
        ties = _tie_breaks([item.id for item in self.columns], spec.seed)
        model = _Model()
        for item, tie in zip(self.columns, ties, strict=True):
            model.binary(item.exposure + TIE_BREAK_TOTAL / slots * tie)
        for group in self.groups:
            model.row(group.columns, [1.0] * group.usable, group.need, group.need)
        for a, b in self.pairs:
            model.row([a, b], [1.0, 1.0], 0.0, 1.0)
        scored = {a: n for a, n in spec.area_counts.items() if n > 0}
        pretest = next((g for g in self.groups if g.pretest), None)
        if pretest is not None and scored:
            # Soft share per area: chosen - over + under == share.
            shares = recert_area_counts(scored, pretest.need)
            for area, share in shares.items():
                cols = [c for c in pretest.columns if self.columns[c].area == area]
                over = model.slack(PRETEST_SPREAD_WEIGHT)
                under = model.slack(PRETEST_SPREAD_WEIGHT)
                model.row(
                    [*cols, over, under], [1.0] * len(cols) + [-1.0, 1.0], share, share
                )
        target = spec.target_difficulty
        total = sum(scored.values())
        if target is not None and total:
            # (mean b - target) * total = sum((b_i - target) x_i). The row keeps
            # that sum, moved by whole steps (above - below), within ±1 step: a mean
            # within one step of the target is free, each step further costs one.
            calibrated = {
                c: difficulty
                for g in self.groups
                if not g.pretest
                for c in g.columns
                if (difficulty := self.columns[c].difficulty) is not None
            }
            if calibrated:
                step = DIFFICULTY_STEP * total
                above = model.steps(1.0)
                below = model.steps(1.0)
                model.row(
                    [*calibrated, above, below],
                    [d - target for d in calibrated.values()] + [-step, step],
                    -step,
                    step,
                )
        return model


@dataclass
class _Outcome:
    status: HighsModelStatus
    objective: float
    values: np.ndarray | None  # column values, when a feasible solution exists


@dataclass
class _Model:
    """A 0-1 program built row by row, handed to HiGHS in one piece (CSR)."""

    costs: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    lower_rows: list[float] = field(default_factory=list)
    upper_rows: list[float] = field(default_factory=list)

    def binary(self, cost: float) -> int:
        return self._column(cost, 1.0, integer=True)

    def slack(self, cost: float) -> int:
        return self._column(cost, kHighsInf, integer=False)

    def steps(self, cost: float) -> int:
        return self._column(cost, kHighsInf, integer=True)

    def _column(self, cost: float, upper: float, *, integer: bool) -> int:
        self.costs.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.costs) - 1

    def row(
        self, cols: Sequence[int], values: Sequence[float], lo: float, hi: float
    ) -> None:
        self.index.extend(cols)
        self.value.extend(values)
        self.starts.append(len(self.index))
        self.lower_rows.append(lo)
        self.upper_rows.append(hi)

    def solve(self, time_limit: float) -> _Outcome:
        lp = HighsLp()
        lp.num_col_ = len(self.costs)
        lp.num_row_ = len(self.lower_rows)
        lp.col_cost_ = np.array(self.costs)
        lp.col_lower_ = np.zeros(len(self.costs))
        lp.col_upper_ = np.array(self.upper)
        lp.row_lower_ = np.array(self.lower_rows)
        lp.row_upper_ = np.array(self.upper_rows)
        lp.a_matrix_.format_ = MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.array(self.starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self.index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self.value)
        lp.integrality_ = [
            HighsVarType.kInteger if i else HighsVarType.kContinuous
            for i in self.integer
        ]
        highs = _Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("mip_abs_gap", MIP_ABS_GAP)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.passModel(lp)
        highs.run()
        status = highs.getModelStatus()
        info = highs.getInfo()
        if info.primal_solution_status != kSolutionStatusFeasible:
            return _Outcome(status, float("nan"), None)
        values = np.array(highs.getSolution().col_value)
        return _Outcome(status, info.objective_function_value, values)


def _tie_breaks(ids: Sequence[int], seed: int) -> list[float]:
    """A number in [0, 1) per id, fixed by (seed, id): the pool's order is no matter."""
    salt = _mix(seed & _MASK)
    return [_mix((i * 0x9E3779B97F4A7C15 + salt) & _MASK) / 2.0**64 for i in ids]


def _mix(z: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters bits."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


# --- plain-words errors --------------------------------------------------------------


def _shortage_error(groups: Sequence[_Group]) -> AssemblyInfeasible:
    parts = []
    for g in groups:
        if g.in_pool == 0:
            parts.append(f"{g.label} needs {g.need} {g.noun}, the pool has none")
            continue
        why = []
        if g.over_exposure:
            why.append(f"{g.over_exposure} over the exposure limit")
        if g.excluded:
            why.append(f"{g.excluded} excluded")
        detail = f" ({', '.join(why)})" if why else ""
        parts.append(
            f"{g.label} needs {g.need} {g.noun}, only {g.usable} usable{detail}"
        )
    return AssemblyInfeasible(
        "Cannot assemble the form: " + "; ".join(parts) + ".",
        shortages={g.area: (g.need, g.usable) for g in groups if g.area is not None},
        pretest_shortage=next(((g.need, g.usable) for g in groups if g.pretest), None),
    )


def _enemy_error(plan: _Plan, *, deadline: float) -> AssemblyInfeasible:
    """Find which groups enemies keep from being filled: alone, then two at a time."""
    group_of = {c: n for n, g in enumerate(plan.groups) for c in g.columns}
    inside: dict[int, list[tuple[int, int]]] = {}
    across: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, b in plan.pairs:
        ga, gb = group_of[a], group_of[b]
        if ga == gb:
            inside.setdefault(ga, []).append((a, b))
        else:
            across.setdefault((min(ga, gb), max(ga, gb)), []).append((a, b))
    parts: list[str] = []
    named: list[tuple[int, int]] = []
    for n, pairs in inside.items():
        g = plan.groups[n]
        # Each pair can cost at most one item: no solve needed when that leaves enough.
        if g.usable - len(pairs) >= g.need or time.perf_counter() > deadline:
            continue
        most = _most_together(g.columns, pairs, deadline - time.perf_counter())
        if most is not None and most < g.need:
            parts.append(
                f"{g.label} needs {g.need} {g.noun} and has {g.usable} usable, but "
                f"enemies among them allow at most {most} on one form "
                f"(enemy pairs {_pairs_text(plan.ids(pairs))})"
            )
            named += pairs
    if not parts:
        for (n, m), pairs in across.items():
            if time.perf_counter() > deadline:
                break
            two = [plan.groups[n], plan.groups[m]]
            local = inside.get(n, []) + inside.get(m, []) + pairs
            if _fillable(two, local, deadline - time.perf_counter()) is False:
                parts.append(
                    f"{two[0].label} and {two[1].label} cannot be filled together "
                    f"(enemy pairs between them {_pairs_text(plan.ids(pairs))})"
                )
                named += pairs
    if not parts:
        named = [p for pairs in across.values() for p in pairs] or list(plan.pairs)
        parts.append(
            "each area can be filled alone but not all at once "
            f"(enemy pairs involved {_pairs_text(plan.ids(named))})"
        )
    return AssemblyInfeasible(
        "Cannot assemble the form without putting enemy items together: "
        + "; ".join(parts)
        + ".",
        enemy_pairs=plan.ids(named),
    )


def _most_together(
    columns: Sequence[int], pairs: Sequence[tuple[int, int]], time_limit: float
) -> int | None:
    """The most of ``columns`` that can sit together despite ``pairs``, if proven."""
    local = {c: n for n, c in enumerate(columns)}
    model = _Model()
    for _ in columns:
        model.binary(-1.0)
    for a, b in pairs:
        model.row([local[a], local[b]], [1.0, 1.0], 0.0, 1.0)
    outcome = model.solve(max(time_limit, 0.1))
    if outcome.status != HighsModelStatus.kOptimal:
        return None
    return round(-outcome.objective)


def _fillable(
    groups: Sequence[_Group], pairs: Sequence[tuple[int, int]], time_limit: float
) -> bool | None:
    """Whether these groups can be filled together despite ``pairs`` (None: unknown)."""
    columns = [c for g in groups for c in g.columns]
    local = {c: n for n, c in enumerate(columns)}
    model = _Model()
    for _ in columns:
        model.binary(0.0)
    for g in groups:
        model.row([local[c] for c in g.columns], [1.0] * g.usable, g.need, g.need)
    for a, b in pairs:
        model.row([local[a], local[b]], [1.0, 1.0], 0.0, 1.0)
    status = model.solve(max(time_limit, 0.1)).status
    if status in _INFEASIBLE:
        return False
    return True if status == HighsModelStatus.kOptimal else None


def _pairs_text(pairs: Sequence[tuple[int, int]]) -> str:
    shown = ", ".join(f"{a}–{b}" for a, b in pairs[:PAIRS_SHOWN])
    more = len(pairs) - PAIRS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
