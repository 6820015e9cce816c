"""Short constructors for facts and a small program (series A, H, S, T, L; tests
named for them), for the tests of the rules core."""

from __future__ import annotations

import datetime as dt

from certwright.program.model import (
    AllOf,
    AnyOf,
    Blueprint,
    ContentArea,
    ExperienceKind,
    ExperiencePolicy,
    ExperienceRule,
    FeePeriod,
    Group,
    OnePerGroup,
    Policy,
    Prerequisite,
    Program,
    RecertSpec,
    RenewalPolicy,
    Series,
    Test,
    TestRef,
    Title,
)
from certwright.rules import Experience, Facts, RenewalCredit, Revocation, TestResult

D = dt.date


def passed(test: str, day: dt.date, kind: str = "initial", ref: str = "") -> TestResult:
    return TestResult(test, day, kind, "pass", ref or f"{test}@{day}")  # type: ignore[arg-type]


def failed(test: str, day: dt.date, kind: str = "initial") -> TestResult:
    return TestResult(test, day, kind, "fail", f"{test}-fail@{day}")  # type: ignore[arg-type]


def no_show(test: str, day: dt.date) -> TestResult:
    return TestResult(test, day, "initial", "no_show", f"{test}-noshow@{day}")


def job(
    start: dt.date,
    end: dt.date | None,
    *,
    full_time: bool = True,
    kind: str = "employment",
    approved: bool = True,
) -> Experience:
    return Experience(kind, start, end, full_time, approved, f"{kind}@{start}")


def two_years_before(day: dt.date) -> Experience:
    """Full-time employment that meets the standard rule exactly on ``day``."""
    return job(day - dt.timedelta(days=730), day - dt.timedelta(days=1))


def credits(test: str, days: list[dt.date]) -> tuple[RenewalCredit, ...]:
    return tuple(RenewalCredit(test, d, f"credit:{test}@{d}") for d in days)


def revoked(test: str | None, day: dt.date, reason: str = "misconduct") -> Revocation:
    return Revocation(test, day, reason, f"revocation@{day}")


def facts(*items: object) -> Facts:
    return Facts(
        results=tuple(i for i in items if isinstance(i, TestResult)),
        experience=tuple(i for i in items if isinstance(i, Experience)),
        renewal_credits=tuple(i for i in items if isinstance(i, RenewalCredit)),
        revocations=tuple(i for i in items if isinstance(i, Revocation)),
    )


def make_test(code: str, series: str, **kw: object) -> Test:
    bp = Blueprint(D(2000, 1, 1), 2, 0, 30, (ContentArea("A", "All", 2),))
    defaults: dict[str, object] = {
        "experience_rule": "standard",
        "recert": RecertSpec(1, 10),
        "renewable_by_app": series == "A",
    }
    defaults.update(kw)
    return Test(code, f"Test {code}", series, (bp,), **defaults)  # type: ignore[arg-type]


def make_program(**policy: object) -> Program:
    tests = {}
    for n in range(1, 10):
        tests[f"A{n}"] = make_test(f"A{n}", "A")
    for s in "HST":
        for n in range(1, 9):
            tests[f"{s}{n}"] = make_test(f"{s}{n}", s)
    tests["L1"] = make_test(
        "L1",
        "L",
        experience_rule="advanced",
        prerequisites=(Prerequisite(TestRef("A8"), "passed", "initial"),),
    )
    tests["Z1"] = make_test("Z1", "A", recert=None)
    kinds = {
        "employment": ExperienceKind("employment", "Employment", "time"),
        "apprenticeship": ExperienceKind("apprenticeship", "Apprenticeship", "time"),
        "degree": ExperienceKind(
            "degree", "Two-year degree", "fixed", credit_days=365, substitution=True
        ),
        "training": ExperienceKind("training", "Training", "time", substitution=True),
    }
    rules = {
        "standard": ExperienceRule("standard", 730, 365),
        "advanced": ExperienceRule("advanced", 1095, 365),
    }
    titles = {
        "master-a": Title(
            "master-a", "Master A", AllOf(tuple(TestRef(f"A{n}") for n in range(1, 9)))
        ),
        "master-h": Title(
            "master-h",
            "Master H",
            AllOf(
                (
                    AnyOf((TestRef("H1"), TestRef("H2"))),
                    *(TestRef(f"H{n}") for n in range(3, 9)),
                )
            ),
        ),
        "master-mhv": Title(
            "master-mhv",
            "Master MHV",
            OnePerGroup(
                tuple(
                    Group(f"area {n}", tuple(TestRef(f"{s}{n}") for s in "HST"))
                    for n in range(2, 8)
                )
            ),
        ),
    }
    return Program(
        id="tiny",
        name="Tiny program",
        version="1",
        body="Tests",
        series={c: Series(c, c) for c in "AHSTL"},
        tests=tests,
        experience=ExperiencePolicy(kinds, rules, "standard"),
        policy=Policy(**policy),  # type: ignore[arg-type]
        renewal=RenewalPolicy(eligible_series=("A",)),
        fees=(
            FeePeriod(
                D(2000, 1, 1), None, "USD", 3600, "order", {"standard": 4300}, 12900
            ),
        ),
        titles=titles,
    )
