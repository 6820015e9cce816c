"""The rules core's reasons and plans reach people through the Django layer's words
(``certwright.core.rule_words``), marked for translation, never as the core's own
English."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings

from certwright import rules
from certwright.core.rule_words import (
    REASON_CODES,
    change_words,
    plan_action_words,
    plan_expiring_words,
    plan_missing_words,
    prerequisite_words,
    step_words,
)
from certwright.program.listing import expr_text
from certwright.program.model import Program
from certwright.rules import Facts
from certwright.rules.reasons import CODES
from tests.rules.builders import (
    D,
    credits,
    facts,
    failed,
    make_program,
    passed,
    two_years_before,
)
from tests.support.rule_facts import PROGRAM, all_facts, days

RULES = Path(rules.__file__).parent


def _step_codes() -> set[str]:
    """Every literal ``code="..."`` the rules core gives a ``Step`` (the reasons'
    codes are their class names; the property test below meets the rest)."""
    codes = set()
    for path in RULES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Step":
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg == "code" and isinstance(value, ast.Constant):
                        codes.add(str(value.value))
    return codes


def test_every_reason_the_core_gives_is_worded() -> None:
    # given the codes the rules core writes out, and those of its typed reasons
    codes = _step_codes()
    assert codes, "the scan found no codes: it no longer reads the core"
    reasons = set(CODES)
    # then each one is worded here
    assert codes | reasons <= REASON_CODES


def _assert_worded_as_the_core(program: Program, facts: Facts, as_of: dt.date) -> None:
    """Worded in English, every line of the explanation trail and every change of
    the timeline reads exactly as the core's English: the words miss no parameter
    and no case."""
    # given an evaluation with its explanation
    ev = rules.evaluate(program, facts, as_of, explain=True)
    steps = [
        *ev.explanation,
        *(s for c in ev.certifications.values() for s in c.explanation),
        *(s for t in ev.titles.values() for s in t.explanation),
    ]
    changes = rules.timeline(program, facts, as_of)
    # when it is worded in English
    with translation.override("en"):
        # then each step is worded from its code, as the core says it
        for step in steps:
            assert step.code in REASON_CODES, step
            assert step_words(step) == step.text
        # and each change of the timeline
        for change in changes:
            word, detail = change_words(change)
            assert detail == change.detail
            assert word == change.change.replace("_", " ")


@settings(max_examples=300, deadline=None)
@given(all_facts(), days)
def test_the_explanation_in_english_is_the_cores_own(
    facts: Facts, as_of: dt.date
) -> None:
    _assert_worded_as_the_core(PROGRAM, facts, as_of)


MONTHLY = [D(2016, m, 2) for m in range(1, 9)]
MET = two_years_before(D(2010, 3, 1))


@pytest.mark.parametrize(
    ("policy", "given", "as_of"),
    [
        pytest.param(
            {},
            facts(passed("A1", D(2010, 3, 1)), MET, *credits("A1", MONTHLY)),
            D(2018, 1, 1),
            id="credits reinstate",
        ),
        pytest.param(
            {},
            facts(
                passed("A1", D(2013, 3, 1)),
                MET,
                *credits("A1", [*MONTHLY, D(2016, 8, 20)]),
            ),
            D(2018, 1, 1),
            id="credits extend, one over the monthly limit",
        ),
        pytest.param(
            {"recert_max_lapse_days": 365},
            facts(
                passed("A1", D(2010, 3, 1)), passed("A1", D(2017, 3, 1), "recert"), MET
            ),
            D(2018, 1, 1),
            id="recertification too late",
        ),
    ],
)
def test_renewals_and_late_recertification_are_worded_as_the_core(
    policy: dict[str, object], given: Facts, as_of: dt.date
) -> None:
    # (cases random facts seldom reach)
    _assert_worded_as_the_core(make_program(**policy), given, as_of)


def test_a_reason_is_worded_from_its_code_and_parameters() -> None:
    # given a technician without L1's prerequisite, and one who failed A1 lately
    program = make_program()
    missing = rules.eligibility(program, facts(), "L1", "initial", D(2024, 1, 1))
    waiting = rules.eligibility(
        program, facts(failed("A1", D(2024, 1, 1))), "A1", "initial", D(2024, 1, 10)
    )
    # when their reasons are worded in English
    with translation.override("en"):
        words = [step_words(s) for s in missing.reasons + waiting.reasons]
    # then they say what the core says
    assert words == [
        "L1 requires A8 passed",
        "A1 result on 2024-01-01: wait 30 full days, until 2024-02-01",
    ]
    assert words == [s.text for s in missing.reasons + waiting.reasons]


def test_a_prerequisite_says_which_test_it_is_for() -> None:
    # given the program's prerequisites
    program = make_program()
    prerequisites = [p for test in program.tests.values() for p in test.prerequisites]
    assert prerequisites
    # then each is worded with its requirement and, where it applies to one kind
    # of test only, that kind
    with translation.override("en"):
        for prerequisite in prerequisites:
            words = prerequisite_words(prerequisite)
            assert words.startswith(expr_text(prerequisite.expr))
            if prerequisite.applies_to == "initial":
                assert words.endswith("(for the first test)")


def test_a_plan_is_worded_as_the_core_spells_it() -> None:
    # given plans of every title for a technician with a few certifications, one
    # of them about to expire
    program = make_program()
    history = facts(
        two_years_before(D(2019, 3, 1)),
        passed("A1", D(2019, 3, 1)),
        passed("A4", D(2023, 1, 1)),
        passed("A8", D(2023, 1, 1)),
    )
    plans = [
        rules.plan_title(program, history, title, D(2024, 1, 1), horizon_days=365 * 5)
        for title in program.titles
    ]
    # when they are worded in English
    with translation.override("en"):
        missing = [[plan_missing_words(i) for i in p.missing_items] for p in plans]
        expiring = [[plan_expiring_words(i) for i in p.expiring_items] for p in plans]
        actions = [plan_action_words(i, program) for p in plans for i in p.items]
    # then they read as the core's English lists
    assert missing == [list(p.missing) for p in plans]
    assert expiring == [list(p.expiring) for p in plans]
    assert any(p.missing for p in plans)
    assert any(p.expiring for p in plans)
    # and each requirement not met says what to do, as the core says it
    assert actions == [i.action for p in plans for i in p.items]
    assert {i.action_code for p in plans for i in p.items if not i.satisfied} - {"none"}
