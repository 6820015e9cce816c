"""The sweep sends only the latest rung due (a missed 180-day rung is passed over
when 30 days are left), a second run the same day sends nothing, a rung missed by
more than catch_up_days is not sent late, and a technician without an address is
recorded, not mailed. The command and the task run the same sweep."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from certwright.audit.models import Event
from certwright.credentials.models import Certification
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import renewal_credit_record, revocation_record
from certwright.reminders.models import ExpiryReminder, ReminderOutcome
from certwright.reminders.tasks import expiry_reminders_task
from tests.support.reminders import expires_on, reminded_technician, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def technician():
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        return reminded_technician(passed_on=dt.date(2026, 1, 1))


def test_a_stale_rung_is_passed_over_for_the_latest(technician) -> None:
    """First run with 30 days left: the 30-day reminder goes, 180 and 90 are
    recorded as skipped and never sent."""
    end = expires_on(technician)
    result, sent = sweep(on=end - dt.timedelta(days=30))
    assert (result.sent, result.skipped) == (1, 2)
    assert [m.subject for m in sent] == [
        "Your A1 certification expires in 30 days (valid through 2030-12-31)"
    ]
    rows = dict(
        ExpiryReminder.objects.values_list("offset_days", "outcome").order_by(
            "offset_days"
        )
    )
    assert rows == {
        -180: ReminderOutcome.SKIPPED,
        -90: ReminderOutcome.SKIPPED,
        -30: ReminderOutcome.SENT,
    }
    event = Event.objects.get(kind="expiry_reminder.sent")
    assert event.data["offset_days"] == -30
    assert event.data["skipped"] == [-180, -90]


def test_a_missed_rung_is_caught_up_while_it_is_the_latest(technician) -> None:
    """The 90-day rung, ten days late (80 left) still goes out; 31 days late no."""
    end = expires_on(technician)
    assert sweep(on=end - dt.timedelta(days=80))[0].sent == 1
    assert ExpiryReminder.objects.get(outcome="sent").offset_days == -90
    ExpiryReminder.objects.all().delete()
    assert sweep(on=end - dt.timedelta(days=180 - 31))[0].sent == 0


def test_a_second_run_the_same_day_sends_nothing(technician) -> None:
    """Through the command, twice: one e-mail."""
    day = (expires_on(technician) - dt.timedelta(days=7)).isoformat()
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("expiry_reminders", "send", "--on", day, stdout=out)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("expiry_reminders", "send", "--on", day, stdout=out)
    assert out.getvalue().splitlines() == [
        "1 expiry reminder(s) sent, 3 passed over",
        "0 expiry reminder(s) sent, 0 passed over",
    ]
    assert len(mail.outbox) == 1
    assert ExpiryReminder.objects.filter(outcome="sent").count() == 1


def test_the_task_runs_the_same_sweep(technician) -> None:
    day = expires_on(technician) + dt.timedelta(days=30)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = expiry_reminders_task.enqueue(on=day.isoformat())
    assert result.return_value == 1
    assert [m.subject for m in mail.outbox] == [
        "Your A1 certification expired (valid through 2030-12-31)"
    ]


def test_a_bad_day_is_refused(technician) -> None:
    with pytest.raises(CommandError, match="not a date"):
        call_command("expiry_reminders", "send", "--on", "2030-02-30")
    assert not ExpiryReminder.objects.exists()


def test_no_address_is_recorded_not_mailed() -> None:
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        technician = reminded_technician(
            passed_on=dt.date(2026, 1, 1), with_address=False
        )
    result, sent = sweep(on=expires_on(technician) - dt.timedelta(days=7))
    assert (result.sent, sent) == (0, [])
    row = ExpiryReminder.objects.get(offset_days=-7)
    assert (row.outcome, row.reason) == ("skipped", "no e-mail address")


def test_a_revoked_certification_gets_no_reminder(technician) -> None:
    """Revoked is not "expiring": nothing before the old expiry date, nor after."""
    end = expires_on(technician)
    with time_machine.travel(dt.date(2030, 2, 1), tick=False):
        revocation_record(
            technician_id=technician.pk, test="A1", date=dt.date(2030, 2, 1),
            reason="Misconduct at the test centre",
        )  # fmt: skip
        technician_recompute(technician_id=technician.pk)
    assert Certification.objects.get(technician=technician).status == "revoked"
    for days in (-7, 30):
        assert sweep(on=end + dt.timedelta(days=days))[0].sent == 0
    assert not ExpiryReminder.objects.exists()


def test_an_extension_by_renewal_credits_arms_the_ladder_again(technician) -> None:
    """Eight credits move the expiry by a year: the 7-day rung, already sent for the
    old date, goes out again for the new one."""
    # given the 7-day reminder sent for the first expiry date
    first = expires_on(technician)
    assert sweep(on=first - dt.timedelta(days=7))[0].sent == 1

    # when eight monthly renewal credits extend the certification
    with time_machine.travel(first - dt.timedelta(days=3), tick=False):
        for month in range(8):
            renewal_credit_record(
                technician_id=technician.pk,
                test="A1",
                date=first - dt.timedelta(days=240 - 30 * month),
                source="test",
            )
        technician_recompute(technician_id=technician.pk)
    second = expires_on(technician)

    # then the ladder of the new date starts empty
    assert second > first
    assert sweep(on=first - dt.timedelta(days=7))[0].sent == 0
    result, sent = sweep(on=second - dt.timedelta(days=7))
    assert result.sent == 1
    assert "expires in 7 days" in sent[0].subject
    assert set(
        ExpiryReminder.objects.filter(outcome="sent").values_list(
            "expires_on", "offset_days"
        )
    ) == {(first, -7), (second, -7)}
