"""A proctored exam runs on the one workstation it was launched on.

The proctor's launch code, entered at the seat, binds that browser (a seat token
in a cookie). Another device of the same candidate, signed in with the same
account, gets no items, cannot start, save or submit, and is noted as an incident
for the proctor; only the proctor can move the exam to a new workstation. Items
reach the browser only after the clock starts."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.delivery.errors import DeliveryError
from certwright.delivery.launch import attempt_device_reset, attempt_launch
from certwright.delivery.models import Attempt, AttemptStatus, Incident, Response
from certwright.delivery.seats import MAX_LAUNCH_FAILURES, launch_code_display
from certwright.delivery.views import SEAT_COOKIE
from tests.support.delivery import form_items

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _launch(client: Client, attempt: Attempt, code: str | None = None):
    attempt.refresh_from_db()
    return client.post(
        reverse("delivery:launch", args=[attempt.pk]),
        {"code": attempt.launch_code if code is None else code},
        HTTP_USER_AGENT="Workstation 7",
    )


def _save(client: Client, attempt: Attempt, item, seq: int, choice: int = 0):
    return client.post(
        reverse("delivery:save", args=[attempt.pk]),
        data=json.dumps({"item": item.pk, "choice": choice, "seq": seq}),
        content_type="application/json",
    )


def _start(client: Client, attempt: Attempt):
    return client.post(
        reverse("delivery:start", args=[attempt.pk]), content_type="application/json"
    )


def _stems(attempt: Attempt) -> list[str]:
    return [fi.item_version.stem for fi in form_items(attempt).values()]


def test_the_launch_code_binds_the_workstation_and_items_come_after_the_start(
    authorised, candidate
):
    """Before the launch the player asks for the code; after it the tutorial shows
    without a single item; after Start the items are in the page."""
    seat = _signed_in(candidate.user)
    # given an authorised exam: the candidate's page asks for the launch code
    page = seat.get(reverse("delivery:player", args=[authorised.pk]))
    assert page.status_code == 200
    assert b'name="code"' in page.content
    assert all(stem.encode() not in page.content for stem in _stems(authorised))
    # when the workstation enters the code (as the proctor reads it, with a dash)
    authorised.refresh_from_db()
    launched = _launch(seat, authorised, launch_code_display(authorised.launch_code))
    # then it holds the seat cookie and the tutorial has no items
    assert launched.status_code == 302
    cookie = seat.cookies[SEAT_COOKIE.format(attempt_id=authorised.pk)]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == reverse("delivery:player", args=[authorised.pk])
    tutorial = seat.get(reverse("delivery:player", args=[authorised.pk]))
    assert b'id="start-button"' in tutorial.content
    assert b"There are 5 questions" in tutorial.content
    assert all(stem.encode() not in tutorial.content for stem in _stems(authorised))
    # and once started the page carries the items
    assert _start(seat, authorised).json()["status"] == AttemptStatus.IN_PROGRESS
    running = seat.get(reverse("delivery:player", args=[authorised.pk])).content
    assert all(stem.encode() in running for stem in _stems(authorised))
    attempt = Attempt.objects.get(pk=authorised.pk)
    assert attempt.launch_code == ""
    assert attempt.device_label.endswith("Workstation 7")
    assert Event.objects.filter(
        subject=f"attempt:{attempt.pk}", kind=EventKind.ATTEMPT_LAUNCHED
    ).exists()


def test_a_second_device_is_refused_and_becomes_one_incident(authorised, candidate):
    """The same candidate signed in on a phone: no items, no start, no save, no
    submit; the proctor's console shows one incident however often it tries."""
    seat = _signed_in(candidate.user)
    _launch(seat, authorised)
    phone = _signed_in(candidate.user)
    # when the phone tries the page, a start, a launch with the old code, a save
    page = phone.get(reverse("delivery:player", args=[authorised.pk]))
    started = _start(phone, authorised)
    relaunch = _launch(phone, authorised, code="ABCDEF")
    # then every request is refused
    assert page.status_code == 403
    assert all(stem.encode() not in page.content for stem in _stems(authorised))
    assert started.status_code == 409
    assert started.json()["error"] == "device"
    assert relaunch.status_code == 403
    assert Attempt.objects.get(pk=authorised.pk).status == AttemptStatus.AUTHORISED
    # the workstation starts; the phone's save and submit are refused
    _start(seat, authorised)
    item = form_items(authorised)["A1-001"]
    refused = _save(phone, authorised, item, seq=5)
    assert refused.status_code == 409
    assert refused.json()["error"] == "device"
    submit = phone.post(reverse("delivery:submit", args=[authorised.pk]))
    assert submit.status_code == 409
    assert not Response.objects.filter(attempt_id=authorised.pk).exists()
    assert Attempt.objects.get(pk=authorised.pk).status == AttemptStatus.IN_PROGRESS
    # one incident for the proctor, an event for each refusal
    notes = Incident.objects.filter(attempt_id=authorised.pk)
    assert notes.count() == 1
    assert "Another device" in notes.get().note
    assert (
        Event.objects.filter(
            subject=f"attempt:{authorised.pk}", kind=EventKind.ATTEMPT_DEVICE_REFUSED
        ).count()
        >= 4
    )
    # and the workstation itself saves normally
    assert _save(seat, authorised, item, seq=1).json()["applied"] is True


def test_a_forged_seat_cookie_is_refused(started, candidate):
    """A cookie with the right name and a made-up token is no seat."""
    forger = _signed_in(candidate.user)
    forger.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = "made-up-token"
    item = form_items(started)["A1-001"]
    response = _save(forger, started, item, seq=1)
    assert response.status_code == 409
    assert not Response.objects.filter(attempt_id=started.pk).exists()


def test_wrong_codes_lock_the_launch_and_tell_the_proctor(authorised, candidate):
    """Each wrong code is counted; the fifth locks the launch (even the right code
    is refused then) and notes an incident; a new code from the proctor opens it."""
    seat = _signed_in(candidate.user)
    for _attempt in range(MAX_LAUNCH_FAILURES):
        response = _launch(seat, authorised, code="WRONG1")
        assert response.status_code == 400
    locked = _launch(seat, authorised)
    assert locked.status_code == 400
    assert b"Too many wrong launch codes" in locked.content
    assert Incident.objects.filter(attempt_id=authorised.pk).count() == 1
    assert SEAT_COOKIE.format(attempt_id=authorised.pk) not in seat.cookies
    # when the proctor makes a new code, it opens the exam
    attempt_device_reset(
        attempt_id=authorised.pk,
        actor=authorised.authorised_by,
        reason="candidate mistyped the code",
    )
    assert _launch(seat, authorised).status_code == 302


def test_the_proctor_moves_the_exam_to_a_new_workstation(started, candidate, proctor):
    """The old workstation loses the seat at once; the new one launches with the
    new code and carries on with the answers already saved and the same clock."""
    old = _signed_in(candidate.user)
    # the `started` fixture's workstation holds the seat; this client has no token
    item = form_items(started)["A1-001"]
    assert _save(old, started, item, seq=1).status_code == 409
    deadline = Attempt.objects.get(pk=started.pk).deadline
    # when the proctor moves it (the first workstation froze)
    moved = attempt_device_reset(
        attempt_id=started.pk, actor=proctor, reason="workstation 7 froze"
    )
    assert moved.launch_code
    assert not moved.device_hash
    new = _signed_in(candidate.user)
    assert _launch(new, moved).status_code == 302
    # then the new one saves; the clock is the same
    assert _save(new, moved, item, seq=2).json()["applied"] is True
    assert Attempt.objects.get(pk=started.pk).deadline == deadline
    assert Event.objects.filter(
        subject=f"attempt:{started.pk}",
        kind=EventKind.ATTEMPT_DEVICE_RESET,
        reason="workstation 7 froze",
    ).exists()


def test_a_new_workstation_needs_a_reason_and_the_centres_staff(started, candidate):
    """Only the centre's staff move an exam, and always say why."""
    with pytest.raises(DeliveryError) as no_reason:
        attempt_device_reset(attempt_id=started.pk, actor="proctor", reason=" ")
    assert no_reason.value.code == "reason"
    with pytest.raises(DeliveryError) as not_staff:
        attempt_device_reset(
            attempt_id=started.pk, actor=candidate.user, reason="I want my laptop"
        )
    assert not_staff.value.code == "forbidden"


def test_the_console_shows_the_code_then_the_workstation(
    client, authorised, candidate, proctor
):
    """The proctor's page shows the launch code until a workstation holds the
    exam, then that workstation and when it was launched."""
    client.force_login(proctor)
    appointment = authorised.appointment
    url = reverse("proctor:sitting", args=[appointment.centre_id, appointment.pk])
    code = launch_code_display(authorised.launch_code)
    assert code in client.get(url).content.decode()
    _attempt, _token = attempt_launch(
        attempt_id=authorised.pk,
        code=authorised.launch_code,
        by=candidate.user,
        device_label="10.0.0.7 · Workstation 7",
    )
    page = client.get(url).content.decode()
    assert code not in page
    assert "Workstation 7" in page


def test_only_the_workstation_reads_the_answers_back(started, candidate):
    """The clock is the account's; the saved answers only the workstation's."""
    phone = _signed_in(candidate.user)
    url = reverse("delivery:state", args=[started.pk])
    assert phone.get(url).status_code == 200
    refused = phone.get(url, {"answers": "1"})
    assert refused.status_code == 409
    assert "answers" not in refused.json()


def test_no_authorisation_after_the_appointment_ended(frozen, seat, proctor):
    """Authorising after the booked end would lapse at once and use the seat up:
    refused, nothing made."""
    from certwright.delivery.attempts import attempt_authorise

    frozen.move_to(seat.appointment.ends_at)
    with pytest.raises(DeliveryError) as refused:
        attempt_authorise(appointment_test_id=seat.pk, actor=proctor)
    assert refused.value.code == "state"
    assert not Attempt.objects.exists()
