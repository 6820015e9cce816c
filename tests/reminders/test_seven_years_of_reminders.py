"""Seven years of the daily sweep: each rung of the ladder is e-mailed once per
certification and expiry date, a recertification arms the ladder again for the new
expiry, and after a one-click unsubscribe nothing more is sent."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from certwright.reminders.models import ExpiryReminder, ReminderOutcome
from tests.support.reminders import expires_on, parsed, reminded_technician, sweep

pytestmark = pytest.mark.django_db

START = dt.date(2030, 3, 1)
DAY = dt.timedelta(days=1)


def test_seven_years_each_rung_once_rearmed_by_recertification_none_after_unsubscribe():
    """A1 passed four years before the walk starts: its five rungs go out on their
    days; recertified two months after it lapsed, the new expiry's rungs start
    again; unsubscribed 60 days before the new expiry, the rest never come."""
    # given a technician certified in A1, passed four years before the walk
    with time_machine.travel(START, tick=False) as traveller:
        technician = reminded_technician(passed_on=dt.date(2026, 3, 1))
        first = expires_on(technician)
        assert first == dt.date(2031, 3, 1)  # five years from the pass
        recertify_on = first + dt.timedelta(days=60)
        second: dt.date | None = None
        unsubscribe_on: dt.date | None = None
        client = Client()
        mails_by_day: dict[dt.date, list[str]] = {}
        last_unsubscribe = ""

        # when the sweep runs every day for seven years
        day = START
        while day < dt.date(2037, 3, 1):
            traveller.move_to(dt.datetime.combine(day, dt.time(6), dt.UTC))
            if day == recertify_on:
                result_record(
                    technician_id=technician.pk, test="A1", date=day,
                    kind="recert", outcome="pass", source="test",
                )  # fmt: skip
                technician_recompute(technician_id=technician.pk)
                second = expires_on(technician)
                unsubscribe_on = second - dt.timedelta(days=60)
            if day == unsubscribe_on:
                # the one-click POST a mail client makes from the last reminder
                response = client.post(
                    urlsplit(last_unsubscribe).path,
                    {"List-Unsubscribe": "One-Click"},
                )
                assert response.status_code == 200
            result, sent = sweep()
            assert result.sent == len(sent)
            for message in sent:
                assert message.to == [technician.email]
                header = parsed(message)["List-Unsubscribe"]
                last_unsubscribe = str(header).strip().strip("<>")
                mails_by_day.setdefault(day, []).append(message.subject)
            day += DAY

    # then the first expiry's ladder went out rung by rung, on each rung's day
    assert second == dt.date(2036, 4, 30)  # five years from the recertification
    sent_rows = list(
        ExpiryReminder.objects.filter(outcome=ReminderOutcome.SENT)
        .order_by("on")
        .values_list("expires_on", "offset_days", "on")
    )
    assert [(e, o) for e, o, _ in sent_rows] == [
        (first, -180),
        (first, -90),
        (first, -30),
        (first, -7),
        (first, 30),
        # armed again by the recertification: the new expiry's ladder
        (second, -180),
        (second, -90),
        # unsubscribed 60 days before the new expiry: nothing after
    ]
    assert all(on == e + dt.timedelta(days=o) for e, o, on in sent_rows)
    assert sorted(mails_by_day) == [on for _, _, on in sent_rows]
    assert all(len(subjects) == 1 for subjects in mails_by_day.values())
    assert mails_by_day[first - dt.timedelta(days=7)] == [
        "Your A1 certification expires in 7 days (valid through 2031-02-28)"
    ]
    assert mails_by_day[first + dt.timedelta(days=30)] == [
        "Your A1 certification expired (valid through 2031-02-28)"
    ]
    # no rung was passed over: the sweep ran every day
    assert not ExpiryReminder.objects.filter(outcome=ReminderOutcome.SKIPPED).exists()
