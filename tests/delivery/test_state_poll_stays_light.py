"""The player of an exam asks for its state every 2 seconds (so a proctor's pause
reaches the screen at once): the state endpoint stays a fixed, small number of
queries, pinned here so that a change that makes every poll heavier shows up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.delivery import form_items, save, seat_cookie

pytestmark = pytest.mark.django_db

# The session, the user and its roles (the MFA check), then the attempt (with its
# form): nothing per answer.
STATE_QUERIES = 4


def test_a_state_poll_reads_a_fixed_few_queries(
    client, started, candidate, django_assert_num_queries
):
    # given an exam in progress with answers saved
    items = list(form_items(started).values())
    for seq, item in enumerate(items, start=1):
        save(started, item, seq=seq, choice=seq % 4)
    client.force_login(candidate.user)
    seat_cookie(client, started)
    url = reverse("delivery:state", args=[started.pk])
    # when the player polls its state
    with django_assert_num_queries(STATE_QUERIES):
        response = client.get(url)
    # then it answers the clock, and nothing of the answers
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert "answers" not in response.json()
