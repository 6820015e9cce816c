"""Random facts for property tests of the rules core (hypothesis strategies), on the
small program of ``tests.rules.builders``."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from certwright.rules import Experience, Facts, RenewalCredit, Revocation, TestResult
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
