"""Number-correct scoring of a form: raw score, content areas, pass/fail, scaled score.

One :class:`FormKey` describes a published form for scoring: the key of every
position, which positions count (pretest items do not), each position's content
area, the raw cut on the scored items and the raw→scaled table (see
:mod:`.equating`). Two scorers share it and agree exactly:

* :func:`score_batch` — a choices matrix (examinees × positions, ``uint8``; see
  :mod:`.responses`) for re-scoring a window or a benchmark. It works in blocks of
  rows: gather the scored columns in area order, compare with the key, and sum each
  area's contiguous run of columns in ``uint8``; the raw score is the sum of the areas.
  Memory stays at a few blocks whatever the number of examinees.
* :func:`score_attempt` — one candidate in plain Python (the online path at the end of
  an exam): no numpy, a few microseconds.

An answer that is not the key — another option, an omit, an item not seen — earns
nothing. Scaled scores come from the table: ``scale[raw]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .responses import NOT_SEEN, OMIT

__all__ = ["AttemptScore", "BatchScores", "FormKey", "score_attempt", "score_batch"]

_CHUNK = 8192  # rows per block: the block and its temporaries stay in L2


@dataclass(frozen=True)
class FormKey:
    """What scoring needs to know about a form, position by position."""

    key: tuple[int, ...]
    scored: tuple[bool, ...]
    area: tuple[int, ...]  # content-area index (0..n_areas-1) of each position
    n_areas: int
    cut: int  # minimum raw score (on scored items) that passes
    scale: tuple[int, ...] | None = None  # scaled score for each raw 0..n_scored
    n_options: int = 4
    # Derived once: scored positions in area order, and where each area's run starts.
    _columns: NDArray[np.intp] = field(init=False, repr=False, compare=False)
    _key_sorted: NDArray[np.uint8] = field(init=False, repr=False, compare=False)
    _bounds: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _scale: NDArray[np.int16] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.key)
        if n == 0:
            raise ValueError("a form needs at least one item")
        if len(self.scored) != n or len(self.area) != n:
            raise ValueError(
                f"key, scored and area need one entry per position ({n}); got "
                f"{len(self.scored)} scored and {len(self.area)} area entries"
            )
        if not 2 <= self.n_options <= 26:
            raise ValueError(
                f"n_options must be between 2 and 26, got {self.n_options}"
            )
        for position, option in enumerate(self.key):
            if not 0 <= option < self.n_options:
                raise ValueError(
                    f"key out of range: position {position} has key {option}, options "
                    f"are 0..{self.n_options - 1}"
                )
        if self.n_areas < 1:
            raise ValueError("a form needs at least one content area")
        for position, area in enumerate(self.area):
            if not 0 <= area < self.n_areas:
                raise ValueError(
                    f"position {position} is in area {area}, outside "
                    f"0..{self.n_areas - 1}"
                )
        n_scored = sum(self.scored)
        if n_scored == 0:
            raise ValueError("a form needs at least one scored item")
        if n_scored > 255:
            raise ValueError("a form may have at most 255 scored items")
        if not 0 <= self.cut <= n_scored:
            raise ValueError(
                f"the cut must be a raw score in 0..{n_scored}, got {self.cut}"
            )
        if self.scale is not None:
            if len(self.scale) != n_scored + 1:
                raise ValueError(
                    f"the raw→scaled table needs {n_scored + 1} entries (raw 0.."
                    f"{n_scored}), got {len(self.scale)}"
                )
            if any(b < a for a, b in zip(self.scale, self.scale[1:], strict=False)):
                raise ValueError("the raw→scaled table must never decrease")
            if not all(-32768 <= s <= 32767 for s in self.scale):
                raise ValueError("scaled scores must fit in 16 bits")
        columns = np.array(
            sorted(
                (a, p)
                for p, (a, s) in enumerate(zip(self.area, self.scored, strict=True))
                if s
            ),
            dtype=np.intp,
        )
        areas, positions = columns[:, 0], columns[:, 1]
        counts = np.bincount(areas, minlength=self.n_areas)
        ends = np.cumsum(counts)
        bounds = tuple((int(e - c), int(e)) for c, e in zip(counts, ends, strict=True))
        object.__setattr__(self, "_columns", positions)
        object.__setattr__(
            self, "_key_sorted", np.asarray(self.key, dtype=np.uint8)[positions]
        )
        object.__setattr__(self, "_bounds", bounds)
        object.__setattr__(
            self,
            "_scale",
            None if self.scale is None else np.asarray(self.scale, dtype=np.int16),
        )

    @property
    def n_items(self) -> int:
        return len(self.key)

    @property
    def n_scored(self) -> int:
        return int(self._columns.size)


@dataclass(frozen=True, slots=True)
class AttemptScore:
    raw: int
    area_raw: tuple[int, ...]
    passed: bool
    scaled: int | None


@dataclass(frozen=True, slots=True)
class BatchScores:
    raw: NDArray[np.int16]
    area_raw: NDArray[np.uint8]  # (examinees, n_areas)
    passed: NDArray[np.bool_]
    scaled: NDArray[np.int16] | None


def score_attempt(choices: Sequence[int | None], form: FormKey) -> AttemptScore:
    """Score one candidate's answers (option index, or None when unanswered)."""
    if len(choices) != form.n_items:
        raise ValueError(
            f"expected {form.n_items} answers (one per position), got {len(choices)}"
        )
    area_raw = [0] * form.n_areas
    for position, (choice, key, scored, area) in enumerate(
        zip(choices, form.key, form.scored, form.area, strict=True)
    ):
        if choice is None:
            continue
        if not (0 <= choice < form.n_options or choice in (OMIT, NOT_SEEN, -1, -2)):
            raise ValueError(
                f"position {position}: answer {choice!r} is not an option "
                f"(0..{form.n_options - 1}) or None"
            )
        if scored and choice == key:
            area_raw[area] += 1
    raw = sum(area_raw)
    return AttemptScore(
        raw=raw,
        area_raw=tuple(area_raw),
        passed=raw >= form.cut,
        scaled=None if form.scale is None else form.scale[raw],
    )


def score_batch(choices: ArrayLike, form: FormKey) -> BatchScores:
    """Score every row of a choices matrix (examinees × form positions)."""
    c = np.asarray(choices)
    if c.ndim != 2 or c.shape[1] != form.n_items:
        raise ValueError(
            f"choices must be examinees × {form.n_items} positions, got shape {c.shape}"
        )
    if c.dtype == np.int8:
        c = c.view(np.uint8)
    elif c.dtype != np.uint8:
        raise ValueError(
            f"choices must be uint8 (or int8) option indices, got {c.dtype}; "
            "see certwright.psychometrics.responses.as_choices"
        )
    n = c.shape[0]
    area_raw = np.empty((n, form.n_areas), dtype=np.uint8)
    columns, key, k = form._columns, form._key_sorted, form.n_options
    for start in range(0, n, _CHUNK):
        block = c[start : start + _CHUNK]
        # One pass finds any code that is neither an option nor OMIT / NOT_SEEN.
        if int(np.subtract(block, k, dtype=np.uint8).min(initial=255)) < 254 - k:
            bad = (block >= k) & (block < NOT_SEEN)
            row, col = (int(v) for v in np.argwhere(bad)[0])
            raise ValueError(
                f"choices hold a value outside 0..{k - 1}, OMIT and NOT_SEEN: examinee "
                f"{start + row}, position {col}: {int(block[row, col])}"
            )
        right = (block[:, columns] == key).view(np.uint8)
        out = area_raw[start : start + _CHUNK]
        for area, (lo, hi) in enumerate(form._bounds):
            right[:, lo:hi].sum(axis=1, dtype=np.uint8, out=out[:, area])
    raw = area_raw.sum(axis=1, dtype=np.int16)
    return BatchScores(
        raw=raw,
        area_raw=area_raw,
        passed=raw >= form.cut,
        scaled=None if form._scale is None else form._scale[raw],
    )
