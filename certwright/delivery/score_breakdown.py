"""One attempt's score, broken down by content area: number correct on the scored
items in each area and in all, pass or fail, and the scaled score.

Pure (no Django): ``results`` reads the form and the answers and calls
``attempt_score``, which hands the counting to the psychometrics package's
single-candidate scorer (``certwright.psychometrics.number_correct.score_attempt``, the
same rules as its batch scorer) and adds the area codes, names and item counts the
report shows. Only scored (operational) items count; an unscored pretest item, an
unanswered item or a wrong answer earns nothing. Pass = raw ≥ the form's cut; the
scaled score is ``scale[raw]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from certwright.psychometrics.number_correct import FormKey, score_attempt


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
    of_by_area: dict[str, int] = {}
    for item in items:
        if item.scored:
            of_by_area[item.area] = of_by_area.get(item.area, 0) + 1
    order = [code for code in area_order if code in of_by_area]
    order += sorted(code for code in of_by_area if code not in order)
    index = {code: i for i, code in enumerate(order)}
    form = FormKey(
        key=tuple(item.key for item in items),
        scored=tuple(item.scored for item in items),
        # An unscored item's area may be outside the blueprint: any index will do.
        area=tuple(index.get(item.area, 0) for item in items),
        n_areas=max(1, len(order)),
        cut=cut_score,
        scale=tuple(scale) if scale is not None else None,
    )
    result = score_attempt([choices.get(item.form_item_id) for item in items], form)
    areas = tuple(
        AreaScore(
            code=code,
            name=names.get(code, code),
            raw=result.area_raw[i],
            of=of_by_area[code],
        )
        for i, code in enumerate(order)
    )
    return Score(
        raw=result.raw,
        of=sum(of_by_area.values()),
        areas=areas,
        passed=result.passed,
        scaled=result.scaled,
    )
