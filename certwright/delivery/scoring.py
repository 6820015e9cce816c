"""Scoring one attempt: number correct on the scored items, by content area.

Pure (no Django): the service reads the form and the answers and calls
``attempt_score``. Only scored (operational) items count; an unscored pretest item,
an unanswered item or a wrong answer earns nothing. Pass = raw ≥ the form's cut; the
scaled score is ``scale[raw]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScoringItem:
    """One position of a form as scoring sees it (never sent to a browser)."""

    form_item_id: int
    key: int
    scored: bool
    area: str


@dataclass(frozen=True, slots=True)
class AreaScore:
    code: str
    name: str
    raw: int
    of: int

    @property
    def percent(self) -> int:
        return round(100 * self.raw / self.of) if self.of else 0


@dataclass(frozen=True, slots=True)
class Score:
    raw: int
    of: int
    areas: tuple[AreaScore, ...]
    passed: bool
    scaled: int | None


def attempt_score(
    *,
    items: Sequence[ScoringItem],
    choices: Mapping[int, int | None],
    cut_score: int,
    scale: Sequence[int] | None,
    area_names: Mapping[str, str] | None = None,
    area_order: Sequence[str] = (),
) -> Score:
    """The score of ``choices`` (form item id → option index or None).

    Areas are reported in ``area_order`` (the blueprint's), then any other area on
    the form in code order; an area with no scored item is left out.
    """
    names = dict(area_names or {})
    raw_by_area: dict[str, int] = {}
    of_by_area: dict[str, int] = {}
    for item in items:
        if not item.scored:
            continue
        of_by_area[item.area] = of_by_area.get(item.area, 0) + 1
        right = choices.get(item.form_item_id) == item.key
        raw_by_area[item.area] = raw_by_area.get(item.area, 0) + int(right)
    order = [code for code in area_order if code in of_by_area]
    order += sorted(code for code in of_by_area if code not in order)
    areas = tuple(
        AreaScore(
            code=code,
            name=names.get(code, code),
            raw=raw_by_area.get(code, 0),
            of=of_by_area[code],
        )
        for code in order
    )
    raw = sum(a.raw for a in areas)
    of = sum(a.of for a in areas)
    scaled = None
    if scale is not None and 0 <= raw < len(scale):
        scaled = int(scale[raw])
    return Score(raw=raw, of=of, areas=areas, passed=raw >= cut_score, scaled=scaled)
