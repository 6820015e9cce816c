"""Property: for any facts stored through the services, recorded in any order with a
recompute after each commit, the derived rows in the database equal
``rules.evaluate`` applied to those facts in one go (status and dates of every
certification, and every title ever held)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import Certification, TitleHolding
from certwright.credentials.recompute import technicians_recompute
from certwright.credentials.services import (
    renewal_credit_record,
    result_record,
    revocation_record,
)

# The automobile tests make the Master title reachable; T2 and S2 belong to other
# series and titles (and T2 to the renewal app too).
TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "T2", "S2")
TODAY = today()
EARLIEST = TODAY - dt.timedelta(days=12 * 365)

days = st.dates(min_value=EARLIEST, max_value=TODAY)


@st.composite
def experience(draw: Any) -> dict[str, Any]:
    start = draw(days)
    end = draw(st.none() | st.dates(min_value=start, max_value=TODAY))
    return {
        "kind": draw(st.sampled_from(("employment", "apprenticeship", "training"))),
        "start": start,
        "end": end,
        "full_time": draw(st.booleans()),
        "approved": draw(st.booleans()),
    }


result = st.fixed_dictionaries(
    {
        "test": st.sampled_from(TESTS),
        "date": days,
        "kind": st.sampled_from(("initial", "recert")),
        # Passes are what make certifications; weight them.
        "outcome": st.sampled_from(("pass", "pass", "pass", "fail", "no_show")),
    }
)
credit = st.fixed_dictionaries({"test": st.sampled_from(("A1", "A5")), "date": days})
revocation = st.fixed_dictionaries(
    {"test": st.none() | st.sampled_from(TESTS), "date": days}
)

facts = st.tuples(
    st.lists(experience(), max_size=3),
    st.lists(result, max_size=12),
    st.lists(credit, max_size=10),
    st.lists(revocation, max_size=1),
)


def _record(tid: int, kind: str, f: dict[str, Any]) -> None:
    if kind == "experience":
        experience_record_add(technician_id=tid, **f)
    elif kind == "result":
        result_record(technician_id=tid, source="property", **f)
    elif kind == "credit":
        renewal_credit_record(technician_id=tid, **f)
    else:
        revocation_record(technician_id=tid, reason="property test", **f)


def _expected(
    exp: list[dict[str, Any]],
    res: list[dict[str, Any]],
    cred: list[dict[str, Any]],
    rev: list[dict[str, Any]],
) -> rules.Evaluation:
    return rules.evaluate(
        current_program(),
        rules.Facts(
            results=tuple(rules.TestResult(**r) for r in res),
            experience=tuple(rules.Experience(**e) for e in exp),
            renewal_credits=tuple(rules.RenewalCredit(**c) for c in cred),
            revocations=tuple(
                rules.Revocation(reason="property test", **v) for v in rev
            ),
        ),
        TODAY,
        explain=False,
    )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=facts, order=st.randoms(use_true_random=False), bulk=st.booleans())
def test_stored_derived_state_equals_the_rules_on_the_stored_facts(
    data, order, bulk, django_capture_on_commit_callbacks
):
    """Derived rows equal ``rules.evaluate`` of the facts, however they arrived."""
    # given a fresh technician and facts shuffled into a random recording order
    exp, res, cred, rev = data
    technician = technician_create(name="Property")
    steps = (
        [("experience", e) for e in exp]
        + [("result", r) for r in res]
        + [("credit", c) for c in cred]
        + [("revocation", v) for v in rev]
    )
    order.shuffle(steps)
    # when each fact is recorded and committed (the recompute runs after each), or,
    # half the time, recorded in one go and derived by the bulk path
    if bulk:
        for kind, f in steps:
            _record(technician.pk, kind, f)
        technicians_recompute(technician_ids=[technician.pk])
    else:
        for kind, f in steps:
            with django_capture_on_commit_callbacks(execute=True):
                _record(technician.pk, kind, f)
    # then the stored rows are the rules' answer on the facts as given
    expected = _expected(exp, res, cred, rev)
    stored = {
        c.test: (c.status, c.passed_on, c.certified_on, c.expires_on)
        for c in Certification.objects.filter(technician=technician)
    }
    assert stored == {
        code: (s.status, s.passed_on, s.certified_on, s.expires_on)
        for code, s in expected.certifications.items()
    }
    titles = {
        t.title_id: (t.held, t.since, t.until)
        for t in TitleHolding.objects.filter(technician=technician)
    }
    assert titles == {
        tid: (t.held, t.since, t.until)
        for tid, t in expected.titles.items()
        if t.since is not None
    }
    technician.refresh_from_db()
    assert technician.next_change_on == expected.next_change_on
    assert not technician.is_stale
