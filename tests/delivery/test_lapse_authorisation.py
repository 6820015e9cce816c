"""An authorisation lapses at the end of its appointment: an exam authorised and
never started cannot be started days later on any device; the sweep closes it,
with no score and no result, and the appointment is completed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import TestResult
from certwright.delivery.attempts import attempt_start, attempts_lapse
from certwright.delivery.errors import DeliveryError
from certwright.delivery.launch import attempt_launch
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.scheduling.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db


def test_authorisation_ends_with_the_appointment(authorised):
    """The attempt carries its appointment's end as the end of its authorisation."""
    appointment = Appointment.objects.get(attempts=authorised)
    assert authorised.authorised_until == appointment.ends_at


def test_a_start_three_days_later_is_refused_on_a_new_device(
    frozen, authorised, candidate
):
    """Three days on, the candidate signs in on a new device: the start is refused
    and the attempt lapses (nothing to start, no clock)."""
    frozen.shift(dt.timedelta(days=3))
    client = Client()
    client.force_login(candidate.user)
    # when the new device asks for the exam and tries to start it
    page = client.get(reverse("delivery:player", args=[authorised.pk]))
    start = client.post(reverse("delivery:start", args=[authorised.pk]))
    # then the page leads to the result page of a lapsed exam and the start fails
    assert page.status_code == 302
    assert start.status_code == 409
    attempt = Attempt.objects.get(pk=authorised.pk)
    assert attempt.status == AttemptStatus.LAPSED
    assert attempt.started_at is None
    assert attempt.deadline is None
    result = client.get(reverse("delivery:result", args=[authorised.pk]))
    assert b"not started before the appointment ended" in result.content


def test_even_the_launched_workstation_cannot_start_after_the_end(
    frozen, authorised, candidate
):
    """The workstation that held the seat is refused too once the appointment is
    over; the lapse stands (it is committed before the refusal)."""
    _attempt, token = attempt_launch(
        attempt_id=authorised.pk,
        code=authorised.launch_code,
        by=candidate.user,
        device_label="workstation",
    )
    frozen.move_to(authorised.authorised_until)
    with pytest.raises(DeliveryError) as refused:
        attempt_start(attempt_id=authorised.pk, by=candidate.user, device=token)
    assert refused.value.code == "finished"
    assert Attempt.objects.get(pk=authorised.pk).status == AttemptStatus.LAPSED


def test_the_sweep_closes_lapsed_authorisations_once(frozen, authorised):
    """The every-minute sweep lapses what is due, once; no result is recorded and
    the appointment is completed (its seat was used)."""
    # given the appointment not yet over: nothing to do
    assert attempts_lapse() == 0
    frozen.move_to(authorised.authorised_until + dt.timedelta(minutes=1))
    # when the sweep command runs twice
    out = StringIO()
    call_command("attempts_expire", stdout=out)
    call_command("attempts_expire", stdout=out)
    # then the attempt lapsed once
    assert "1 authorisation(s) lapsed." in out.getvalue()
    assert "0 authorisation(s) lapsed." in out.getvalue()
    attempt = Attempt.objects.get(pk=authorised.pk)
    assert attempt.status == AttemptStatus.LAPSED
    assert attempt.ended_by == "lapsed"
    assert not TestResult.objects.exists()
    assert (
        Event.objects.filter(
            subject=f"attempt:{attempt.pk}", kind=EventKind.ATTEMPT_LAPSED
        ).count()
        == 1
    )
    appointment = Appointment.objects.get(attempts=attempt)
    assert appointment.status == AppointmentStatus.COMPLETED


def test_a_started_exam_does_not_lapse(frozen, started):
    """Only an authorisation never started lapses: an exam in progress runs to its
    deadline (the time-out sweep closes it then)."""
    frozen.move_to(started.authorised_until + dt.timedelta(minutes=1))
    assert attempts_lapse() == 0
    assert Attempt.objects.get(pk=started.pk).status != AttemptStatus.LAPSED
