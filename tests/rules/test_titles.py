"""Titles are held exactly while their rule holds over certified tests."""

from certwright import rules
from tests.rules.builders import D, facts, passed, two_years_before


def all_a(day, *, skip=()):
    return [passed(f"A{n}", day) for n in range(1, 9) if f"A{n}" not in skip]


def test_master_held_while_every_part_certified(program):
    """A1–A8 certified makes the master title, until the first part expires."""
    f = facts(
        *all_a(D(2020, 3, 1), skip=("A5",)),
        passed("A5", D(2021, 1, 1)),
        two_years_before(D(2020, 3, 1)),
    )
    t = rules.evaluate(program, f, D(2021, 6, 1)).titles["master-a"]
    assert t.held
    assert t.since == D(2021, 1, 1)
    assert t.until == D(2025, 3, 1)


def test_title_lost_the_day_a_part_expires_and_back_on_recert(program):
    """Lost on A1's expiry; held again the day A1 is recertified."""
    f = facts(
        *all_a(D(2020, 3, 1)),
        *[passed(f"A{n}", D(2024, 6, 1), "recert") for n in range(2, 9)],
        passed("A1", D(2025, 9, 1), "recert"),
        two_years_before(D(2020, 3, 1)),
    )
    assert rules.evaluate(program, f, D(2025, 2, 28)).titles["master-a"].held
    lost = rules.evaluate(program, f, D(2025, 3, 1)).titles["master-a"]
    assert not lost.held
    assert lost.until == D(2025, 3, 1)
    back = rules.evaluate(program, f, D(2025, 9, 1)).titles["master-a"]
    assert back.held
    assert back.since == D(2025, 9, 1)
    assert back.until == D(2029, 6, 1)


def test_pending_part_does_not_make_a_title(program):
    """A pass still waiting for experience does not count toward a title."""
    f = facts(*all_a(D(2020, 3, 1)))
    assert not rules.evaluate(program, f, D(2021, 1, 1)).titles["master-a"].held


def test_any_of_part(program):
    """Transit-style: H1 or H2, with H3–H8."""
    base = [passed(f"H{n}", D(2020, 3, 1)) for n in range(3, 9)]
    exp = two_years_before(D(2020, 3, 1))
    assert (
        not rules.evaluate(program, facts(*base, exp), D(2021, 1, 1))
        .titles["master-h"]
        .held
    )
    assert (
        rules.evaluate(
            program, facts(*base, passed("H1", D(2020, 3, 1)), exp), D(2021, 1, 1)
        )
        .titles["master-h"]
        .held
    )
    assert (
        rules.evaluate(
            program, facts(*base, passed("H2", D(2020, 3, 1)), exp), D(2021, 1, 1)
        )
        .titles["master-h"]
        .held
    )


def test_one_per_group_across_series(program):
    """One test per system area 2–7, from any of the H, S and T series."""
    mixed = [
        passed(code, D(2020, 3, 1)) for code in ("H2", "S3", "T4", "T5", "S6", "H7")
    ]
    exp = two_years_before(D(2020, 3, 1))
    assert (
        rules.evaluate(program, facts(*mixed, exp), D(2021, 1, 1))
        .titles["master-mhv"]
        .held
    )
    missing_area = [p for p in mixed if p.test != "S6"]
    assert (
        not rules.evaluate(program, facts(*missing_area, exp), D(2021, 1, 1))
        .titles["master-mhv"]
        .held
    )


def test_one_per_group_stays_held_through_a_switch(program):
    """When one option expires but another in the same area is certified, no gap."""
    rest = [passed(code, D(2020, 3, 1)) for code in ("S3", "T4", "T5", "S6", "H7")]
    f = facts(
        *rest,
        passed("H2", D(2019, 3, 1)),
        passed("T2", D(2023, 1, 1)),
        *[passed(c, D(2023, 1, 1), "recert") for c in ("S3", "T4", "T5", "S6", "H7")],
        two_years_before(D(2019, 3, 1)),
    )
    t = rules.evaluate(program, f, D(2024, 6, 1)).titles["master-mhv"]
    assert t.held
    assert t.since == D(2020, 3, 1)


def test_every_title_is_reported(program):
    """Every title of the program appears, held or not."""
    ev = rules.evaluate(program, facts(), D(2024, 1, 1))
    assert set(ev.titles) == set(program.titles)
    assert not any(t.held for t in ev.titles.values())
