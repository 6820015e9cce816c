"""Every console action sent twice (a double click, a resent form) does what it
does once: one check-in, one attempt, one pause, one extension, one incident note,
one ending."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event, EventKind
from certwright.delivery.models import Attempt, AttemptStatus, Incident
from certwright.scheduling.models import AppointmentStatus
from tests.support.proctoring import (
    action_url,
    book,
    check_in_data,
    console_proctor,
    control_data,
    control_url,
    send,
    text_of,
)

pytestmark = pytest.mark.django_db


def _twice(client, url, data=None):
    first = client.post(url, data or {}, follow=True)
    second = client.post(url, data or {}, follow=True)
    return first, second


def _events(kind, subject):
    return Event.objects.filter(kind=kind, subject=subject).count()


def test_check_in_and_authorise_twice(client, frozen, candidate, centre, exam_form):
    # given a booked candidate
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when check-in and authorise are each sent twice
    _first, second = _twice(
        client, action_url("check_in", appointment), check_in_data()
    )
    _twice(client, control_url(appointment, "authorise"))
    # then one check-in, one identity event, one attempt
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert "Casey Candidate was already checked in." in text_of(second)
    subject = f"appointment:{appointment.pk}"
    assert _events("appointment.checked_in", subject) == 1
    assert _events("appointment.identity_checked", subject) == 1
    (attempt,) = Attempt.objects.all()
    assert _events(EventKind.ATTEMPT_AUTHORISED, f"attempt:{attempt.pk}") == 1


def test_pause_resume_extend_twice(client, frozen, started, centre):
    # given an exam in progress, the page showing its version
    appointment = started.appointment
    client.force_login(console_proctor(centre))
    subject = f"attempt:{started.pk}"
    # when the pause form is sent twice
    pause = control_data(appointment, "pause", version=started.version, reason="Break")
    _twice(client, control_url(appointment, "pause"), pause)
    # then paused once
    started.refresh_from_db()
    assert started.status == AttemptStatus.PAUSED
    assert _events(EventKind.ATTEMPT_PAUSED, subject) == 1
    # when resume is sent twice
    resume = control_data(appointment, "resume", version=started.version, reason="")
    _twice(client, control_url(appointment, "resume"), resume)
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS
    assert _events(EventKind.ATTEMPT_RESUMED, subject) == 1
    # when ten more minutes are sent twice from the same page
    budget = started.budget_seconds
    extend = control_data(
        appointment, "extend", version=started.version, minutes=10, reason="Outage"
    )
    _first, second = _twice(client, control_url(appointment, "extend"), extend)
    # then ten minutes were added, once, and the second says nothing changed
    started.refresh_from_db()
    assert started.budget_seconds == budget + 600
    assert _events(EventKind.ATTEMPT_EXTENDED, subject) == 1
    assert "Already done; nothing changed." in text_of(second)


def test_extra_time_from_an_out_of_date_page_is_not_given_twice(
    client, frozen, started, centre
):
    """A page older than a change someone else made refuses the extension and shows
    the form again, ready for the exam as it is now."""
    # given a page showing the exam, then a pause and resume from another tablet
    appointment = started.appointment
    client.force_login(console_proctor(centre))
    shown = started.version
    send(client, appointment, "pause", version=shown, reason="Break")
    started.refresh_from_db()
    send(client, appointment, "resume", version=started.version)
    # when the old page asks for extra time
    response = send(
        client, appointment, "extend", version=shown, minutes=5, reason="Noise"
    )
    # then refused, nothing added, the reason kept and the form now current
    assert response.status_code == 409
    assert "The exam changed since this page was shown" in text_of(response)
    started.refresh_from_db()
    assert started.extended_seconds == 0
    html = response.content.decode()
    assert 'value="Noise"' in html
    field = f"seat{started.appointment_test_id}-extend-version"
    assert f'name="{field}" value="{started.version}"' in html


def test_incident_note_and_end_twice(client, frozen, started, centre):
    # given
    appointment = started.appointment
    client.force_login(console_proctor(centre))
    # when the same incident note is sent twice
    note = {"incident-note": "Candidate left the room for 2 minutes"}
    _first, second = _twice(client, action_url("incident", appointment), note)
    # then one note
    assert Incident.objects.count() == 1
    assert "That note was already recorded." in text_of(second)
    # when ending is confirmed twice
    end = control_data(appointment, "end", version=started.version, reason="Misconduct")
    _twice(client, control_url(appointment, "end"), end)
    # then ended once, with one note for it
    started.refresh_from_db()
    assert started.status == AttemptStatus.VOIDED
    assert _events(EventKind.ATTEMPT_VOIDED, f"attempt:{started.pk}") == 1
    assert Incident.objects.filter(note="Misconduct").count() == 1
