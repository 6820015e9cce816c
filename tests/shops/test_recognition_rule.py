"""The recognition rule (``rules.shops.recognition_decide``), pure: the ASE levels
from the program data, and properties that hold for any shop."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from certwright.program.loader import get_program
from certwright.rules.shops import ShopFacts, recognition_decide

POLICY = get_program("ase").shops
AREAS = sorted(POLICY.areas)
TESTS = sorted({t for area in POLICY.areas.values() for t in area.tests} | {"L1"})

technician = st.frozensets(st.sampled_from(TESTS), max_size=4)
facts = st.builds(
    ShopFacts,
    technicians=st.lists(technician, max_size=12).map(tuple),
    areas=st.frozensets(st.sampled_from(AREAS), max_size=4),
)


def _oracle(f: ShopFacts) -> str | None:
    """The rule as the sources state it, written the obvious way."""
    certified = [t for t in f.technicians if t]
    if not certified:
        return None
    held = set().union(*certified)
    covered = all(set(POLICY.areas[a].tests) & held for a in f.areas)
    if len(certified) * 4 >= 3 * len(f.technicians) and covered:
        return "blue_seal"
    return "sign"


def test_ase_has_the_sign_and_an_estimated_blue_seal() -> None:
    # given the ASE program data, then two levels, the higher one estimated
    assert POLICY.recognitions["sign"].min_certified == 1
    seal = POLICY.recognitions["blue_seal"]
    assert seal.min_certified_percent == 75
    assert seal.every_area_covered
    assert seal.estimated
    assert seal.source.startswith("https://")
    assert all(area.estimated for area in POLICY.areas.values())


def test_three_of_four_certified_covering_brakes_is_a_blue_seal() -> None:
    # given 3 of 4 technicians certified, one of them in brakes (A5)
    f = ShopFacts(
        technicians=(
            frozenset({"A5"}),
            frozenset({"A1"}),
            frozenset({"A8"}),
            frozenset(),
        ),
        areas=frozenset({"brakes", "engine"}),
    )
    # when decided, then the blue seal, nothing uncovered
    decision = recognition_decide(f, POLICY)
    assert decision.level == "blue_seal"
    assert (decision.certified, decision.technicians) == (3, 4)


def test_an_uncovered_area_leaves_only_the_sign() -> None:
    # given everyone certified but nobody in collision repair
    f = ShopFacts(technicians=(frozenset({"A5"}),), areas=frozenset({"collision"}))
    decision = recognition_decide(f, POLICY)
    assert decision.level == "sign"
    assert decision.uncovered == ("collision",)


def test_two_of_four_certified_is_only_the_sign_and_none_certified_is_nothing() -> None:
    half = ShopFacts(
        technicians=(frozenset({"A1"}), frozenset({"A5"}), frozenset(), frozenset()),
        areas=frozenset(),
    )
    assert recognition_decide(half, POLICY).level == "sign"
    nobody = ShopFacts(technicians=(frozenset(), frozenset()), areas=frozenset())
    assert recognition_decide(nobody, POLICY).level is None
    empty = ShopFacts(technicians=(), areas=frozenset({"brakes"}))
    assert recognition_decide(empty, POLICY).level is None


@given(facts)
def test_the_decision_agrees_with_the_rule_as_stated(f: ShopFacts) -> None:
    assert recognition_decide(f, POLICY).level == _oracle(f)


@given(facts)
def test_a_blue_seal_shop_also_meets_the_sign(f: ShopFacts) -> None:
    decision = recognition_decide(f, POLICY)
    if decision.level == "blue_seal":
        assert "sign" in decision.met
    assert decision.level == (decision.met[0] if decision.met else None)


@given(facts, technician.filter(bool))
def test_hiring_a_certified_technician_never_loses_a_level(
    f: ShopFacts, newcomer: frozenset[str]
) -> None:
    # given a shop's level, when a certified technician joins, then no lower level
    rank = {None: 0, "sign": 1, "blue_seal": 2}
    before = recognition_decide(f, POLICY).level
    hired = ShopFacts(technicians=(*f.technicians, newcomer), areas=f.areas)
    assert rank[recognition_decide(hired, POLICY).level] >= rank[before]


@given(facts, st.sampled_from(AREAS))
def test_offering_fewer_areas_never_loses_a_level(f: ShopFacts, area: str) -> None:
    rank = {None: 0, "sign": 1, "blue_seal": 2}
    before = recognition_decide(f, POLICY).level
    fewer = ShopFacts(technicians=f.technicians, areas=f.areas - {area})
    assert rank[recognition_decide(fewer, POLICY).level] >= rank[before]


@given(facts)
def test_the_counts_are_the_facts(f: ShopFacts) -> None:
    decision = recognition_decide(f, POLICY)
    assert decision.technicians == len(f.technicians)
    assert decision.certified == sum(1 for t in f.technicians if t)
    assert set(decision.uncovered) <= f.areas
