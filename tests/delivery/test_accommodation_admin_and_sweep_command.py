"""Program staff approve extra time in the admin (through the service, audited);
the ``attempts_expire`` command closes exams whose time has run out."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from certwright.audit.models import Event
from certwright.delivery.attempts import LATE_SAVE_GRACE
from certwright.delivery.models import Accommodation, AttemptStatus

pytestmark = pytest.mark.django_db


def test_staff_approve_an_accommodation_in_the_admin(client, admin_user, candidate):
    client.force_login(admin_user)
    # when program staff add 25 % extra time for A1
    response = client.post(
        reverse("admin:delivery_accommodation_add"),
        {
            "technician": candidate.pk,
            "test": "A1",
            "extra_percent": "25",
            "extra_minutes": "",
            "note": "documented reading difficulty",
        },
    )
    # then it is approved by them, and the approval is in the audit trail
    assert response.status_code == 302
    accommodation = Accommodation.objects.get()
    assert accommodation.approved_by == admin_user
    assert accommodation.is_active
    event = Event.objects.get(kind="accommodation.approved")
    assert event.technician_id == candidate.pk


def test_the_sweep_command_auto_submits_due_attempts(started, frozen):
    frozen.move_to(started.deadline + LATE_SAVE_GRACE + dt.timedelta(seconds=1))
    out = StringIO()
    call_command("attempts_expire", stdout=out)
    assert "1 attempt(s) auto-submitted." in out.getvalue()
    started.refresh_from_db()
    assert started.status == AttemptStatus.EXPIRED
