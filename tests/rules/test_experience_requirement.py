"""A pass waits for experience; experience accrues by the rules in the program data."""

import datetime as dt

from certwright import rules
from tests.rules.builders import D, facts, job, passed


def test_pass_without_experience_is_pending(program):
    """A pass without approved experience stays pending."""
    f = facts(passed("A1", D(2024, 6, 1)), job(D(2024, 1, 1), None))
    a1 = rules.evaluate(program, f, D(2024, 7, 1)).certifications["A1"]
    assert a1.status == "pending_experience"
    assert a1.passed_on == D(2024, 6, 1)
    assert a1.certified_on is None


def test_pending_becomes_certified_the_day_experience_is_met(program):
    """Two years of full-time work from 2024-01-01 meet the rule on 2025-12-31."""
    # given: 730 days of work, 2024-01-01 .. 2025-12-30 (2024 is a leap year)
    f = facts(passed("A1", D(2024, 6, 1)), job(D(2024, 1, 1), None))
    # then
    assert rules.evaluate(program, f, D(2025, 12, 30)).certifications["A1"].status == (
        "pending_experience"
    )
    a1 = rules.evaluate(program, f, D(2025, 12, 31)).certifications["A1"]
    assert a1.status == "certified"
    assert a1.certified_on == D(2025, 12, 31)
    # validity still runs from the pass (the program's default)
    assert a1.expires_on == D(2029, 6, 1)


def test_pending_projection_is_next_change(program):
    """An ongoing job tells the sweep when the pending pass will certify."""
    f = facts(passed("A1", D(2024, 6, 1)), job(D(2024, 1, 1), None))
    assert rules.evaluate(program, f, D(2024, 7, 1)).next_change_on == D(2025, 12, 31)


def test_only_experience_accrued_by_that_day_counts(program):
    """Experience dated after the state's day does not count yet."""
    f = facts(passed("A1", D(2020, 6, 1)), job(D(2021, 1, 1), D(2023, 12, 31)))
    ev = rules.evaluate(program, f, D(2022, 6, 1))
    assert ev.certifications["A1"].status == "pending_experience"
    assert ev.experience_met_on["standard"] is None


def test_part_time_counts_half(program):
    """Part-time work counts at the program's factor (half here)."""
    f = facts(passed("A1", D(2020, 1, 1)), job(D(2020, 1, 1), None, full_time=False))
    met = rules.evaluate(program, f, D(2030, 1, 1)).certifications["A1"].certified_on
    assert met == D(2020, 1, 1) + dt.timedelta(days=1460)


def test_overlapping_jobs_do_not_double_count(program):
    """Two full-time jobs at once still earn one day a day."""
    f = facts(
        passed("A1", D(2020, 1, 1)),
        job(D(2020, 1, 1), D(2021, 12, 31)),
        job(D(2020, 1, 1), D(2021, 12, 31), kind="apprenticeship"),
    )
    assert rules.evaluate(program, f, D(2021, 6, 1)).certifications["A1"].status == (
        "pending_experience"
    )


def test_two_part_time_jobs_make_full_time(program):
    """Two half-time jobs on the same days add up to one full day."""
    f = facts(
        passed("A1", D(2020, 1, 1)),
        job(D(2020, 1, 1), None, full_time=False),
        job(D(2020, 1, 1), None, full_time=False, kind="apprenticeship"),
    )
    met = rules.evaluate(program, f, D(2030, 1, 1)).certifications["A1"].certified_on
    assert met == D(2020, 1, 1) + dt.timedelta(days=730)


def test_apprenticeship_counts(program):
    """Apprenticeships count as work experience."""
    f = facts(
        passed("A1", D(2023, 1, 1)),
        job(D(2020, 1, 1), D(2021, 12, 31), kind="apprenticeship"),
    )
    assert (
        rules.evaluate(program, f, D(2023, 1, 1)).certifications["A1"].status
        == "certified"
    )


def test_degree_stands_for_one_year(program):
    """A two-year degree plus one year of work meets the two-year rule."""
    f = facts(
        passed("A1", D(2022, 1, 1)),
        job(D(2019, 9, 1), D(2021, 5, 31), kind="degree"),
        job(D(2021, 6, 1), None),
    )
    # 365 days of work from 2021-06-01 are done on 2022-05-31.
    a1 = rules.evaluate(program, f, D(2023, 1, 1)).certifications["A1"]
    assert a1.certified_on == D(2022, 6, 1)


def test_substitutions_are_capped(program):
    """A degree and training together stand for at most one year."""
    f = facts(
        passed("A1", D(2022, 1, 1)),
        job(D(2019, 9, 1), D(2021, 5, 31), kind="degree"),
        job(D(2018, 1, 1), D(2019, 12, 31), kind="training"),
    )
    ev = rules.evaluate(program, f, D(2030, 1, 1))
    assert ev.certifications["A1"].status == "pending_experience"


def test_unapproved_experience_does_not_count(program):
    """Experience waiting for approval earns nothing, and the trail says so."""
    rec = job(D(2015, 1, 1), D(2019, 12, 31), approved=False)
    f = facts(passed("A1", D(2022, 1, 1)), rec)
    ev = rules.evaluate(program, f, D(2023, 1, 1))
    assert ev.certifications["A1"].status == "pending_experience"
    assert any(rec.ref in s.facts and "not approved" in s.text for s in ev.explanation)


def test_advanced_tests_need_three_years(program):
    """The advanced rule needs 1095 days: two years of work certify A8 but not L1."""
    f = facts(
        passed("A8", D(2022, 1, 1)),
        passed("L1", D(2022, 2, 1)),
        job(D(2020, 1, 1), D(2021, 12, 31)),
    )
    ev = rules.evaluate(program, f, D(2023, 1, 1))
    assert ev.certifications["A8"].status == "certified"
    assert ev.certifications["L1"].status == "pending_experience"
