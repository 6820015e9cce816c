"""Shop recognition: which level a shop holds, from facts about its technicians.

Pure: the shop app gathers the facts (each employed technician's current
certifications, the areas the shop offers) and stores what this decides. The levels
and their thresholds are program data (``ShopPolicy``); nothing here names a level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from certwright.program.model import RecognitionRule, ShopPolicy


@dataclass(frozen=True, slots=True)
class ShopFacts:
    # One entry per technician the shop employs (both sides confirmed): the tests
    # they hold a current certification in (empty for an uncertified technician).
    technicians: tuple[frozenset[str], ...]
    areas: frozenset[str]  # the area codes the shop offers


@dataclass(frozen=True, slots=True)
class RecognitionDecision:
    level: str | None  # the code of the highest level met, None for none
    technicians: int
    certified: int
    # Offered areas no certified technician covers (unknown area codes count as
    # uncovered: the program no longer says which tests cover them).
    uncovered: tuple[str, ...]
    met: tuple[str, ...]  # every level met, highest first


def covered_areas(facts: ShopFacts, policy: ShopPolicy) -> frozenset[str]:
    held: set[str] = set().union(*facts.technicians) if facts.technicians else set()
    return frozenset(
        code
        for code in facts.areas
        if code in policy.areas and held.intersection(policy.areas[code].tests)
    )


def rule_met(
    rule: RecognitionRule, *, technicians: int, certified: int, uncovered: Iterable[str]
) -> bool:
    if certified < rule.min_certified:
        return False
    # Integer arithmetic: 3 of 4 is exactly 75%, never 74.999...
    if certified * 100 < rule.min_certified_percent * technicians:
        return False
    return not (rule.every_area_covered and any(True for _ in uncovered))


def recognition_decide(facts: ShopFacts, policy: ShopPolicy) -> RecognitionDecision:
    """The highest recognition ``facts`` meet under ``policy``."""
    certified = sum(1 for tests in facts.technicians if tests)
    covered = covered_areas(facts, policy)
    uncovered = tuple(sorted(facts.areas - covered))
    ranked = sorted(policy.recognitions.items(), key=lambda kv: -kv[1].rank)
    met = tuple(
        code
        for code, rule in ranked
        if rule_met(
            rule,
            technicians=len(facts.technicians),
            certified=certified,
            uncovered=uncovered,
        )
    )
    return RecognitionDecision(
        level=met[0] if met else None,
        technicians=len(facts.technicians),
        certified=certified,
        uncovered=uncovered,
        met=met,
    )
