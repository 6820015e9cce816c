"""Revocations end a certification and void the passes before them."""

from certwright import rules
from tests.rules.builders import D, facts, passed, revoked, two_years_before


def test_revocation_ends_certification_that_day(program):
    """A revoked certification is not held from the revocation day."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        two_years_before(D(2020, 3, 1)),
        revoked("A1", D(2022, 5, 1)),
    )
    assert (
        rules.evaluate(program, f, D(2022, 4, 30)).certifications["A1"].status
        == "certified"
    )
    a1 = rules.evaluate(program, f, D(2022, 5, 1)).certifications["A1"]
    assert a1.status == "revoked"
    assert a1.expires_on == D(2022, 5, 1)


def test_recert_after_revocation_does_not_count(program):
    """The passes before a revocation cannot support a recertification."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        two_years_before(D(2020, 3, 1)),
        revoked("A1", D(2022, 5, 1)),
        passed("A1", D(2023, 1, 10), "recert"),
    )
    assert (
        rules.evaluate(program, f, D(2023, 2, 1)).certifications["A1"].status
        == "revoked"
    )


def test_new_initial_pass_after_revocation_certifies_again(program):
    """A new certification test passed after a revocation certifies again."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        two_years_before(D(2020, 3, 1)),
        revoked("A1", D(2022, 5, 1)),
        passed("A1", D(2023, 1, 10)),
    )
    a1 = rules.evaluate(program, f, D(2023, 2, 1)).certifications["A1"]
    assert a1.status == "certified"
    assert a1.certified_on == D(2023, 1, 10)


def test_revocation_of_everything(program):
    """A revocation without a test withdraws every certification."""
    f = facts(
        passed("A1", D(2020, 3, 1)),
        passed("A2", D(2020, 3, 1)),
        two_years_before(D(2020, 3, 1)),
        revoked(None, D(2021, 1, 1)),
    )
    ev = rules.evaluate(program, f, D(2021, 2, 1))
    assert {c.status for c in ev.certifications.values()} == {"revoked"}
