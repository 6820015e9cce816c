"""Explanation texts are complete sentences with the dates filled in."""

from certwright import rules
from tests.rules.builders import (
    D,
    credits,
    facts,
    passed,
    revoked,
    two_years_before,
)


def test_no_placeholder_left_in_any_explanation(program):
    """No step shows an unfilled {placeholder}."""
    f = facts(
        *[passed(f"A{n}", D(2020, 3, 1)) for n in range(1, 9)],
        passed("A1", D(2019, 1, 1), "recert"),
        passed("L1", D(2020, 6, 1)),
        two_years_before(D(2020, 3, 1)),
        *credits("A2", [D(2024, m, 2) for m in range(1, 10)]),
        revoked("A3", D(2023, 1, 1)),
    )
    for day in (D(2020, 4, 1), D(2024, 12, 1), D(2026, 1, 1)):
        ev = rules.evaluate(program, f, day)
        steps = [*ev.explanation]
        for c in ev.certifications.values():
            steps.extend(c.explanation)
        for t in ev.titles.values():
            steps.extend(t.explanation)
        assert steps
        for step in steps:
            assert "{" not in step.text, step.text
            assert "}" not in step.text, step.text
