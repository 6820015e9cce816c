"""The admin's bulk approve of experience is the portal's review: a withdrawn
record in the selection refuses the whole action with a message and changes
nothing; otherwise each record is approved with the review path's e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import experience_record_withdraw, experience_submit
from certwright.notifications.models import OutboundEmail
from tests.support.scheduling import candidate_create

pytestmark = pytest.mark.django_db

URL = reverse("admin:candidates_experiencerecord_changelist")


def _pending(n: int = 0) -> ExperienceRecord:
    return experience_submit(
        technician_id=candidate_create().pk,
        kind="employment",
        start=dt.date(2020 - 4 * n, 1, 1),
        end=dt.date(2022 - 4 * n, 1, 1),
        full_time=True,
        employer="Main Street Auto",
    )


def _approve(client: Client, *records: ExperienceRecord) -> Any:
    return client.post(
        URL,
        {"action": "approve_selected", "_selected_action": [r.pk for r in records]},
        follow=True,
    )


def test_a_withdrawn_record_refuses_the_bulk_approve(admin_client: Client) -> None:
    """One withdrawn record among the selected: an error names it, and no record is
    approved, no fact event written, no e-mail sent."""
    # given
    good, withdrawn = _pending(0), _pending(1)
    experience_record_withdraw(record_id=withdrawn.pk)
    events = Event.objects.count()

    # when
    response = _approve(admin_client, good, withdrawn)

    # then
    errors = [
        str(m) for m in response.context["messages"] if m.level == message_levels.ERROR
    ]
    assert errors
    assert "withdrew" in errors[0]
    assert not ExperienceRecord.objects.filter(approved=True).exists()
    assert Event.objects.count() == events
    assert not OutboundEmail.objects.filter(template="experience_approved").exists()


def test_the_bulk_approve_mails_the_candidate_like_the_review_page(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Approved in the admin, the record counts and its candidate is told, as
    when approved on the review page."""
    # given
    record = _pending()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        _approve(admin_client, record)

    # then
    record.refresh_from_db()
    assert record.approved
    assert OutboundEmail.objects.filter(template="experience_approved").count() == 1
