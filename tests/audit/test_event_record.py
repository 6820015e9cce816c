"""Events record who changed what and why; the bulk writer stores exactly what the
single writer does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certwright.audit.models import Event, EventKind
from certwright.audit.selectors import event_list
from certwright.audit.services import EventDraft, event_record, events_record_bulk
from certwright.candidates.services import technician_create

pytestmark = pytest.mark.django_db


def test_an_event_names_its_actor(django_user_model):
    """A user actor is stored as the user and their username; a label as a label;
    no actor as "system"."""
    # given a user
    user = django_user_model.objects.create(username="reviewer")
    # when events are recorded by a user, by a machine and by the platform
    by_user = event_record(kind=EventKind.FACT_UPDATED, subject="x:1", actor=user)
    by_cli = event_record(kind=EventKind.RECOMPUTE_RUN, subject="x:2", actor="cli")
    by_system = event_record(kind=EventKind.RECOMPUTE_RUN, subject="x:3")
    # then each names its actor
    assert (by_user.actor_id, by_user.actor_label) == (user.pk, "reviewer")
    assert (by_cli.actor_id, by_cli.actor_label) == (None, "cli")
    assert by_system.actor_label == "system"
    assert by_user.occurred_at.tzinfo is not None


def test_bulk_events_store_what_single_events_store():
    """Bulk-written events read back with the same data, dates, JSON and UTC time."""
    # given a technician and a moment
    technician = technician_create(name="Ida Grant")
    when = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    data = {"before": None, "after": {"status": "certified", "on": dt.date(2026, 3, 4)}}
    # when two events are written in bulk
    count = events_record_bulk(
        [
            EventDraft(
                EventKind.CERTIFICATION_CHANGED,
                "certification:A1",
                technician.pk,
                data,
                "A1: now certified",
            ),
            EventDraft(EventKind.TITLE_CHANGED, "title:m", technician.pk, {}, ""),
        ],
        actor="import:r.csv",
        occurred_at=when,
    )
    # then they read back as written, newest-first through the selector
    assert count == 2
    events = list(
        event_list(technician_id=technician.pk, kind=EventKind.CERTIFICATION_CHANGED)
    )
    assert len(events) == 1
    e = events[0]
    assert e.occurred_at == when
    assert timezone.is_aware(e.occurred_at)
    assert e.data == {
        "before": None,
        "after": {"status": "certified", "on": "2026-03-04"},
    }
    assert (e.actor_label, e.reason) == ("import:r.csv", "A1: now certified")
    assert (
        Event.objects.filter(technician=technician).count() == 3
    )  # + technician.created


def test_the_event_admin_is_read_only(admin_user, rf):
    """Nobody adds, edits or deletes events in the admin."""
    from django.contrib import admin

    # given the event admin and a staff request
    model_admin = admin.site._registry[Event]
    request = rf.get("/")
    request.user = admin_user
    # then every write permission is refused
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
