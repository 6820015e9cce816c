"""`certwright demo load` gives the demo candidate (candidate@example.com, Priya
Raman) an initial A1 appointment today at the demo proctor's centre, ready to check
in; a second load adds nothing. With no time left today at the centre (a Sunday), she is
a walk-in from the current quarter hour."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from certwright.accounts.demo import demo_load as accounts_demo_load
from certwright.audit.models import Event
from certwright.proctoring.demo import demo_load
from certwright.scheduling.demo import demo_load as scheduling_demo_load
from certwright.scheduling.models import Appointment, AppointmentStatus, SeatBlock
from tests.support.proctoring import check_in_data, text_of

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 09:00 in Chicago; Sunday 8 March, 20:00 in Chicago.
WEDNESDAY = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)
SUNDAY = dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC)


def _load() -> None:
    accounts_demo_load()
    scheduling_demo_load()


def _a1_today(report) -> Appointment:
    appointment = Appointment.objects.select_related("technician__user").get(
        pk=report.appointment_id
    )
    user = appointment.technician.user
    assert user is not None
    assert user.email == "candidate@example.com"
    assert appointment.centre.code == "springfield-il"
    assert [t.test for t in appointment.tests.all()] == ["A1"]
    assert appointment.status == AppointmentStatus.BOOKED
    local = appointment.starts_at.astimezone(appointment.centre.tz)
    assert local.date() == WEDNESDAY.astimezone(appointment.centre.tz).date() or (
        local.date() == SUNDAY.astimezone(appointment.centre.tz).date()
    )
    return appointment


def test_the_demo_candidate_has_a1_today_and_the_proctor_checks_her_in(client):
    with time_machine.travel(WEDNESDAY, tick=False):
        # given the demo accounts, centres and bookings
        _load()
        count = Appointment.objects.count()
        # when the exam day loads twice
        first = demo_load()
        second = demo_load()
        # then one A1 appointment today at Springfield, booked at a free time
        assert first.created, first.note
        assert not first.walk_in
        assert first.status == "booked"
        assert not second.created
        assert second.appointment_id == first.appointment_id
        assert Appointment.objects.count() == count + 1
        appointment = _a1_today(first)
        assert appointment.starts_at > WEDNESDAY
        # the initial A1 of her order: she has passed no test yet
        assert appointment.tests.get().kind == "initial"
        # when the demo proctor signs in and checks her in
        proctor = get_user_model().objects.get(email="proctor@example.com")
        Authenticator.objects.create(
            user=proctor,
            type=Authenticator.Type.TOTP,
            data={"secret": "JBSWY3DPEHPK3PXP"},
        )
        client.force_login(proctor)
        day = client.get("/proctor/", follow=True)
        assert "Priya Raman" in text_of(day)
        client.post(
            f"/proctor/centres/{appointment.centre_id}/appointments/"
            f"{appointment.pk}/check-in/",
            check_in_data(),
        )
        # then she is checked in
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CHECKED_IN


def test_on_a_sunday_evening_she_is_a_walk_in():
    with time_machine.travel(SUNDAY, tick=False):
        # given the demo on a Sunday evening (the centre is closed)
        _load()
        # when the exam day loads twice
        first = demo_load()
        second = demo_load()
        # then a walk-in from now, with its seat counted and its event
        assert first.created, first.note
        assert first.walk_in
        assert second.appointment_id == first.appointment_id
        assert not second.created
        appointment = _a1_today(first)
        assert appointment.starts_at == SUNDAY
        assert SeatBlock.objects.filter(
            centre=appointment.centre, starts_at=SUNDAY, booked=1
        ).exists()
        event = Event.objects.get(
            kind="appointment.booked", subject=f"appointment:{appointment.pk}"
        )
        assert event.data["walk_in"] is True


def test_once_she_has_sat_a1_a_later_load_books_nothing_and_says_why(
    django_capture_on_commit_callbacks,
):
    """The exam day is played once per database: the day after she sat A1, a load
    books no second A1 and says to start from a new database."""
    from certwright.delivery.attempts import (
        attempt_authorise,
        attempt_start,
        attempt_submit,
    )
    from certwright.scheduling.services import appointment_check_in
    from tests.support.delivery import launch

    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        # given she sat A1 today (checked in, authorised, submitted)
        _load()  # the demo publishes the A1 forms
        appointment = _a1_today(demo_load())
        user = appointment.technician.user
        appointment_check_in(appointment_id=appointment.pk, actor="proctor")
        attempt = attempt_authorise(
            appointment_test_id=appointment.tests.get().pk, actor="proctor"
        )
        token = launch(attempt, user)
        attempt_start(attempt_id=attempt.pk, by=user, device=token)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt_id=attempt.pk, by=user, device=token)
        # when the demo loads again today, then her sitting is reported as it is
        again = demo_load()
        assert again.appointment_id == appointment.pk
        assert again.status == AppointmentStatus.COMPLETED
        # when it loads the next day
        traveller.shift(dt.timedelta(days=1))
        count = Appointment.objects.count()
        later = demo_load()
    # then nothing is booked, and the note says why and what to do
    assert later.appointment_id is None
    assert Appointment.objects.count() == count
    assert "cannot buy A1" in later.note
    assert "new database" in later.note
