"""Technicians whose certifications expire on a chosen day, for the one-click
recertification and the dashboard's ways to keep a certification."""

from __future__ import annotations

import datetime as dt

from certwright import rules
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.selectors import technician_facts
from certwright.credentials.services import result_record
from certwright.rules.dates import add_months
from tests.support.scheduling import user_create


def pass_day_for_expiry(expires_on: dt.date) -> dt.date:
    """The pass day that makes a certification expire on ``expires_on`` (ASE:
    valid five years from the latest pass)."""
    return add_months(expires_on, -12 * current_program().policy.validity_years)


def technician_expiring(
    expiring: dict[str, int], *, name: str = "Kim Keeper"
) -> Technician:
    """A technician with a sign-in and, for each test of ``expiring``, a pass that
    makes the certification expire that many days from today (negative: expired
    that long ago); ten years' approved experience before the first pass."""
    user = user_create()
    technician = technician_create(name=name, email=user.email, user_id=user.pk)
    passes = {
        test: pass_day_for_expiry(today() + dt.timedelta(days=days))
        for test, days in expiring.items()
    }
    first = min(passes.values(), default=today())
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=first - dt.timedelta(days=3660),
        end=first,
        approved=True,
    )
    for test, day in passes.items():
        result_record(
            technician_id=technician.pk, test=test, date=day,
            kind="initial", outcome="pass", source="test",
        )  # fmt: skip
    technician_recompute(technician_id=technician.pk)
    technician.refresh_from_db()
    return technician


def expires_on(technician: Technician, test: str, day: dt.date) -> dt.date | None:
    """What the rules core says of ``test``'s expiry on ``day``."""
    state = rules.evaluate(
        current_program(), technician_facts(technician.pk), day, explain=False
    ).certifications[test]
    return state.expires_on
