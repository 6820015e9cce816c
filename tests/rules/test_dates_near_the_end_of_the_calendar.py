"""Facts dated up to 9999-12-31 never crash the rules core.

An expiry, an extension, a retest wait or an experience sweep that would run past the
calendar's last day ends at FOREVER (``date.max``, the core's "open-ended") instead of
raising OverflowError or ValueError.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.program import get_program
from certwright.rules import Experience, Facts, RenewalCredit, Revocation, TestResult
from certwright.rules.dates import FOREVER, add_days, add_months, add_years
from certwright.rules.interchange import evaluation_to_json
from tests.rules.builders import make_program, passed, two_years_before

ASE = get_program("ase")
TINY = make_program()
TESTS = ["A1", "A5", "A8", "H3", "L1", "T2"]
# Mostly the last decades of the calendar, where the arithmetic runs off its end.
days = st.one_of(
    st.dates(dt.date(9950, 1, 1), dt.date.max),
    st.dates(dt.date(1, 1, 1), dt.date.max),
)


@st.composite
def far_facts(draw: st.DrawFn) -> Facts:
    results = [
        TestResult(
            draw(st.sampled_from(TESTS)),
            draw(days),
            draw(st.sampled_from(["initial", "recert"])),
            draw(st.sampled_from(["pass", "pass", "fail", "no_show"])),
            f"result:{i}",
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    experience = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(days)
        end = draw(st.one_of(st.none(), st.dates(start, dt.date.max)))
        experience.append(
            Experience(
                draw(st.sampled_from(["employment", "degree", "training"])),
                start,
                end,
                draw(st.booleans()),
                True,
                f"experience:{i}",
            )
        )
    credits = [
        RenewalCredit(draw(st.sampled_from(["A1", "A5"])), draw(days), f"credit:{i}")
        for i in range(draw(st.integers(0, 12)))
    ]
    revocations = [
        Revocation(draw(st.sampled_from([None, "A1"])), draw(days), "", f"rev:{i}")
        for i in range(draw(st.integers(0, 1)))
    ]
    return Facts(tuple(results), tuple(experience), tuple(credits), tuple(revocations))


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), months=st.integers(-(10**6), 10**6))
def test_a_month_move_past_the_calendar_stops_at_its_ends(
    day: dt.date, months: int
) -> None:
    """Moving past 9999-12-31 gives FOREVER, before 0001-01-01 gives date.min."""
    # when
    moved = add_months(day, months)
    # then
    index = day.year * 12 + day.month - 1 + months
    if index // 12 > dt.MAXYEAR:
        assert moved == FOREVER
    elif index // 12 < dt.MINYEAR:
        assert moved == dt.date.min
    else:
        assert moved.year * 12 + moved.month - 1 == index
        assert moved.day <= day.day


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), days_=st.integers(-(10**12), 10**12))
def test_a_day_move_past_the_calendar_stops_at_its_ends(
    day: dt.date, days_: int
) -> None:
    """add_days is date + timedelta inside the calendar and clamps outside it."""
    # when
    moved = add_days(day, days_)
    # then
    ordinal = day.toordinal() + days_
    if ordinal > FOREVER.toordinal():
        assert moved == FOREVER
    elif ordinal < 1:
        assert moved == dt.date.min
    else:
        assert moved == dt.date.fromordinal(ordinal)


def test_a_pass_in_9998_is_valid_to_the_end_of_the_calendar() -> None:
    """A pass whose five years end after 9999-12-31 is certified with no expiry."""
    # given
    day = dt.date(9998, 3, 1)
    facts = Facts((passed("A1", day),), (two_years_before(day),), (), ())
    # when
    state = rules.evaluate(TINY, facts, dt.date(9999, 12, 30)).certifications["A1"]
    # then
    assert state.status == "certified"
    assert state.expires_on is None
    assert add_years(day, 5) == FOREVER


@settings(max_examples=150, deadline=None)
@given(facts=far_facts(), as_of=days)
def test_the_rules_core_answers_for_any_date_in_the_calendar(
    facts: Facts, as_of: dt.date
) -> None:
    """evaluate, eligibility, the title planner and the timeline all answer, on the
    shipped ASE program and the tiny one, for facts and days up to date.max."""
    for program in (ASE, TINY):
        # when
        evaluation = rules.evaluate(program, facts, as_of)
        evaluation_to_json(evaluation, program)
        for test in ("A1", "L1"):
            rules.eligibility(program, facts, test, "initial", as_of)
            rules.eligibility(program, facts, test, "recert", as_of)
        for title in program.titles:
            rules.plan_title(program, facts, title, as_of, evaluation=evaluation)
        changes = rules.timeline(program, facts, as_of)
        # then: every period is a real, ordered span of the calendar
        for state in evaluation.certifications.values():
            for period in state.periods:
                assert period.end is None or period.start < period.end
        assert all(c.day <= as_of for c in changes)
