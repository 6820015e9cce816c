"""The rules core on the shipped ASE program and on a second, made-up program."""

from pathlib import Path

import pytest

from certwright import rules
from certwright.program import get_program
from tests.rules.builders import D, facts, job, passed, two_years_before

WELDING = Path(__file__).parents[1] / "fixtures" / "programs" / "welding"


@pytest.fixture(scope="module")
def ase():
    return get_program("ase")


def pass_all(codes, day):
    return [passed(c, day) for c in codes]


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("master-automobile", [f"A{n}" for n in range(1, 9)]),
        ("master-collision", ["B2", "B3", "B4", "B5"]),
        ("master-medium-heavy-truck", [f"T{n}" for n in range(2, 9)]),
        ("master-school-bus", [f"S{n}" for n in range(1, 7)]),
        ("master-transit-bus", ["H1", *[f"H{n}" for n in range(3, 9)]]),
        ("master-transit-bus", ["H2", *[f"H{n}" for n in range(3, 9)]]),
        ("master-truck-equipment", ["E1", "E2", "E3"]),
        ("master-medium-heavy-vehicle", ["T2", "S3", "H4", "T5", "S6", "H7"]),
    ],
)
def test_ase_master_titles(ase, title, codes):
    """Each ASE master title is held with its required set, not without any part."""
    day = D(2024, 3, 1)
    exp = two_years_before(day)
    ev = rules.evaluate(ase, facts(*pass_all(codes, day), exp), D(2025, 1, 1))
    assert ev.titles[title].held
    for dropped in codes:
        rest = [c for c in codes if c != dropped]
        ev = rules.evaluate(ase, facts(*pass_all(rest, day), exp), D(2025, 1, 1))
        assert not ev.titles[title].held, f"{title} held without {dropped}"


def test_a9_is_not_needed_for_master_automobile(ase):
    """Master Automobile is A1–A8; A9 is not part of it."""
    day = D(2024, 3, 1)
    f = facts(*pass_all([f"A{n}" for n in range(1, 9)], day), two_years_before(day))
    assert rules.evaluate(ase, f, D(2025, 1, 1)).titles["master-automobile"].held


def test_ase_l1_needs_a8_and_three_years(ase):
    """L1 needs A8 passed to buy, and three years of experience to certify."""
    assert not rules.eligibility(ase, facts(), "L1", "initial", D(2025, 1, 1)).allowed
    f = facts(
        passed("A8", D(2023, 1, 1)),
        passed("L1", D(2024, 1, 1)),
        job(D(2021, 6, 1), D(2023, 12, 31)),
    )
    ev = rules.evaluate(ase, f, D(2024, 6, 1))
    assert ev.certifications["A8"].status == "certified"
    assert ev.certifications["L1"].status == "pending_experience"


def test_ase_retest_wait_is_thirty_full_days(ase):
    """ASE: wait 30 full days after a result before buying the same test again."""
    f = facts(passed("A1", D(2024, 1, 1)))
    e = rules.eligibility(ase, f, "A1", "recert", D(2024, 1, 20))
    assert e.earliest_on == D(2024, 2, 1)


def test_issue_example(ase):
    """The example in the facts format documentation answers as documented."""
    f = facts(passed("A1", D(2020, 3, 1)), job(D(2019, 1, 1), D(2021, 12, 31)))
    a1 = rules.evaluate(ase, f, D(2026, 11, 25)).certifications["A1"]
    assert a1.status == "expired"
    assert a1.certified_on == D(2020, 12, 31)
    assert a1.expires_on == D(2025, 3, 1)


def test_second_program_evaluates_without_code_change():
    """Another body's program (a welding guild) evaluates with the same core."""
    welding = get_program(str(WELDING))
    codes = sorted(welding.tests)
    day = D(2024, 3, 1)
    f = facts(*pass_all(codes, day), job(D(2015, 1, 1), None))
    ev = rules.evaluate(welding, f, D(2024, 6, 1))
    assert {c.status for c in ev.certifications.values()} == {"certified"}
    for code, state in ev.certifications.items():
        # the program's own validity, or a test's override of it
        years = welding.tests[code].validity_years or welding.policy.validity_years
        assert state.expires_on == D(2024 + years, 3, 1), code
    assert all(t.held for t in ev.titles.values())
    longest = max(c.expires_on or D.max for c in ev.certifications.values())
    later = rules.evaluate(welding, f, longest)
    assert not any(t.held for t in later.titles.values())
