"""The day and the sitting refresh themselves: htmx polls a fragment every 10
seconds into a live region (which proctor.js leaves alone while a form in it is
being filled in); a signed-out poll reloads the page instead of swapping a sign-in
form into the board."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.proctoring import (
    board_url,
    book,
    console_proctor,
    day_url,
    sitting_url,
)

pytestmark = pytest.mark.django_db


def test_the_day_polls_its_board(client, frozen, candidate, centre):
    # given
    book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    # when
    html = client.get(day_url(centre)).content.decode()
    # then the board is a live region polling the fragment every 10 s
    assert f'hx-get="{board_url(centre)}"' in html
    assert 'hx-trigger="every 10s"' in html
    assert "data-live" in html
    assert "proctoring/proctor.js" in html
    # when the fragment is asked for
    fragment = client.get(board_url(centre)).content.decode()
    # then it is the board alone, with the candidate
    assert "Casey Candidate" in fragment
    assert "<html" not in fragment
    assert 'class="card sitting"' in fragment


def test_the_sitting_polls_its_live_part(client, frozen, candidate, centre):
    # given
    appointment = book(frozen, candidate, centre)
    client.force_login(console_proctor(centre))
    live = reverse("proctor:sitting_live", args=[centre.pk, appointment.pk])
    # when
    html = client.get(sitting_url(appointment)).content.decode()
    fragment = client.get(live).content.decode()
    # then
    assert f'hx-get="{live}"' in html
    assert "Legal name on record" in fragment
    assert "<html" not in fragment


def test_a_signed_out_poll_reloads_the_page(client, centre, db):
    # when a poll arrives without a session
    response = client.get(board_url(centre), headers={"HX-Request": "true"})
    # then htmx is told to reload (and the reload goes to the sign-in page)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert client.get(board_url(centre)).status_code == 302
