"""Derived rows never change when the facts don't."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.audit.models import Event
from certwright.credentials.models import Certification, TitleHolding
from certwright.credentials.recompute import (
    certifications_recompute_all,
    technician_recompute,
)
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Certification.objects.order_by("id").values()),
        list(TitleHolding.objects.order_by("id").values()),
        Event.objects.count(),
    )


def test_recomputing_again_writes_nothing(experienced, record_pass):
    """A second recompute with the same facts changes no row and writes no event,
    whether it runs for one technician or for everyone."""
    # given a technician with derived state
    for test in ("A1", "A4", "A8"):
        record_pass(experienced, test, ago(years=1))
    assert technician_recompute(technician_id=experienced.pk) is True
    before = _snapshot()
    # when recomputed again, singly and in bulk
    assert technician_recompute(technician_id=experienced.pk) is False
    run = certifications_recompute_all(chunk_size=10)
    # then nothing changed (the bulk run only adds its own recompute.run event)
    assert run.changed == 0
    certs, titles, events = _snapshot()
    assert (certs, titles) == before[:2]
    assert events == before[2] + 1


def test_a_later_day_before_the_next_change_writes_nothing(experienced, record_pass):
    """Recomputing on any day before ``next_change_on`` leaves the rows alone."""
    # given derived state whose next change is an expiry years away
    record_pass(experienced, "A1", ago(months=6))
    technician_recompute(technician_id=experienced.pk)
    experienced.refresh_from_db()
    day_before = experienced.next_change_on - dt.timedelta(days=1)
    before = _snapshot()
    # when recomputed as of the day before that change
    assert technician_recompute(technician_id=experienced.pk, as_of=day_before) is False
    # then the rows are the same rows
    assert _snapshot() == before
