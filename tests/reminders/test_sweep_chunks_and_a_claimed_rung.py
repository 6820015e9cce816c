"""The sweep sends its rungs in chunks, one transaction each; when another run
claims a rung of a chunk between the sweep's read and its insert, the chunk rolls
back and goes again one rung at a time: every other rung is sent once, the claimed
one is left to its claimer, and no e-mail of the rolled-back chunk leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from certwright.audit.models import Event
from certwright.notifications.models import OutboundEmail
from certwright.reminders import services as reminder_services
from certwright.reminders.models import ExpiryReminder, ReminderOutcome
from tests.support.reminders import expires_on, reminded_technician, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def three() -> list[int]:
    """Three technicians whose A1 expires on the same day."""
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        return [reminded_technician(passed_on=dt.date(2026, 1, 1)).pk for _ in range(3)]


def test_a_sweep_over_several_chunks_sends_each_rung_once(
    three: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given chunks of two rungs
    monkeypatch.setattr(reminder_services, "CHUNK", 2)
    day = expires_on(reminder_services.Technician.objects.get(pk=three[0]))
    day -= dt.timedelta(days=30)
    # when the sweep runs
    result, sent = sweep(on=day)
    # then three e-mails, three rows, three events: one per technician
    assert (result.sent, len(sent)) == (3, 3)
    assert ExpiryReminder.objects.filter(offset_days=-30).count() == 3
    assert Event.objects.filter(kind="expiry_reminder.sent").count() == 3
    assert sorted(
        ExpiryReminder.objects.filter(offset_days=-30).values_list(
            "email__to", flat=True
        )
    ) == sorted(m.to for m in sent)


def test_a_rung_claimed_by_another_run_is_left_to_it(
    three: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the sweep reads its rungs, and another run then claims the middle one
    tech = reminder_services.Technician.objects.get(pk=three[1])
    day = expires_on(tech) - dt.timedelta(days=30)
    read = reminder_services._due

    def read_then_claimed(**kwargs: Any) -> Any:
        due = read(**kwargs)
        ExpiryReminder.objects.create(
            technician_id=tech.pk,
            test="A1",
            expires_on=expires_on(tech),
            offset_days=-30,
            outcome=ReminderOutcome.SENT,
            on=day,
        )
        return due

    monkeypatch.setattr(reminder_services, "_due", read_then_claimed)
    # when the sweep runs (one chunk of three)
    result, sent = sweep(on=day)
    # then the two others are mailed once each and the claimed one not by this run
    assert result.sent == 2
    assert sorted(m.to[0] for m in sent) == sorted(
        reminder_services.Technician.objects.filter(
            pk__in=[three[0], three[2]]
        ).values_list("email", flat=True)
    )
    assert OutboundEmail.objects.count() == 2
    assert ExpiryReminder.objects.filter(offset_days=-30).count() == 3
    assert Event.objects.filter(kind="expiry_reminder.sent").count() == 2
