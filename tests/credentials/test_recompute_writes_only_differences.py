"""A recompute replaces exactly the derived rows that differ, in one transaction,
and writes an event with before, after and why for every change."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from certwright.audit.models import Event, EventKind
from certwright.credentials import recompute as recompute_module
from certwright.credentials.models import Certification, TitleHolding
from certwright.credentials.recompute import technician_recompute
from certwright.rules.dates import add_years
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

MASTER = "master-automobile"
A_TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")


@pytest.fixture
def master(experienced, record_pass):
    """A Master Automobile technician whose A5 pass is the oldest of the eight."""
    for i, test in enumerate(A_TESTS):
        record_pass(experienced, test, ago(years=2, days=0 if test == "A5" else -i - 1))
    technician_recompute(technician_id=experienced.pk)
    return experienced


def _rows(technician):
    return {
        c.test: (c.pk, c.status, c.expires_on, c.computed_as_of)
        for c in Certification.objects.filter(technician=technician)
    }


def test_an_expiry_rewrites_only_that_certification_and_the_title(master):
    """When A5 expires, only A5's row and the title's row change; each change has an
    event naming the transition."""
    # given the stored state and the day A5 expires
    before = _rows(master)
    a5_expiry = add_years(ago(years=2), 5)
    assert before["A5"][2] == a5_expiry
    events_before = Event.objects.count()
    # when the technician is recomputed as of that day
    changed = technician_recompute(technician_id=master.pk, as_of=a5_expiry)
    # then A5 is expired in place (same row) and the others are untouched
    assert changed is True
    after = _rows(master)
    assert after["A5"][0] == before["A5"][0]
    assert after["A5"][1] == "expired"
    assert after["A5"][3] == a5_expiry
    assert {t: r for t, r in after.items() if t != "A5"} == {
        t: r for t, r in before.items() if t != "A5"
    }
    title = TitleHolding.objects.get(technician=master, title_id=MASTER)
    assert (title.held, title.until) == (False, a5_expiry)
    # then exactly two events were written: the certification and the title
    events = list(Event.objects.order_by("id")[events_before:])
    assert [(e.kind, e.subject) for e in events] == [
        (EventKind.CERTIFICATION_CHANGED, "certification:A5"),
        (EventKind.TITLE_CHANGED, f"title:{MASTER}"),
    ]
    cert_event = events[0]
    assert cert_event.technician_id == master.pk
    assert cert_event.data["before"]["status"] == "certified"
    assert cert_event.data["after"]["status"] == "expired"
    assert cert_event.reason.startswith("A5: certified → expired")
    assert events[1].data["before"]["held"] is True
    assert events[1].data["after"]["held"] is False


def test_the_next_change_day_is_stored_for_the_daily_sweep(master):
    """``next_change_on`` is the first expiry among the technician's certifications."""
    # given a recomputed master technician
    master.refresh_from_db()
    # then the sweep day is the earliest expiry (A5's)
    assert master.next_change_on == add_years(ago(years=2), 5)


def test_a_failure_while_writing_leaves_the_old_rows(master):
    """The derived rows, the technician's versions and the events are written in one
    transaction: a failure in the last write leaves everything as it was."""
    # given the stored state
    before = _rows(master)
    master.refresh_from_db()
    versions = (master.facts_version, master.derived_version, master.next_change_on)
    events_before = Event.objects.count()
    # when the recompute fails while writing its events
    with (
        mock.patch.object(
            recompute_module,
            "events_record_bulk",
            side_effect=RuntimeError("disk full"),
        ),
        pytest.raises(RuntimeError),
    ):
        technician_recompute(
            technician_id=master.pk, as_of=add_years(ago(years=2), 5) + dt.timedelta(1)
        )
    # then nothing changed
    assert _rows(master) == before
    master.refresh_from_db()
    assert (
        master.facts_version,
        master.derived_version,
        master.next_change_on,
    ) == versions
    assert Event.objects.count() == events_before
