"""The ASE program shipped in the package loads and says what the sources say."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from certwright.program import (
    AllOf,
    AnyOf,
    OnePerGroup,
    builtin_path,
    builtin_programs,
    expr_tests,
    get_program,
    listing,
    load,
)
from certwright.program.model import Program

# Imported under another name: pytest would try to collect a class named Test*.
from certwright.program.model import TestRef as Ref

DAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def ase() -> Program:
    return get_program("ase")


def _codes(*ranges: tuple[str, int, int]) -> frozenset[str]:
    return frozenset(f"{s}{n}" for s, lo, hi in ranges for n in range(lo, hi + 1))


def test_ase_is_a_builtin_program_and_loads(ase: Program) -> None:
    """The shipped ASE data loads without a problem and names itself."""
    # given / when: the fixture loaded it
    # then
    assert "ase" in builtin_programs()
    assert builtin_path("ase").is_dir()
    assert ase.id == "ase"
    assert ase.version == "2026.11"
    assert "Automotive Service Excellence" in ase.body
    assert len(ase.digest) == 64
    assert ase.source == str(builtin_path("ase").resolve())
    assert ase.notes


def test_every_listed_test_is_in_the_catalog(ase: Program) -> None:
    """Every series and test code of the public catalog is defined, in its series."""
    # given
    expected = _codes(("A", 1, 9), ("T", 1, 8), ("B", 2, 6), ("S", 1, 7))
    expected |= _codes(("H", 1, 8), ("E", 1, 3), ("L", 1, 4))
    expected |= {"G1", "C1", "F1", "X1", "P1", "P2", "P4"}
    # when
    codes = set(ase.tests)
    # then
    assert codes == expected
    for code, test in ase.tests.items():
        assert test.series in ase.series, code
        assert test.blueprints, code
        if code[0] in "ATBSHELP":
            assert test.series == code[0], code


def test_title_ids_name_the_right_tests(ase: Program) -> None:
    """Each master title exists under its exact id and needs exactly its tests."""
    # given
    expected = {
        "master-automobile": _codes(("A", 1, 8)),
        "master-collision": _codes(("B", 2, 5)),
        "master-medium-heavy-truck": _codes(("T", 2, 8)),
        "master-school-bus": _codes(("S", 1, 6)),
        "master-transit-bus": _codes(("H", 1, 8)),
        "master-truck-equipment": _codes(("E", 1, 3)),
        "master-medium-heavy-vehicle": _codes(("H", 2, 7), ("S", 2, 7), ("T", 2, 7)),
    }
    # when
    named = {tid: expr_tests(t.rule) for tid, t in ase.titles.items()}
    # then
    assert named == expected


def test_automobile_master_is_a_plain_all_of(ase: Program) -> None:
    """Master Automobile needs every one of A1–A8, and A9 is not required."""
    # given
    rule = ase.titles["master-automobile"].rule
    # then
    assert rule == AllOf(tuple(Ref(f"A{n}") for n in range(1, 9)))


def test_transit_bus_master_takes_h1_or_h2(ase: Program) -> None:
    """Master Transit Bus is (H1 or H2) and H3–H8."""
    # given
    rule = ase.titles["master-transit-bus"].rule
    # then
    assert isinstance(rule, AllOf)
    assert rule.items[0] == AnyOf((Ref("H1"), Ref("H2")))
    assert rule.items[1:] == tuple(Ref(f"H{n}") for n in range(3, 9))


def test_medium_heavy_truck_master_follows_the_article(ase: Program) -> None:
    """The article's T2–T8 is the default; the T2–T7 reading is flagged, not lost."""
    # given
    title = ase.titles["master-medium-heavy-truck"]
    # then
    assert "T8" in expr_tests(title.rule)
    assert "T1" not in expr_tests(title.rule)
    assert title.estimated
    assert "T2–T7" in title.note


def test_medium_heavy_vehicle_is_one_of_h_s_t_per_system_area(ase: Program) -> None:
    """Each system area 2..7 is a named group of Hn, Sn and Tn."""
    # given
    rule = ase.titles["master-medium-heavy-vehicle"].rule
    names = [
        "Diesel Engines",
        "Drive Train",
        "Brakes",
        "Suspension & Steering",
        "Electrical/Electronic Systems",
        "HVAC",
    ]
    # then
    assert isinstance(rule, OnePerGroup)
    assert [g.name for g in rule.groups] == names
    for n, group in zip(range(2, 8), rule.groups, strict=True):
        assert group.items == (Ref(f"H{n}"), Ref(f"S{n}"), Ref(f"T{n}"))


def test_a1_blueprint_changes_on_1_january_2026(ase: Program) -> None:
    """A1 is the 50-question spec through 2025 and the 45-question spec from 2026."""
    # given
    a1 = ase.tests["A1"]
    # when
    before = a1.blueprint_on(dt.date(2025, 12, 31))
    after = a1.blueprint_on(dt.date(2026, 1, 1))
    # then
    assert before is not None
    assert after is not None
    assert (before.scored, before.unscored, before.minutes) == (50, 10, 75)
    assert after.scored == 45
    assert after.effective == dt.date(2026, 1, 1)
    assert after.estimated


def test_a2_also_changes_in_2026_and_a3_to_g1_in_july_2023(ase: Program) -> None:
    """A2 drops to 45 in 2026; A3–A9 and G1 carry the July 2023 spec."""
    # given
    a2 = ase.tests["A2"]
    # then
    old, new = (
        a2.blueprint_on(dt.date(2025, 12, 31)),
        a2.blueprint_on(dt.date(2026, 1, 1)),
    )
    assert old is not None
    assert old.scored == 50
    assert new is not None
    assert new.scored == 45
    for code in ["A3", "A4", "A5", "A6", "A7", "A8", "A9", "G1"]:
        current = ase.tests[code].blueprint_on(DAY)
        assert current is not None
        assert current.effective == dt.date(2023, 7, 1), code
        assert current.areas, code


def test_published_scored_counts(ase: Program) -> None:
    """The scored counts published for the A series and G1 are the ones in force."""
    # given
    published = {"A3": 40, "A4": 40, "A5": 45, "A6": 50, "A7": 50, "A8": 50}
    published |= {"A9": 50, "G1": 55, "T1": 50, "T2": 55, "B3": 55, "B4": 50, "L3": 45}
    # then
    for code, scored in published.items():
        blueprint = ase.tests[code].blueprint_on(DAY)
        assert blueprint is not None, code
        assert blueprint.scored == scored, code


def test_blueprints_with_full_counts_add_up(ase: Program) -> None:
    """Every blueprint whose areas all have counts adds up to its scored total."""
    # given
    checked = 0
    for test in ase.tests.values():
        for blueprint in test.blueprints:
            counts = [a.questions for a in blueprint.areas]
            # when
            if counts and None not in counts:
                checked += 1
                # then
                assert sum(c for c in counts if c is not None) == blueprint.scored, (
                    test.code,
                    blueprint.effective,
                )
    assert checked >= 12  # A1 twice, A2, A3–A9, G1, B6


def test_unknown_counts_are_marked_estimated(ase: Program) -> None:
    """Tests whose length was not found carry 50 scored questions, estimated."""
    # given
    unknown = ["C1", "F1", "X1", "T3", "B2", "B5", "S1", "H4", "E2", "P1", "P4"]
    # then
    for code in unknown:
        blueprint = ase.tests[code].blueprint_on(DAY)
        assert blueprint is not None
        assert blueprint.scored == 50, code
        assert blueprint.estimated, code


def test_recertification_lengths(ase: Program) -> None:
    """A1's recert is 25 questions in 30 minutes; L1R has L1's 50 questions."""
    # given
    a1, l1 = ase.tests["A1"].recert, ase.tests["L1"].recert
    # then
    assert a1 is not None
    assert (a1.scored, a1.minutes) == (25, 30)
    assert l1 is not None
    assert l1.scored == 50
    assert all(t.recert is not None for t in ase.tests.values())


def test_l1_requires_a8_passed(ase: Program) -> None:
    """To register for L1 a candidate must have passed A8 (initial purchases only)."""
    # given
    (prerequisite,) = ase.tests["L1"].prerequisites
    # then
    assert prerequisite.expr == Ref("A8")
    assert prerequisite.state == "passed"
    assert prerequisite.applies_to == "initial"
    assert not prerequisite.estimated


def test_l2_and_l3_prerequisites_are_marked_unconfirmed(ase: Program) -> None:
    """The L2 and L3 prerequisites come from weak or cut-off sources and say so."""
    # given
    (l2,) = ase.tests["L2"].prerequisites
    (l3,) = ase.tests["L3"].prerequisites
    # then
    assert l2.estimated
    assert l3.estimated
    assert expr_tests(l2.expr) == {"A9", "H2", "S2", "T2", "A6", "H6", "S6", "T6"}
    assert expr_tests(l3.expr) == {"A6", "A8"}


def test_advanced_tests_need_three_years_and_cost_more(ase: Program) -> None:
    """L tests use the 1095-day rule and the advanced fee class; others 730 days."""
    # given
    for code, test in ase.tests.items():
        rule = ase.experience_rule_for(code)
        # then
        if test.series == "L":
            assert (rule.required_days, test.fee_class) == (1095, "advanced"), code
        else:
            assert (rule.required_days, test.fee_class) == (730, "standard"), code


def test_experience_substitutions(ase: Program) -> None:
    """A degree stands for one year; degree and training share a one-year cap."""
    # given
    kinds = ase.experience.kinds
    # then
    assert kinds["degree"].accrual == "fixed"
    assert kinds["degree"].credit_days == 365
    assert kinds["degree"].substitution
    assert kinds["training"].substitution
    assert not kinds["employment"].substitution
    assert kinds["apprenticeship"].accrual == "time"
    assert kinds["employment"].part_time_factor == 0.5
    assert kinds["employment"].estimated  # the part-time factor is an assumption
    assert ase.experience.rules["standard"].substitution_cap_days == 365


def test_policy_and_renewal(ase: Program) -> None:
    """Five-year validity, 30-day retest wait, 90-day window, 8 credits a year."""
    # given
    policy, renewal = ase.policy, ase.renewal
    # then
    assert (policy.validity_years, policy.validity_from) == (5, "pass")
    assert (policy.retest_wait_days, policy.purchase_window_days) == (30, 90)
    assert policy.recert_max_lapse_days is None
    assert (renewal.questions_per_month, renewal.credits_for_extension) == (1, 8)
    assert (renewal.extension_months, renewal.credit_window_months) == (12, 12)
    assert renewal.eligible_series == ("A", "T")
    assert renewal.estimated  # the answer window is not public


@pytest.mark.parametrize(
    ("day", "standard", "advanced", "registration", "per"),
    [
        (dt.date(2003, 5, 1), 2700, 5400, 3600, "window"),
        (dt.date(2006, 6, 1), 3700, 7400, 7400, "window"),
        (dt.date(2013, 3, 1), 3300, 6600, 3600, "window"),
        (dt.date(2022, 8, 31), 4300, 8600, 3600, "window"),
        (dt.date(2022, 9, 1), 6200, 12400, 3400, "order"),
        (dt.date(2040, 1, 1), 6200, 12400, 3400, "order"),
    ],
)
def test_fees_on_picks_the_period_in_force(
    ase: Program,
    day: dt.date,
    standard: int,
    advanced: int,
    registration: int,
    per: str,
) -> None:
    """fees_on returns the one fee table covering the day; the newest is open-ended."""
    # when
    period = ase.fees_on(day)
    # then
    assert period is not None
    assert period.test_fees == {"standard": standard, "advanced": advanced}
    assert (period.registration_cents, period.registration_per) == (registration, per)


def test_fee_periods_are_consecutive_and_estimated(ase: Program) -> None:
    """Fee eras follow each other without gaps; their boundaries are estimates."""
    # given
    fees = ase.fees
    # then
    assert ase.fees_on(dt.date(1999, 12, 31)) is None
    assert fees[-1].end is None
    for before, after in itertools.pairwise(fees):
        assert before.end == after.start
    assert all(p.estimated and p.currency == "USD" for p in fees)


def test_catalog_rows_are_json_and_complete(ase: Program) -> None:
    """The catalog has one JSON-serialisable row per test, A1 first."""
    # when
    rows = listing.catalog_rows(ase, DAY)
    # then
    assert len(rows) == len(ase.tests)
    assert rows[0]["code"] == "A1"
    json.dumps(rows)
    l1 = next(r for r in rows if r["code"] == "L1")
    assert l1["prerequisites"] == "A8 passed (initial)"
    assert (l1["experience_years"], l1["fee_cents"]) == (3.0, 12400)


def test_test_detail_has_the_content_areas_in_force(ase: Program) -> None:
    """test_detail shows the blueprint on the day asked, with its content areas."""
    # when
    old = listing.test_detail(ase, "A1", dt.date(2025, 6, 1))
    new = listing.test_detail(ase, "A1", dt.date(2026, 6, 1))
    # then
    assert [a["questions"] for a in old["areas"]] == [15, 10, 10, 8, 7]
    assert [a["questions"] for a in new["areas"]] == [18, 6, 4, 8, 9]
    assert new["titles"] == ["master-automobile"]
    assert len(new["blueprints"]) == 2
    json.dumps(new)


def test_program_loads_from_a_copy_with_the_same_digest(
    ase: Program, tmp_path: Path
) -> None:
    """The digest covers file names and bytes, not where the program lives."""
    # given
    for file in builtin_path("ase").glob("*.toml"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    # when
    copy = load(tmp_path)
    # then
    assert copy.digest == ase.digest
    assert copy.source == str(tmp_path.resolve())
