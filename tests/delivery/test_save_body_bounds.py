"""The save endpoint answers any malformed body with a 400 and a reason, and
stores nothing: JSON nested 100,000 deep, and sequence numbers the player's
JavaScript cannot count (past 2^53 - 1, Number.MAX_SAFE_INTEGER)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from certwright.delivery.answers import MAX_CLIENT_SEQ
from certwright.delivery.models import Response
from tests.support.delivery import SEATS, form_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def workstation(client, started, candidate):
    """The candidate's browser at the seat the exam was launched on."""
    from certwright.delivery.views import SEAT_COOKIE

    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    return client


def _post(client, attempt, raw: str | bytes):
    return client.post(
        reverse("delivery:save", args=[attempt.pk]),
        data=raw,
        content_type="application/json",
    )


def test_deeply_nested_json_is_a_400(workstation, started):
    """100,000 nested brackets: a 400 with a reason, not a RecursionError."""
    response = _post(workstation, started, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "nested" in response.json()["message"]
    deep_object = '{"item":' * 50_000 + "1" + "}" * 50_000
    assert _post(workstation, started, deep_object).status_code == 400
    assert not Response.objects.exists()


def test_the_largest_safe_sequence_number_is_taken(workstation, started):
    item = form_items(started)["A1-001"]
    body = {"item": item.pk, "choice": 1, "seq": MAX_CLIENT_SEQ}
    response = _post(workstation, started, json.dumps(body))
    assert response.status_code == 200
    assert response.json()["seq"] == 2**53 - 1


@pytest.mark.parametrize("seq", [2**53, 2**62, 2**63, 10**30])
def test_a_sequence_number_past_what_javascript_counts_is_a_400(
    workstation, started, seq
):
    """Past 2^53 - 1 the player could not continue above it: refused, with the
    range in the message, and nothing stored."""
    item = form_items(started)["A1-001"]
    body = {"item": item.pk, "choice": 1, "seq": seq}
    response = _post(workstation, started, json.dumps(body))
    assert response.status_code == 400
    assert response.json()["error"] == "seq"
    assert str(2**53 - 1) in response.json()["message"]
    assert not Response.objects.exists()
