"""``POST /exam/<id>/answers/batch/`` takes the player's queue: 200 with one ack per
answer (a single save's ack, or that answer's own refusal with the status a single
save would answer); a malformed batch is a 400 with the reason; what concerns the
whole attempt gets exactly the single save's answer (status and body), and a
browser at the wrong workstation is noted for the proctor as a single save is."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from certwright.delivery.answers import MAX_BATCH_ANSWERS
from certwright.delivery.attempts import attempt_pause
from certwright.delivery.models import Incident, Response
from tests.support.delivery import SEATS, form_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def workstation(client, started, candidate):
    """The candidate's browser at the seat the exam was launched on."""
    from certwright.delivery.views import SEAT_COOKIE

    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    return client


def _batch(client, attempt, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        reverse("delivery:save_many", args=[attempt.pk]),
        data=raw,
        content_type="application/json",
    )


def _single(client, attempt, body):
    return client.post(
        reverse("delivery:save", args=[attempt.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_the_queue_is_saved_with_one_ack_per_answer(workstation, started):
    items = form_items(started)
    a, b = items["A1-001"], items["A1-002"]
    # when the player sends two answers and one with a bad choice
    response = _batch(
        workstation,
        started,
        {
            "answers": [
                {"item": a.pk, "choice": 2, "flagged": True, "seq": 3},
                {"item": b.pk, "choice": 9, "seq": 4},
                {"item": b.pk + 1000, "choice": 1, "seq": 5},
            ]
        },
    )
    # then a 200 with the acks in order, the bad ones refused on their own
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["acks"][0] == {
        "ok": True,
        "item": a.pk,
        "seq": 3,
        "choice": 2,
        "flagged": True,
        "applied": True,
    }
    assert body["acks"][1]["ok"] is False
    assert body["acks"][1]["error"] == "choice"
    assert (body["acks"][1]["item"], body["acks"][1]["seq"]) == (b.pk, 4)
    assert body["acks"][1]["status"] == 400
    assert body["acks"][2]["error"] == "item"
    # the same message as the single save's refusal of that answer
    single = _single(workstation, started, {"item": b.pk, "choice": 9, "seq": 4})
    assert body["acks"][1]["message"] == single.json()["message"]
    assert [(r.form_item_id, r.choice) for r in Response.objects.all()] == [(a.pk, 2)]
    # and the single save still answers as before
    single = _single(workstation, started, {"item": b.pk, "choice": 1, "seq": 6})
    assert single.status_code == 200
    assert single.json()["applied"] is True


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ("[1, 2]", "bad_request", "not a JSON object"),
        ({"answers": {"item": 1}}, "batch", "list of answers"),
        ({}, "batch", "list of answers"),
        ({"answers": []}, "batch", "no answer"),
        ({"answers": [{"item": 1, "choice": 0, "seq": 1}, 7]}, "batch", "Answer 2"),
        (
            {"answers": [{"item": n, "choice": 0, "seq": n} for n in range(1, 300)]},
            "batch",
            f"at most {MAX_BATCH_ANSWERS}",
        ),
    ],
)
def test_a_malformed_batch_is_a_400_with_the_reason(
    workstation, started, body, error, words
):
    response = _batch(workstation, started, body)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["error"] == error
    assert words in response.json()["message"]
    assert not Response.objects.exists()


def test_a_repeated_item_is_a_400(workstation, started):
    item = form_items(started)["A1-001"]
    response = _batch(
        workstation,
        started,
        {
            "answers": [
                {"item": item.pk, "choice": 0, "seq": 1},
                {"item": item.pk, "choice": 1, "seq": 2},
            ]
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "batch"
    assert not Response.objects.exists()


def test_a_paused_exam_answers_the_batch_as_the_single_save(
    workstation, started, proctor
):
    items = list(form_items(started).values())
    attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire drill")
    answers = [{"item": i.pk, "choice": 1, "seq": n} for n, i in enumerate(items, 1)]
    whole = _batch(workstation, started, {"answers": answers})
    single = _single(workstation, started, answers[0])
    assert whole.status_code == single.status_code == 409
    assert whole.json() == single.json()
    assert whole.json()["error"] == "paused"
    assert not Response.objects.exists()


def test_another_workstation_is_refused_and_noted_as_for_a_single_save(
    started, candidate
):
    """The same account in a browser without the seat: 409 ``device``, the single
    save's body, and the incident noted for the proctor."""
    elsewhere = Client()
    elsewhere.force_login(candidate.user)
    item = form_items(started)["A1-001"]
    answer = {"item": item.pk, "choice": 1, "seq": 1}
    whole = _batch(elsewhere, started, {"answers": [answer]})
    assert Incident.objects.filter(attempt_id=started.pk).count() == 1
    single = _single(elsewhere, started, answer)
    assert whole.status_code == single.status_code == 409
    assert whole.json() == single.json()
    assert whole.json()["error"] == "device"
    assert not Response.objects.exists()


def test_signed_out_and_someone_elses_attempt(started, candidate, client):
    item = form_items(started)["A1-001"]
    body = {"answers": [{"item": item.pk, "choice": 1, "seq": 1}]}
    # signed out: 401
    assert _batch(client, started, body).status_code == 401
    # another candidate: 404, as the single save
    from tests.support.scheduling import user_create

    client.force_login(user_create("other@example.com"))
    whole = _batch(client, started, body)
    single = _single(client, started, body["answers"][0])
    assert whole.status_code == single.status_code == 404
    assert whole.json() == single.json()
    assert not Response.objects.exists()


def test_only_post_is_allowed(workstation, started):
    url = reverse("delivery:save_many", args=[started.pk])
    assert workstation.get(url).status_code == 405
