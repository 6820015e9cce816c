"""Events record who changed what and why; the bulk writer stores exactly what the
single writer does."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def test_a_single_event_stores_what_the_orm_would_store(django_user_model):
    """``event_record`` writes its row with one plain statement (audit.bulk's
    row_insert); it reads back as the ORM's own create of the same event does:
    the same JSON (dates and decimals through Django's encoder), the same aware
    time, the same actor, and the instance returned is the row read back."""
    from decimal import Decimal

    # given a user, a technician, a moment and data the JSON encoder must convert
    user = django_user_model.objects.create(username="proctor7")
    technician = technician_create(name="Ida Grant")
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=dt.UTC)
    data = {"on": dt.date(2026, 3, 4), "fee": Decimal("12.50"), "nested": [1, None]}
    fields: dict[str, Any] = {
        "kind": EventKind.FACT_UPDATED,
        "subject": "x:9",
        "technician_id": technician.pk,
        "data": data,
        "reason": "why",
        "occurred_at": when,
    }
    # when one event is recorded by the service and one by the ORM
    recorded = event_record(actor=user, **fields)
    by_orm = Event.objects.create(actor=user, actor_label="proctor7", **fields)

    # then both read back alike
    def read(pk: int) -> tuple[Any, ...]:
        e = Event.objects.get(pk=pk)
        return (
            e.occurred_at,
            e.actor_id,
            e.actor_label,
            e.technician_id,
            e.kind,
            e.subject,
            e.data,
            e.reason,
        )

    assert read(recorded.pk) == read(by_orm.pk)
    assert read(recorded.pk)[6] == {
        "on": "2026-03-04",
        "fee": "12.50",
        "nested": [1, None],
    }
    # and the returned instance is saved, of this database, with the values given
    assert not recorded._state.adding
    assert recorded._state.db == "default"
    assert (recorded.actor_id, recorded.occurred_at, recorded.kind) == (
        user.pk,
        when,
        EventKind.FACT_UPDATED,
    )
