"""May a technician buy a test on a day, and why not."""

from certwright import rules
from tests.rules.builders import (
    D,
    facts,
    failed,
    no_show,
    passed,
    revoked,
    two_years_before,
)


def test_fresh_candidate_may_buy_any_initial_test(program):
    """With no history, an initial test without prerequisites may be bought."""
    e = rules.eligibility(program, facts(), "A1", "initial", D(2024, 1, 1))
    assert e.allowed
    assert e.reasons == ()


def test_prerequisite_missing(program):
    """L1 needs A8 passed first."""
    e = rules.eligibility(program, facts(), "L1", "initial", D(2024, 1, 1))
    assert not e.allowed
    assert "requires A8 passed" in e.reasons[0].text
    assert e.earliest_on is None
    ok = rules.eligibility(
        program, facts(passed("A8", D(2023, 1, 1))), "L1", "initial", D(2024, 1, 1)
    )
    assert ok.allowed


def test_thirty_full_days_after_a_result(program):
    """After a fail, the same test can be bought again after 30 full days."""
    f = facts(failed("A1", D(2024, 1, 1)))
    blocked = rules.eligibility(program, f, "A1", "initial", D(2024, 1, 31))
    assert not blocked.allowed
    assert blocked.earliest_on == D(2024, 2, 1)
    assert rules.eligibility(program, f, "A1", "initial", D(2024, 2, 1)).allowed


def test_no_show_has_no_wait(program):
    """A no-show may be re-bought as soon as it is posted."""
    f = facts(no_show("A1", D(2024, 1, 1)))
    assert rules.eligibility(program, f, "A1", "initial", D(2024, 1, 1)).allowed


def test_recert_needs_an_earlier_pass(program):
    """Recertification is only for a test passed before."""
    e = rules.eligibility(program, facts(), "A1", "recert", D(2024, 1, 1))
    assert not e.allowed
    assert "earlier pass" in e.reasons[0].text
    f = facts(passed("A1", D(2010, 1, 1)), two_years_before(D(2010, 1, 1)))
    assert rules.eligibility(program, f, "A1", "recert", D(2024, 1, 1)).allowed


def test_initial_after_a_pass_points_to_recert(program):
    """Someone who passed buys the recertification test, not the initial one."""
    f = facts(passed("A1", D(2010, 1, 1)))
    e = rules.eligibility(program, f, "A1", "initial", D(2024, 1, 1))
    assert not e.allowed
    assert "recertification" in e.reasons[0].text


def test_test_without_recert_version(program):
    """A test with no recertification version cannot be bought as one."""
    f = facts(passed("Z1", D(2010, 1, 1)))
    e = rules.eligibility(program, f, "Z1", "recert", D(2024, 1, 1))
    assert not e.allowed
    assert "no recertification test" in e.reasons[0].text


def test_revocation_voids_recert_eligibility(program):
    """After a revocation the earlier passes no longer open recertification."""
    f = facts(passed("A1", D(2010, 1, 1)), revoked("A1", D(2012, 1, 1)))
    assert not rules.eligibility(program, f, "A1", "recert", D(2024, 1, 1)).allowed
    assert rules.eligibility(program, f, "A1", "initial", D(2024, 1, 1)).allowed


def test_unknown_test_and_kind(program):
    """An unknown test or purchase kind is refused with a reason."""
    assert not rules.eligibility(
        program, facts(), "Q9", "initial", D(2024, 1, 1)
    ).allowed
    e = rules.eligibility(program, facts(), "A1", "retake", D(2024, 1, 1))
    assert not e.allowed
    assert "unknown purchase kind" in e.reasons[0].text


def test_several_reasons_at_once(program):
    """Every obstacle is listed, and no earliest day is promised when one is not "
    "a wait."""
    f = facts(failed("L1", D(2024, 1, 1)))
    e = rules.eligibility(program, f, "L1", "initial", D(2024, 1, 10))
    assert len(e.reasons) == 2
    assert e.earliest_on is None
