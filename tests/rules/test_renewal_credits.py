"""Renewal credits: eight in a year extend a certification by a year."""

from certwright import rules
from tests.rules.builders import D, credits, facts, passed, two_years_before


def monthly(year: int, months: range, day: int = 5) -> list:
    return [D(year, m, day) for m in months]


def base():
    return [passed("A1", D(2020, 3, 1)), two_years_before(D(2020, 3, 1))]


def test_eight_credits_in_a_year_extend_by_a_year(program):
    """The eighth credit inside twelve months adds twelve months to the expiry."""
    f = facts(*base(), *credits("A1", monthly(2024, range(1, 9))))
    a1 = rules.evaluate(program, f, D(2025, 1, 1)).certifications["A1"]
    assert a1.expires_on == D(2026, 3, 1)
    assert a1.extensions == (D(2024, 8, 5),)


def test_seven_credits_earn_nothing(program):
    """Fewer than eight credits leave the expiry alone."""
    f = facts(*base(), *credits("A1", monthly(2024, range(1, 8))))
    assert rules.evaluate(program, f, D(2025, 1, 1)).certifications[
        "A1"
    ].expires_on == D(2025, 3, 1)


def test_one_credit_a_month_counts(program):
    """A second credit in the same month for the same area does not count."""
    days = [D(2024, 1, 5), D(2024, 1, 20), *monthly(2024, range(2, 8))]
    f = facts(*base(), *credits("A1", days))
    a1 = rules.evaluate(program, f, D(2025, 1, 1)).certifications["A1"]
    assert a1.extensions == ()


def test_credits_must_fall_within_the_window(program):
    """Eight credits spread over more than twelve months earn no extension."""
    days = [D(2022, m, 5) for m in (1, 3, 5, 7, 9, 11)] + [D(2023, 1, 5), D(2023, 3, 5)]
    f = facts(*base(), *credits("A1", days))
    assert (
        rules.evaluate(program, f, D(2024, 1, 1)).certifications["A1"].extensions == ()
    )


def test_extensions_stack(program):
    """Two full years of credits give two extensions."""
    days = monthly(2023, range(1, 13)) + monthly(2024, range(1, 5))
    f = facts(*base(), *credits("A1", days))
    assert rules.evaluate(program, f, D(2025, 1, 1)).certifications[
        "A1"
    ].expires_on == D(2027, 3, 1)


def test_lapsed_certification_is_reinstated_from_the_extension_day(program):
    """Credits earned after expiry reinstate the certification for a year."""
    f = facts(*base(), *credits("A1", monthly(2025, range(4, 12))))
    a1 = rules.evaluate(program, f, D(2025, 12, 1)).certifications["A1"]
    assert a1.status == "certified"
    assert a1.certified_on == D(2025, 11, 5)
    assert a1.expires_on == D(2026, 11, 5)


def test_credits_before_the_first_pass_do_not_count(program):
    """Only tests passed before a credit earn it."""
    f = facts(
        passed("A1", D(2024, 9, 1)),
        two_years_before(D(2024, 9, 1)),
        *credits("A1", monthly(2024, range(1, 9))),
    )
    assert (
        rules.evaluate(program, f, D(2025, 1, 1)).certifications["A1"].extensions == ()
    )


def test_series_outside_the_app_earn_nothing(program):
    """Credits for a test the renewal app does not carry are ignored, with a reason."""
    f = facts(
        passed("H4", D(2020, 3, 1)),
        two_years_before(D(2020, 3, 1)),
        *credits("H4", monthly(2024, range(1, 9))),
    )
    h4 = rules.evaluate(program, f, D(2024, 12, 1)).certifications["H4"]
    assert h4.extensions == ()
    assert any("not in the renewal app" in s.text for s in h4.explanation)
