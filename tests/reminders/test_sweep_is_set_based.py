"""The sweep reads in a fixed number of queries however many certifications lie in
its window (it runs over every technician daily); staff see its record read-only in
the admin."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from certwright.reminders.models import ExpiryReminder
from certwright.reminders.selectors import reminder_choice
from certwright.reminders.services import expiry_reminders_send, reminder_preference_set
from tests.support.reminders import expires_on, reminded_technician, sweep

pytestmark = pytest.mark.django_db


def test_nothing_due_costs_the_same_for_one_or_twenty(django_assert_num_queries):
    """Twenty certifications in the window, none at a rung today: four reads (two
    of certifications, the recorded rungs, the preferences), no writes."""
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        technicians = [
            reminded_technician(passed_on=dt.date(2026, 1, 1) + dt.timedelta(days=i))
            for i in range(20)
        ]
    # a day between rungs for every one of them (their 90-day rungs have passed and
    # were sent; their 30-day rungs are ahead)
    for t in technicians:
        sweep(on=expires_on(t) - dt.timedelta(days=90))
    day = expires_on(technicians[-1]) - dt.timedelta(days=60)
    with django_assert_num_queries(4):
        result = expiry_reminders_send(on=day)
    assert (result.sent, result.skipped) == (0, 0)


def test_staff_see_the_record_and_cannot_change_it(admin_client: Client) -> None:
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        technician = reminded_technician(passed_on=dt.date(2026, 1, 1))
    sweep(on=expires_on(technician) - dt.timedelta(days=7))
    reminder_preference_set(technician_id=technician.pk, choice="last")
    assert reminder_choice(technician.pk) == "last"
    for model, pk in [
        ("expiryreminder", ExpiryReminder.objects.get(outcome="sent").pk),
        ("reminderpreference", technician.pk),
    ]:
        listing = admin_client.get(reverse(f"admin:reminders_{model}_changelist"))
        page = admin_client.get(reverse(f"admin:reminders_{model}_change", args=[pk]))
        assert listing.status_code == page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert (
            admin_client.get(reverse(f"admin:reminders_{model}_add")).status_code == 403
        )
