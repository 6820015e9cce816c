"""Invariants of the rules core, checked on generated facts."""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.rules import Experience, Facts, RenewalCredit, Revocation, TestResult
from certwright.rules.interchange import evaluation_to_json
from tests.rules.builders import make_program

PROGRAM = make_program()
TESTS = ["A1", "A2", "A5", "A8", "H1", "H2", "H3", "S3", "T2", "L1"] + [
    f"A{n}" for n in (3, 4, 6, 7)
]
days = st.dates(dt.date(2012, 1, 1), dt.date(2030, 12, 31))


@st.composite
def results(draw: st.DrawFn) -> TestResult:
    return TestResult(
        draw(st.sampled_from(TESTS)),
        draw(days),
        draw(st.sampled_from(["initial", "recert"])),
        draw(st.sampled_from(["pass", "pass", "pass", "fail", "no_show"])),
        f"result:{draw(st.integers(0, 10**9))}",
    )


@st.composite
def experiences(draw: st.DrawFn) -> Experience:
    start = draw(days)
    length = draw(st.one_of(st.none(), st.integers(0, 2000)))
    return Experience(
        draw(st.sampled_from(["employment", "apprenticeship", "degree", "training"])),
        start,
        None if length is None else start + dt.timedelta(days=length),
        draw(st.booleans()),
        draw(st.booleans()),
        f"experience:{draw(st.integers(0, 10**9))}",
    )


@st.composite
def all_facts(draw: st.DrawFn, *, with_revocations: bool = True) -> Facts:
    return Facts(
        tuple(draw(st.lists(results(), max_size=12))),
        tuple(draw(st.lists(experiences(), max_size=4))),
        tuple(
            RenewalCredit(t, d, f"credit:{i}")
            for i, (t, d) in enumerate(
                draw(
                    st.lists(
                        st.tuples(st.sampled_from(["A1", "A5", "H3"]), days),
                        max_size=20,
                    )
                )
            )
        ),
        tuple(
            Revocation(t, d, "", f"revocation:{i}")
            for i, (t, d) in enumerate(
                draw(
                    st.lists(
                        st.tuples(st.sampled_from([None, "A1", "A5"]), days),
                        max_size=2 if with_revocations else 0,
                    )
                )
            )
        ),
    )


@settings(max_examples=300)
@given(
    all_facts(with_revocations=False),
    st.sampled_from(TESTS),
    days,
    st.sampled_from(["initial", "recert"]),
)
def test_a_later_pass_never_shortens_validity(facts, test, day, kind):
    """Adding a pass after every other fact never moves an expiry earlier."""
    # given: a pass dated on or after every fact
    latest = max(
        [r.date for r in facts.results]
        + [c.date for c in facts.renewal_credits]
        + [day]
    )
    extra = TestResult(test, latest, kind, "pass", "result:extra")
    more = Facts((*facts.results, extra), facts.experience, facts.renewal_credits, ())
    as_of = latest + dt.timedelta(days=1)
    # when
    before = rules.evaluate(PROGRAM, facts, as_of, explain=False).certifications.get(
        test
    )
    after = rules.evaluate(PROGRAM, more, as_of, explain=False).certifications.get(test)
    # then
    if before is not None and before.expires_on is not None:
        assert after is not None
        assert after.expires_on is not None
        assert after.expires_on >= before.expires_on


@settings(max_examples=300)
@given(all_facts(), days)
def test_title_held_exactly_when_all_parts_certified(facts, as_of):
    """Each title is held on a day iff its rule holds over the tests certified "
    "that day."""
    ev = rules.evaluate(PROGRAM, facts, as_of, explain=False)
    certified = {c for c, s in ev.certifications.items() if s.status == "certified"}
    for tid, title in PROGRAM.titles.items():
        assert ev.titles[tid].held == rules.holds(title.rule, certified), tid


@settings(max_examples=200)
@given(all_facts(), days, st.randoms(use_true_random=False))
def test_answer_does_not_depend_on_fact_order(facts, as_of, rnd: random.Random):
    """Shuffling the facts changes nothing in the answer, explanation included."""

    def shuffled(items):
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    other = Facts(
        shuffled(facts.results),
        shuffled(facts.experience),
        shuffled(facts.renewal_credits),
        shuffled(facts.revocations),
    )
    a = evaluation_to_json(rules.evaluate(PROGRAM, facts, as_of), PROGRAM)
    b = evaluation_to_json(rules.evaluate(PROGRAM, other, as_of), PROGRAM)
    assert a == b


@settings(max_examples=200)
@given(all_facts(), days, days)
def test_certified_status_matches_periods(facts, as_of, probe):
    """A certification's status on a day agrees with the periods known by a later "
    "day."""
    if probe > as_of:
        probe, as_of = as_of, probe
    late = rules.evaluate(PROGRAM, facts, as_of, explain=False)
    early = rules.evaluate(PROGRAM, facts, probe, explain=False)
    for code, state in early.certifications.items():
        if state.status != "certified":
            continue
        # Facts after `probe` can only add certified days or cut them by revocation.
        later = late.certifications[code]
        if not facts.revocations:
            assert any(p.contains(probe) for p in later.periods), code
