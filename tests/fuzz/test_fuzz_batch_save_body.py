"""Fuzz target: the exam's batch save endpoint (the player's queue after a
reconnect). Arbitrary bytes, arbitrary JSON and batch-shaped bodies of arbitrary
answers never raise: the answer is 200 with one ack per answer (each saved, an
older save acknowledged, or refused on its own with a reason), 400 (malformed,
with a reason) or 409 (the exam's state); a refused request writes nothing, and a
200 writes only the answers it acknowledged as applied. Bounded (max_examples)
so CI stays quick."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.test_fuzz_save_body import FUZZ, _rows, json_values
from tests.support.delivery import SEATS, form_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def workstation(client, started, candidate):
    from certwright.delivery.views import SEAT_COOKIE

    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    return client


def _check(client: Any, attempt: Any, raw: bytes) -> None:
    before = _rows(attempt.pk)
    response = client.post(
        reverse("delivery:save_many", args=[attempt.pk]),
        data=raw,
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 409), response.content[:200]
    body = response.json()
    after = _rows(attempt.pk)
    if response.status_code != 200:
        assert body["ok"] is False
        assert body["error"]
        assert body["message"]
        assert after == before
        return
    sent = json.loads(raw)["answers"]
    assert len(body["acks"]) == len(sent)
    applied = set()
    for ack in body["acks"]:
        if ack["ok"]:
            if ack["applied"]:
                applied.add(ack["item"])
        else:
            assert ack["error"]
            assert ack["message"]
            assert ack["status"] in (400, 409)
    changed = {row[0] for row in set(after) - set(before)}
    assert changed == applied


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(workstation, started, raw):
    _check(workstation, started, raw)


@FUZZ
@given(value=json_values)
def test_arbitrary_json(workstation, started, value):
    _check(workstation, started, json.dumps(value).encode())


answer = st.fixed_dictionaries(
    {
        "item": st.one_of(st.none(), st.integers(), st.text(max_size=5)),
        "choice": st.one_of(st.none(), st.integers(-2, 6), st.booleans()),
        "flagged": st.one_of(st.booleans(), st.integers(0, 2), st.none()),
        "seq": st.one_of(st.integers(), st.floats(allow_nan=False)),
    }
)


@FUZZ
@given(
    answers=st.lists(st.one_of(answer, json_values), max_size=6),
    real=st.lists(st.integers(0, 4), max_size=6),
)
def test_batch_shaped_bodies(workstation, started, answers, real):
    """Some answers name the form's real items (by position), so that some are
    saved, some stale, some refused, some items repeated."""
    items = sorted(fi.pk for fi in form_items(started).values())
    for index, position in zip(range(len(answers)), real, strict=False):
        if isinstance(answers[index], dict) and "item" in answers[index]:
            answers[index]["item"] = items[position]
    _check(workstation, started, json.dumps({"answers": answers}).encode())
