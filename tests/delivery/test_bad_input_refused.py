"""Bad input to the save endpoint gets a clear 4xx with a code and a message, and
stores nothing: an unknown item, an item of another form, choice 7, a sequence
number that is not an integer, a body that is not JSON, someone else's attempt."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from certwright.delivery.models import Response
from tests.support.delivery import form_create, form_items, seat_cookie
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


def _post(client, attempt, body, *, raw=None):
    return client.post(
        reverse("delivery:save", args=[attempt.pk]),
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def tab(client, started, candidate):
    """The candidate's browser at the workstation the exam was launched on."""
    client.force_login(candidate.user)
    return seat_cookie(client, started)


def test_a_good_save_is_acknowledged(tab, started):
    item = form_items(started)["A1-001"]
    response = _post(tab, started, {"item": item.pk, "choice": 1, "seq": 1})
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "item": item.pk,
        "seq": 1,
        "choice": 1,
        "flagged": False,
        "applied": True,
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"item": 999_999, "choice": 1, "seq": 1}, 400, "item"),
        ({"item": "ITEM", "choice": 1, "seq": 1}, 400, "item"),
        ({"item": "A1", "choice": 7, "seq": 1}, 400, "choice"),
        ({"item": "A1", "choice": -1, "seq": 1}, 400, "choice"),
        ({"item": "A1", "choice": True, "seq": 1}, 400, "choice"),
        ({"item": "A1", "choice": "B", "seq": 1}, 400, "choice"),
        ({"item": "A1", "choice": 1, "seq": "2"}, 400, "seq"),
        ({"item": "A1", "choice": 1, "seq": 1.5}, 400, "seq"),
        ({"item": "A1", "choice": 1, "seq": 0}, 400, "seq"),
        ({"item": "A1", "choice": 1}, 400, "seq"),
        ({"item": "A1", "choice": 1, "seq": 1, "flagged": "yes"}, 400, "flagged"),
    ],
)
def test_bad_input_is_refused_with_a_code(tab, started, body, status, code):
    if body.get("item") == "A1":
        body["item"] = form_items(started)["A1-001"].pk
    # when the bad save is sent
    response = _post(tab, started, body)
    # then a clear refusal, and nothing stored
    assert response.status_code == status
    assert response.json()["ok"] is False
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert not Response.objects.exists()


def test_an_item_of_another_form_is_refused(tab, started):
    """An item id that exists, but on another form."""
    other = form_create(kind="recert")
    foreign = other.items.get(position=1)
    response = _post(tab, started, {"item": foreign.pk, "choice": 1, "seq": 1})
    assert response.status_code == 400
    assert response.json()["error"] == "item"
    assert not Response.objects.exists()


def test_a_body_that_is_not_json_is_refused(tab, started):
    response = _post(tab, started, None, raw="choice=1")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    response = _post(tab, started, None, raw="[1, 2]")
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_someone_elses_attempt_is_not_found(client, started):
    """Another signed-in account: 404, nothing stored."""
    client.force_login(user_create())
    item = form_items(started)["A1-001"]
    response = _post(client, started, {"item": item.pk, "choice": 1, "seq": 1})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert not Response.objects.exists()


def test_signed_out_gets_401_and_no_redirect(client, started):
    item = form_items(started)["A1-001"]
    response = _post(client, started, {"item": item.pk, "choice": 1, "seq": 1})
    assert response.status_code == 401
    assert not Response.objects.exists()


def test_the_endpoint_checks_csrf(started, candidate):
    """Session auth needs the CSRF token (the player sends X-CSRFToken)."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(candidate.user)
    seat_cookie(strict, started)  # at the workstation: only the CSRF token is missing
    item = form_items(started)["A1-001"]
    response = _post(strict, started, {"item": item.pk, "choice": 1, "seq": 1})
    assert response.status_code == 403
    assert not Response.objects.exists()
