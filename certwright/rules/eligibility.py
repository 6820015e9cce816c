"""May this technician buy test X on day D, and if not, why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certwright.program.listing import expr_text
from certwright.program.model import Program

from . import dates
from .describe import holds
from .engine import evaluate
from .facts import Facts, Step

KINDS = ("initial", "recert")


@dataclass(frozen=True, slots=True)
class Eligibility:
    test: str
    kind: str
    day: dt.date
    allowed: bool
    reasons: tuple[Step, ...]  # why not; empty when allowed
    # When every obstacle is a wait, the first day the purchase becomes possible.
    earliest_on: dt.date | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "test": self.test,
            "kind": self.kind,
            "day": self.day.isoformat(),
            "allowed": self.allowed,
            "reasons": [r.as_dict() for r in self.reasons],
            "earliest_on": self.earliest_on.isoformat() if self.earliest_on else None,
        }


def eligibility(
    program: Program, facts: Facts, test: str, kind: str, day: dt.date
) -> Eligibility:
    """Whether ``test`` may be bought as ``kind`` (initial or recert) on ``day``."""
    reasons: list[Step] = []
    waits: list[dt.date] = []
    spec = program.tests.get(test)
    if kind not in KINDS:
        reasons.append(
            Step(
                f"unknown purchase kind {kind!r}: use initial or recert",
                code="kind_unknown",
                params=(("kind", kind),),
            )
        )
    if spec is None:
        reasons.append(
            Step(
                f"{test} is not a test of the {program.id} program",
                code="test_unknown",
                params=(("test", test), ("program", program.id)),
            )
        )
        return Eligibility(test, kind, day, False, tuple(reasons))
    if not spec.offered_on(day):
        reasons.append(
            Step(
                f"{test} is not offered on {day}",
                (),
                (f"tests.{test}",),
                code="not_offered",
                params=(("test", test), ("day", day)),
            )
        )

    known = [r for r in facts.results if r.date <= day and r.test == test]
    revocations = [
        v for v in facts.revocations if v.date <= day and (v.test in (None, test))
    ]
    last_revocation = max((v.date for v in revocations), default=None)
    valid_passes = [
        r
        for r in known
        if r.outcome == "pass" and (last_revocation is None or r.date > last_revocation)
    ]

    if kind == "recert":
        if spec.recert is None:
            reasons.append(
                Step(
                    f"{test} has no recertification test",
                    (),
                    (f"tests.{test}.recert",),
                    code="no_recert_test",
                    params=(("test", test),),
                )
            )
        elif not valid_passes:
            reasons.append(
                Step(
                    f"recertification needs an earlier pass of {test}",
                    tuple(v.ref for v in revocations),
                    ("recertification needs an earlier pass",),
                    code="recert_needs_pass",
                    params=(("test", test),),
                )
            )
        elif program.policy.recert_max_lapse_days is not None:
            state = evaluate(program, facts, day, explain=False).certifications.get(
                test
            )
            if (
                state is not None
                and state.status == "expired"
                and state.expires_on is not None
                and (day - state.expires_on).days > program.policy.recert_max_lapse_days
            ):
                reasons.append(
                    Step(
                        f"{test} lapsed on {state.expires_on}, too long ago to "
                        "recertify: take the certification test",
                        (),
                        ("policy.recert_max_lapse_days",),
                        code="lapsed_too_long",
                        params=(("test", test), ("expired_on", state.expires_on)),
                    )
                )
    elif (
        kind == "initial"
        and program.policy.initial_requires_no_prior_pass
        and valid_passes
    ):
        last = valid_passes[-1]
        also = " : buy the recertification test" if spec.recert is not None else ""
        reasons.append(
            Step(
                f"{test} was already passed on {last.date}{also}",
                (last.ref,),
                ("policy.initial_requires_no_prior_pass",),
                code="already_passed",
                params=(
                    ("test", test),
                    ("passed_on", last.date),
                    ("recert_offered", spec.recert is not None),
                ),
            )
        )

    prereqs = [p for p in spec.prerequisites if p.applies_to in (kind, "both")]
    if prereqs:
        passed = {
            r.test for r in facts.results if r.date <= day and r.outcome == "pass"
        }
        certified: set[str] = set()
        if any(p.state == "certified" for p in prereqs):
            ev = evaluate(program, facts, day, explain=False)
            certified = {
                c for c, s in ev.certifications.items() if s.status == "certified"
            }
        for i, p in enumerate(prereqs):
            have = certified if p.state == "certified" else passed
            if not holds(p.expr, have):
                reasons.append(
                    # The reason reaches candidates; the prerequisite's source
                    # note stays in the data, found by the key below.
                    Step(
                        f"{test} requires {expr_text(p.expr)} {p.state}",
                        (),
                        (f"tests.{test}.prerequisites[{i}]",),
                        code="prerequisite_missing",
                        params=(("test", test), ("prerequisite", p)),
                    )
                )

    # "After a Pass or Fail result, wait 30 full days before buying the same test
    # again"; a No Show result may be re-bought as soon as it is posted.
    sat = [r for r in known if r.outcome in ("pass", "fail")]
    if sat:
        last = max(sat, key=lambda r: r.date)
        extra = 1 if program.policy.retest_wait_full_days else 0
        wait_end = dates.add_days(last.date, program.policy.retest_wait_days + extra)
        if day < wait_end:
            reasons.append(
                Step(
                    f"{test} result on {last.date}: wait "
                    f"{program.policy.retest_wait_days} full days, until {wait_end}",
                    (last.ref,),
                    ("policy.retest_wait_days",),
                    code="retest_wait",
                    params=(
                        ("test", test),
                        ("result_on", last.date),
                        ("days", program.policy.retest_wait_days),
                        ("until", wait_end),
                    ),
                )
            )
            waits.append(wait_end)

    allowed = not reasons
    earliest = None
    if not allowed and waits and len(waits) == len(reasons):
        earliest = max(waits)
    return Eligibility(test, kind, day, allowed, tuple(reasons), earliest)
