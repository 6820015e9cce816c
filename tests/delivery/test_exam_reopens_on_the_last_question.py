"""The question on screen is remembered on the server (``POST /exam/<id>/position/``),
so the exam reopens there in any browser: the player page hands it to the player.
Bad input is refused with a clear error and nothing is written; so is another
workstation, and a finished attempt."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_submit
from certwright.delivery.models import Attempt
from tests.support.delivery import SEATS, seat_cookie

pytestmark = pytest.mark.django_db


def _post(client, attempt, body):
    return client.post(
        reverse("delivery:position", args=[attempt.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def _player_position(client, attempt) -> int:
    page = client.get(reverse("delivery:player", args=[attempt.pk]))
    assert page.status_code == 200
    return page.context["player"]["position"]


def test_the_player_reopens_on_the_question_last_viewed(client, started, candidate):
    # given the candidate at their workstation, on question 4
    client.force_login(candidate.user)
    seat_cookie(client, started)
    response = _post(client, started, {"position": 3})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "position": 3}
    # when the player page is opened again
    # then it starts on question 4
    assert _player_position(client, started) == 3


@pytest.mark.parametrize(
    "body", [{"position": -1}, {"position": "3"}, {"position": 10_000}, {}, []]
)
def test_a_bad_position_is_refused_and_nothing_written(
    client, started, candidate, body
):
    client.force_login(candidate.user)
    seat_cookie(client, started)
    response = _post(client, started, body)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["message"]
    assert Attempt.objects.get(pk=started.pk).last_position == 0


def test_another_workstation_or_a_finished_exam_writes_nothing(
    client, started, candidate
):
    # given the candidate's browser without the seat
    client.force_login(candidate.user)
    response = _post(client, started, {"position": 2})
    assert response.status_code == 409
    assert response.json()["error"] == "device"
    # given the exam submitted
    seat_cookie(client, started)
    attempt_submit(attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk])
    response = _post(client, started, {"position": 2})
    assert response.status_code == 409
    assert response.json()["error"] == "finished"
    assert Attempt.objects.get(pk=started.pk).last_position == 0
