"""Launch: an exam starts only when the proctor authorises that seat. Before, the
candidate has nothing to start; authorising starts no clock, the candidate's Start
does; accommodation extra time shows and is added."""

from __future__ import annotations

import re

import pytest

from certwright.delivery.accommodations import accommodation_approve
from certwright.delivery.models import Attempt, AttemptStatus
from tests.support.delivery import client_launch
from tests.support.proctoring import (
    book,
    console_proctor,
    control_url,
    day_url,
    sitting_url,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_without_authorisation_the_candidate_cannot_start(
    client, seat, candidate, centre
):
    """Checked in but not authorised: no exam exists for the candidate to open."""
    # given the checked-in candidate signed in
    client.force_login(candidate.user)
    # when they look for their exam
    mine = client.get("/exam/mine/")
    # then there is none to start, and no attempt exists at all
    assert mine.status_code == 200
    assert "Exams in progress" not in mine.content.decode()
    assert not Attempt.objects.exists()


def test_authorise_starts_nothing_until_the_candidate_starts(
    client, frozen, seat, candidate, centre
):
    # given the checked-in candidate, the proctor at the console
    appointment = seat.appointment
    proctor = console_proctor(centre)
    client.force_login(proctor)
    page = text_of(client.get(sitting_url(appointment)))
    assert "Authorise A1" in page
    # when the proctor authorises the seat
    response = client.post(control_url(appointment, "authorise"), follow=True)
    # then the exam exists, authorised by the proctor, and no clock runs
    attempt = Attempt.objects.get(appointment_test=seat)
    assert attempt.status == AttemptStatus.AUTHORISED
    assert attempt.authorised_by_id == proctor.pk
    assert (attempt.started_at, attempt.deadline) == (None, None)
    # then the console gives the launch code to enter at the candidate's seat
    shown = re.search(
        rf'id="launch-code-{seat.pk}"[^>]*>([^<]+)<', response.content.decode()
    )
    assert shown is not None
    code = shown.group(1).strip()
    assert re.fullmatch(r"[A-Z2-9]{3}-[A-Z2-9]{3}", code)
    assert (
        f"A1 is authorised: give Casey Candidate the launch code {code} at the seat"
        " (75 minutes on the clock once they press Start)."
    ) in text_of(response)
    assert "Waiting for the candidate to press Start." in text_of(response)
    # when half an hour passes
    frozen.shift(30 * 60)
    # then the full time is still on the clock
    assert "75 min on the clock" in text_of(client.get(day_url(centre)))
    # when the candidate's workstation is launched with the code, and they press
    # Start
    client.force_login(candidate.user)
    client_launch(client, attempt, code)
    # (launching starts no clock either)
    assert Attempt.objects.get(pk=attempt.pk).started_at is None
    started = client.post(f"/exam/{attempt.pk}/start/")
    # then the clock starts for them
    assert started.json()["status"] == AttemptStatus.IN_PROGRESS
    client.force_login(proctor)
    board = text_of(client.get(day_url(centre)))
    assert "A1 in progress 75 min left" in board


def test_authorise_needs_a_checked_in_candidate(client, frozen, candidate, centre):
    # given a candidate booked but not checked in
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when the proctor tries to authorise
    response = client.post(control_url(appointment, "authorise"))
    # then refused with the reason
    assert response.status_code == 409
    assert "Check the candidate in before authorising the exam" in text_of(response)
    assert not Attempt.objects.exists()


def test_accommodation_extra_time_shows_and_applies(client, seat, candidate, centre):
    """An approved accommodation shows before authorising and is on the clock
    after."""
    # given +20 % approved for the candidate
    accommodation_approve(
        technician_id=candidate.pk, extra_percent=20, note="documented", actor="staff"
    )
    appointment = seat.appointment
    client.force_login(console_proctor(centre))
    # when the proctor opens the sitting
    before = text_of(client.get(sitting_url(appointment)))
    # then the accommodation is shown
    assert "Accommodation: +20 % time (every test)" in before
    # when they authorise
    after = text_of(client.post(control_url(appointment, "authorise"), follow=True))
    # then 75 min + 15 min is on the clock, the extra said as such
    assert "90 min on the clock" in after
    assert "incl. +15 min accommodation" in after
    assert Attempt.objects.get().budget_seconds == 90 * 60
