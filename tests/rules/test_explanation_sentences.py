"""Each decision about a test reads as one whole sentence, with the facts and the
program rules it rests on."""

import pytest

from certwright import rules
from certwright.rules import Facts, Step
from tests.rules.builders import (
    D,
    credits,
    facts,
    job,
    make_program,
    passed,
    revoked,
    two_years_before,
)

MET = two_years_before(D(2010, 3, 1))
CERTIFIED = Step(
    "A1 certified from 2010-03-01: initial pass on 2010-03-01, "
    "valid 5 years to 2015-03-01",
    ("A1@2010-03-01", MET.ref),
    ("policy.validity_years", "experience.rules.standard"),
)
MONTHLY = [D(2016, m, 2) for m in range(1, 9)]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            facts(passed("A1", D(2010, 3, 1)), MET),
            [
                CERTIFIED,
                Step("A1: certified on 2012-01-01: from 2010-03-01 until 2015-03-01"),
            ],
            id="certified",
        ),
        pytest.param(
            facts(passed("A1", D(2010, 3, 1))),
            [
                Step(
                    "A1 passed on 2010-03-01; waiting for the experience requirement "
                    "(730 days)",
                    ("A1@2010-03-01",),
                    ("experience.rules.standard",),
                ),
                Step("A1: passed, pending the experience requirement"),
            ],
            id="waiting for experience",
        ),
        pytest.param(
            facts(passed("A1", D(2010, 3, 1)), passed("A1", D(2011, 3, 1)), MET),
            [
                CERTIFIED,
                Step(
                    "A1 initial pass on 2011-03-01 extends the certification to "
                    "2016-03-01",
                    ("A1@2011-03-01",),
                    ("policy.validity_years",),
                ),
                Step("A1: certified on 2012-01-01: from 2010-03-01 until 2016-03-01"),
            ],
            id="a later pass extends",
        ),
        pytest.param(
            facts(passed("A1", D(2010, 3, 1)), MET, revoked("A1", D(2011, 6, 1))),
            [
                CERTIFIED,
                Step(
                    "A1 revoked on 2011-06-01: misconduct",
                    ("revocation@2011-06-01",),
                    ("revocation",),
                ),
                Step("A1: revoked on 2011-06-01"),
            ],
            id="revoked",
        ),
    ],
)
def test_decisions_read_as_sentences(program, given: Facts, expected: list[Step]):
    """The explanation of a certification says what happened to each fact."""
    # when
    state = rules.evaluate(program, given, D(2012, 1, 1)).certifications["A1"]
    # then
    assert list(state.explanation) == expected


def test_renewal_credits_read_as_sentences(program):
    """Credits over the monthly limit, and credits that reinstate a lapsed
    certification, each say so."""
    # given
    over = D(2016, 8, 20)
    given = facts(passed("A1", D(2010, 3, 1)), MET, *credits("A1", [*MONTHLY, over]))
    # when
    state = rules.evaluate(program, given, D(2018, 1, 1)).certifications["A1"]
    # then
    assert list(state.explanation) == [
        Step(
            "A1 renewal credit on 2016-08-20 is over the monthly limit",
            (f"credit:A1@{over}",),
            ("renewal.questions_per_month",),
        ),
        CERTIFIED,
        Step(
            "A1 reinstated on 2016-08-02 to 2017-08-02 by renewal credits after it "
            "had lapsed",
            tuple(f"credit:A1@{d}" for d in MONTHLY),
            ("renewal.credits_for_extension", "renewal.extend_from"),
        ),
        Step("A1: expired on 2017-08-02"),
    ]


def test_late_recertification_reads_as_a_sentence():
    """A recertification too long after the lapse says when the lapse was."""
    # given
    program = make_program(recert_max_lapse_days=365)
    given = facts(
        passed("A1", D(2010, 3, 1)), passed("A1", D(2017, 3, 1), "recert"), MET
    )
    # when
    state = rules.evaluate(program, given, D(2018, 1, 1)).certifications["A1"]
    # then
    assert list(state.explanation) == [
        CERTIFIED,
        Step(
            "A1 recertification on 2017-03-01 is too long after the certification "
            "lapsed on 2015-03-01",
            ("A1@2017-03-01",),
            ("policy.recert_max_lapse_days",),
        ),
        Step("A1: expired on 2015-03-01"),
    ]


def test_experience_reads_as_a_sentence(program):
    """The experience rule's step says when it was met, or when it will be."""
    # given
    given = facts(passed("A1", D(2010, 3, 1)), job(D(2009, 1, 1), None))
    # when
    evaluation = rules.evaluate(program, given, D(2010, 6, 1))
    # then
    assert evaluation.explanation[0] == Step(
        "experience rule standard (730 days) not met on 2010-06-01; "
        "on current records it will be met on 2011-01-01",
        ("employment@2009-01-01",),
        ("experience.rules.standard",),
    )
