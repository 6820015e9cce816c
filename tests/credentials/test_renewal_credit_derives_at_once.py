"""Property: a renewal credit brings the derived state up to date in its own
transaction, with no recompute after the commit. For credits recorded in any order
(some before the pass, several in one month, often enough to earn an extension),
after each one the stored certification equals ``rules.evaluate`` on the facts so
far and the technician is not stale. Most credits only mark the state current
(``recompute.renewal_credit_derive``); this shows that marking is never wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import Certification
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.selectors import technician_facts
from certwright.credentials.services import renewal_credit_record, result_record
from certwright.rules.dates import add_months
from tests.support.dates import ago

TODAY = today()


@st.composite
def credit_days(draw: Any) -> list[dt.date]:
    """Six to fourteen days in the last fifteen months, one a month or several in
    one (the monthly limit), so that eight inside the rolling year, an extension,
    come up often."""
    first_of_month = TODAY.replace(day=1)
    out = []
    for back in draw(st.lists(st.integers(0, 14), min_size=6, max_size=14)):
        month = add_months(first_of_month, -back)
        out.append(min(TODAY, month + dt.timedelta(days=draw(st.integers(0, 27)))))
    return out


def _stored(technician: Technician) -> tuple[Any, ...] | None:
    cert = Certification.objects.filter(technician=technician, test="A1").first()
    if cert is None:
        return None
    return (cert.status, cert.passed_on, cert.certified_on, cert.expires_on)


def _rules_say(technician: Technician) -> tuple[Any, ...] | None:
    state = rules.evaluate(
        current_program(), technician_facts(technician.pk), TODAY, explain=False
    ).certifications.get("A1")
    if state is None:
        return None
    return (state.status, state.passed_on, state.certified_on, state.expires_on)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(days=credit_days(), passed_months_ago=st.sampled_from((36, 6)))
def test_each_credit_leaves_the_derived_state_current_without_a_recompute(
    days, passed_months_ago, django_capture_on_commit_callbacks
):
    # given a fresh technician (each example its own), experienced and certified in
    # A1 by a pass three years or six months ago (credits before it do not count),
    # derived
    experienced = technician_create(name="Property")
    experience_record_add(
        technician_id=experienced.pk,
        kind="employment",
        start=ago(years=10),
        approved=True,
    )
    result_record(
        technician_id=experienced.pk,
        test="A1",
        date=ago(months=passed_months_ago),
        kind="initial",
        outcome="pass",
        source="property",
    )
    technician_recompute(technician_id=experienced.pk)
    for day in days:
        # when a credit is recorded and nothing queued for after the commit runs
        with django_capture_on_commit_callbacks(execute=False):
            renewal_credit_record(
                technician_id=experienced.pk, test="A1", date=day, source="property"
            )
        # then the stored state is the rules' answer already, and not stale
        experienced.refresh_from_db()
        assert not experienced.is_stale
        assert _stored(experienced) == _rules_say(experienced)
    # and a full recompute finds nothing to change
    assert technician_recompute(technician_id=experienced.pk) is False
