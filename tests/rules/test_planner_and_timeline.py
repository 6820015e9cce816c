"""The title planner and the timeline of changes."""

from certwright import rules
from tests.rules.builders import D, facts, passed, two_years_before


def test_planner_lists_missing_and_expiring(program):
    """Missing tests are named, and parts expiring within the horizon are flagged."""
    f = facts(
        *[passed(f"A{n}", D(2020, 3, 1)) for n in (1, 2, 3)],
        *[passed(f"A{n}", D(2023, 3, 1)) for n in (4, 5, 6)],
        two_years_before(D(2020, 3, 1)),
    )
    plan = rules.plan_title(program, f, "master-a", D(2024, 12, 1))
    assert not plan.held
    assert plan.missing == ("A7", "A8")
    assert [e.split()[0] for e in plan.expiring] == ["A1", "A2", "A3"]


def test_planner_for_groups(program):
    """For a cross-series title, each unmet area lists its options."""
    f = facts(
        *[passed(c, D(2023, 3, 1)) for c in ("H2", "S3", "T4", "T5", "S6")],
        two_years_before(D(2023, 3, 1)),
    )
    plan = rules.plan_title(program, f, "master-mhv", D(2024, 1, 1))
    assert plan.missing == ("area 7: one of H7, S7, T7",)


def test_planner_for_held_title(program):
    """A held title with nothing about to expire has nothing to do."""
    f = facts(
        *[passed(f"A{n}", D(2023, 3, 1)) for n in range(1, 9)],
        two_years_before(D(2023, 3, 1)),
    )
    plan = rules.plan_title(program, f, "master-a", D(2024, 1, 1))
    assert plan.held
    assert plan.missing == ()
    assert plan.expiring == ()
    assert plan.until == D(2028, 3, 1)


def test_timeline_orders_changes(program):
    """The timeline shows passes, certification, expiry and title changes in order."""
    f = facts(
        *[passed(f"A{n}", D(2019, 3, 1)) for n in range(1, 9)],
        passed("A1", D(2024, 6, 1), "recert"),
        two_years_before(D(2019, 3, 1)),
    )
    changes = rules.timeline(program, f, D(2025, 1, 1))
    subjects = [(c.day, c.subject, c.change) for c in changes]
    assert (D(2019, 3, 1), "title:master-a", "title_gained") in subjects
    assert (D(2024, 3, 1), "A2", "expired") in subjects
    assert (D(2024, 3, 1), "title:master-a", "title_lost") in subjects
    assert (D(2024, 3, 1), "A1", "expired") in subjects
    assert (D(2024, 6, 1), "A1", "recertified") in subjects
    days = [c.day for c in changes]
    assert days == sorted(days)


def test_history_on_a_past_date(program):
    """The state on any past date is the rules applied to the facts known then."""
    f = facts(
        *[passed(f"A{n}", D(2019, 3, 1)) for n in range(1, 9)],
        two_years_before(D(2019, 3, 1)),
    )
    assert rules.evaluate(program, f, D(2020, 1, 1)).titles["master-a"].held
    assert not rules.evaluate(program, f, D(2025, 1, 1)).titles["master-a"].held
