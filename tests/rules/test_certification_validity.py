"""Validity: five years from the latest qualifying pass; recertification."""

import datetime as dt

from certwright import rules
from tests.rules.builders import D, facts, failed, passed, two_years_before


def test_pass_with_experience_certifies_for_five_years(program):
    """A pass with the experience already met certifies that day for five years."""
    # given
    f = facts(passed("A1", D(2020, 3, 1)), two_years_before(D(2020, 3, 1)))
    # when
    a1 = rules.evaluate(program, f, D(2021, 1, 1)).certifications["A1"]
    # then
    assert a1.status == "certified"
    assert a1.certified_on == D(2020, 3, 1)
    assert a1.expires_on == D(2025, 3, 1)


def test_expires_on_is_the_first_day_not_certified(program):
    """Certified through the day before expires_on, expired on it."""
    f = facts(passed("A1", D(2020, 3, 1)), two_years_before(D(2020, 3, 1)))
    assert (
        rules.evaluate(program, f, D(2025, 2, 28)).certifications["A1"].status
        == "certified"
    )
    assert (
        rules.evaluate(program, f, D(2025, 3, 1)).certifications["A1"].status
        == "expired"
    )


def test_recertification_pass_restarts_five_years(program):
    """A recertification pass while certified moves the expiry to five years "
    "after it."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        passed("A1", D(2024, 11, 1), "recert"),
        two_years_before(D(2020, 3, 1)),
    )
    a1 = rules.evaluate(program, f, D(2026, 1, 1)).certifications["A1"]
    assert a1.status == "certified"
    assert a1.certified_on == D(2020, 3, 1)  # one continuous period
    assert a1.expires_on == D(2029, 11, 1)


def test_recert_long_after_lapse_still_counts(program):
    """A recertification test counts however long ago the certification lapsed."""
    f = facts(
        passed("A1", D(2005, 3, 1)),
        passed("A1", D(2024, 6, 1), "recert"),
        two_years_before(D(2005, 3, 1)),
    )
    a1 = rules.evaluate(program, f, D(2024, 7, 1)).certifications["A1"]
    assert a1.status == "certified"
    assert a1.certified_on == D(2024, 6, 1)
    assert a1.expires_on == D(2029, 6, 1)
    assert [p.start for p in a1.periods] == [D(2005, 3, 1), D(2024, 6, 1)]


def test_recert_max_lapse_from_program_data(program_with):
    """A program that limits the lapse refuses a recertification after it."""
    program = program_with(recert_max_lapse_days=365)
    f = facts(
        passed("A1", D(2005, 3, 1)),
        passed("A1", D(2024, 6, 1), "recert"),
        two_years_before(D(2005, 3, 1)),
    )
    a1 = rules.evaluate(program, f, D(2024, 7, 1)).certifications["A1"]
    assert a1.status == "expired"
    assert any("too long after" in s.text for s in a1.explanation)


def test_recert_without_earlier_pass_does_not_count(program):
    """A recertification pass with no earlier pass of the test certifies nothing."""
    f = facts(passed("A1", D(2024, 6, 1), "recert"), two_years_before(D(2020, 1, 1)))
    ev = rules.evaluate(program, f, D(2024, 7, 1))
    assert "A1" not in ev.certifications


def test_failures_alone_give_no_certification(program):
    """Only passes make certifications."""
    f = facts(failed("A1", D(2024, 6, 1)), two_years_before(D(2020, 1, 1)))
    assert rules.evaluate(program, f, D(2024, 7, 1)).certifications == {}


def test_later_pass_never_shortens(program):
    """An initial pass soon after a recert does not pull the expiry back."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        passed("A1", D(2021, 3, 1), "recert"),
        passed("A1", D(2021, 2, 1)),
        two_years_before(D(2020, 3, 1)),
    )
    a1 = rules.evaluate(program, f, D(2022, 1, 1)).certifications["A1"]
    assert a1.expires_on == D(2026, 3, 1)


def test_validity_from_certified_day_is_expressible(program_with):
    """A program may run validity from the day the certification began instead."""
    program = program_with(validity_from="certified")
    f = facts(passed("A1", D(2020, 3, 1)), two_years_before(D(2021, 3, 1)))
    a1 = rules.evaluate(program, f, D(2021, 6, 1)).certifications["A1"]
    assert a1.certified_on == D(2021, 3, 1)
    assert a1.expires_on == D(2026, 3, 1)


def test_facts_after_as_of_are_not_known(program):
    """The state on a past date uses only the facts dated by then."""
    f = facts(passed("A1", D(2020, 3, 1)), two_years_before(D(2020, 3, 1)))
    assert rules.evaluate(program, f, D(2020, 2, 29)).certifications == {}


def test_next_change_is_the_next_expiry(program):
    """The daily sweep is told the next day the state changes by the calendar."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        passed("A2", D(2021, 3, 1)),
        two_years_before(D(2020, 3, 1)),
    )
    ev = rules.evaluate(program, f, D(2022, 1, 1))
    assert ev.next_change_on == D(2025, 3, 1)
    assert rules.evaluate(program, f, D(2025, 3, 1)).next_change_on == D(2026, 3, 1)
    assert rules.evaluate(program, f, D(2026, 3, 1)).next_change_on is None


def test_leap_day_pass_expires_on_feb_28(program):
    """29 February plus five years is 28 February (there is no 29th)."""
    f = facts(passed("A1", D(2020, 2, 29)), two_years_before(D(2020, 2, 29)))
    assert rules.evaluate(program, f, D(2021, 1, 1)).certifications[
        "A1"
    ].expires_on == D(2025, 2, 28)


def test_explanation_names_facts_and_rules(program):
    """The trail names the pass, the experience record and the validity rule."""
    exp = two_years_before(D(2020, 3, 1))
    f = facts(passed("A1", D(2020, 3, 1), ref="result:7"), exp)
    a1 = rules.evaluate(program, f, D(2021, 1, 1)).certifications["A1"]
    first = a1.explanation[0]
    assert "result:7" in first.facts
    assert exp.ref in first.facts
    assert "policy.validity_years" in first.rules


def test_explain_false_gives_same_state(program):
    """Skipping the explanation changes nothing else."""
    f = facts(passed("A1", D(2020, 3, 1)), two_years_before(D(2020, 3, 1)))
    a = rules.evaluate(program, f, D(2021, 1, 1))
    b = rules.evaluate(program, f, D(2021, 1, 1), explain=False)
    assert a.certifications["A1"].expires_on == b.certifications["A1"].expires_on
    assert b.certifications["A1"].explanation == ()
    assert isinstance(b.as_of, dt.date)
