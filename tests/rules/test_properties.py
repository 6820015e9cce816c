"""Invariants of the rules core, checked on generated facts."""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.rules import Facts, TestResult
from certwright.rules.interchange import evaluation_to_json
from tests.support.rule_facts import PROGRAM, TESTS, all_facts, days


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
