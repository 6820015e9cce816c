"""Ending an exam at the console: a confirmation step with the reason, then the
attempt is over, not scored, with no result fact, and the reason is an incident
note."""

from __future__ import annotations

import pytest

from certwright.credentials.models import TestResult
from certwright.delivery.models import AttemptStatus, Incident
from tests.support.delivery import form_items, save
from tests.support.proctoring import (
    console_proctor,
    control_url,
    day_url,
    send,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_end_asks_first_then_ends_without_a_result(client, frozen, started, centre):
    # given an exam in progress with answers saved
    appointment = started.appointment
    items = form_items(started)
    save(started, items["A1-001"], seq=1, choice=0)
    proctor = console_proctor(centre)
    client.force_login(proctor)
    # when the proctor chooses End
    confirm = client.get(control_url(appointment, "end"))
    # then they are asked to confirm, with a reason, and nothing happened yet
    assert confirm.status_code == 200
    assert "End the A1 exam of Casey Candidate?" in text_of(confirm)
    assert "It is not scored and no result is recorded" in text_of(confirm)
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS
    # when they confirm without a reason
    response = send(client, appointment, "end", version=started.version, reason="")
    # then refused, still running
    assert response.status_code == 400
    assert "Say why the exam is ended." in text_of(response)
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS
    # when they confirm with the reason
    response = send(
        client,
        appointment,
        "end",
        version=started.version,
        reason="Phone used during the exam",
        follow=True,
    )
    # then the exam is over, unscored, without a result fact
    started.refresh_from_db()
    assert started.status == AttemptStatus.VOIDED
    assert started.ended_by == "proctor"
    assert (started.raw_score, started.passed, started.result_id) == (None, None, None)
    assert not TestResult.objects.filter(technician=started.technician).exists()
    assert "A1 is ended; it will not be scored." in text_of(response)
    # then the reason is an incident note on the attempt, shown on the sitting
    (incident,) = Incident.objects.filter(attempt=started)
    assert incident.note == "Phone used during the exam"
    assert incident.created_by_id == proctor.pk
    assert "Phone used during the exam" in text_of(response)
    # then the board shows it ended
    assert "A1 ended by the proctor" in text_of(client.get(day_url(centre)))
