"""Fuzz target: the exam's save endpoint, the one boundary a candidate's browser
writes through during an exam. Arbitrary bytes and arbitrary JSON values (with the
right keys now and then) never raise: every answer is 200 (saved, or an older
save acknowledged), 400 (malformed, with a reason) or 409 (the exam's state), and
a refused body writes nothing. Bounded (max_examples) so CI stays quick."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright.delivery.models import Response
from tests.support.delivery import SEATS, form_items

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    # The exam and the signed-in client are made once per test, not per example:
    # each example's effect is checked against the rows before it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def workstation(client, started, candidate):
    from certwright.delivery.views import SEAT_COOKIE

    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    return client


def _rows(attempt_id: int) -> list[tuple]:
    return list(
        Response.objects.filter(attempt_id=attempt_id)
        .order_by("form_item_id")
        .values_list("form_item_id", "choice", "flagged", "client_seq")
    )


def _check(client, attempt, raw: bytes) -> None:
    before = _rows(attempt.pk)
    response = client.post(
        reverse("delivery:save", args=[attempt.pk]),
        data=raw,
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 409), response.content[:200]
    body = response.json()
    if response.status_code != 200:
        assert body["ok"] is False
        assert body["error"]
        assert body["message"]
        assert _rows(attempt.pk) == before


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(workstation, started, raw):
    _check(workstation, started, raw)


@FUZZ
@given(value=json_values)
def test_arbitrary_json(workstation, started, value):
    _check(workstation, started, json.dumps(value).encode())


@FUZZ
@given(
    item=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.sampled_from([0])),
    choice=st.one_of(st.none(), st.integers(-2, 6), st.booleans(), st.floats()),
    flagged=st.one_of(st.booleans(), st.integers(0, 2), st.none()),
    seq=st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=3)),
    use_real_item=st.booleans(),
)
def test_save_shaped_bodies(
    workstation, started, item, choice, flagged, seq, use_real_item
):
    if use_real_item:
        item = form_items(started)["A1-001"].pk
    body = {"item": item, "choice": choice, "flagged": flagged, "seq": seq}
    _check(workstation, started, json.dumps(body).encode())
