"""Pause, resume and extra time at the console change the time left as the board
and the sitting show it: the clock stops while paused, the extra minutes are
added, and every change has its reason in the audit trail."""

from __future__ import annotations

import pytest

from certwright.audit.models import Event, EventKind
from certwright.delivery.models import AttemptStatus
from tests.support.proctoring import (
    console_proctor,
    day_url,
    send,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_pause_resume_and_extend_change_the_time_left_shown(
    client, frozen, started, centre
):
    # given an A1 exam started at 09:05 with 75 minutes, ten minutes in
    appointment = started.appointment
    client.force_login(console_proctor(centre))
    frozen.shift(10 * 60)
    assert "A1 in progress 65 min left" in text_of(client.get(day_url(centre)))
    # when the proctor pauses it with a reason
    response = send(
        client,
        appointment,
        "pause",
        version=started.version,
        reason="Fire alarm",
        follow=True,
    )
    # then it is paused with 65 minutes left
    assert "A1 is paused with 65:00 left" in text_of(response)
    # when twenty minutes pass
    frozen.shift(20 * 60)
    # then the clock has not moved
    assert "A1 paused 65 min left" in text_of(client.get(day_url(centre)))
    # when the proctor resumes
    started.refresh_from_db()
    send(client, appointment, "resume", version=started.version, reason="")
    frozen.shift(5 * 60)
    # then it runs again from where it stopped
    assert "A1 in progress 60 min left" in text_of(client.get(day_url(centre)))
    # when the proctor gives ten minutes more
    started.refresh_from_db()
    response = send(
        client,
        appointment,
        "extend",
        version=started.version,
        minutes=10,
        reason="Network outage",
        follow=True,
    )
    # then 70 minutes are left, shown on the sitting and the board
    assert "A1 has extra time: 70:00 left now." in text_of(response)
    assert "70 min left" in text_of(client.get(sitting_url(appointment)))
    assert "A1 in progress 70 min left" in text_of(client.get(day_url(centre)))
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS
    # then the reasons are in the audit trail
    reasons = dict(
        Event.objects.filter(subject=f"attempt:{started.pk}").values_list(
            "kind", "reason"
        )
    )
    assert reasons[EventKind.ATTEMPT_PAUSED] == "Fire alarm"
    assert reasons[EventKind.ATTEMPT_EXTENDED] == "Network outage"


def test_a_pause_needs_a_reason_and_extra_time_a_valid_amount(
    client, frozen, started, centre
):
    """Bad input is refused with the reason and loses nothing typed."""
    # given
    appointment = started.appointment
    client.force_login(console_proctor(centre))
    # when a pause is sent without a reason
    response = send(client, appointment, "pause", version=started.version, reason="")
    # then refused, still running
    assert response.status_code == 400
    assert "Say why the exam is paused." in text_of(response)
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS
    # when extra time out of range is asked, with a reason typed
    response = send(
        client,
        appointment,
        "extend",
        version=started.version,
        minutes=500,
        reason="Candidate's screen froze",
    )
    # then refused, the reason still in its field, nothing added
    assert response.status_code == 400
    html = response.content.decode()
    assert "less than or equal to 240" in text_of(response)
    assert 'value="Candidate&#x27;s screen froze"' in html
    started.refresh_from_db()
    assert started.extended_seconds == 0
