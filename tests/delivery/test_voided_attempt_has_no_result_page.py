"""An exam ended by the proctor (voided) has no score, no result and no e-mail: its
result page says it was ended, that no result is recorded and what to do next, and
it has no score report or PDF (both lead to that page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_void

pytestmark = pytest.mark.django_db


@pytest.fixture
def voided(started, proctor):
    return attempt_void(
        attempt_id=started.pk, reason="Phone used during the exam", actor=proctor
    )


def test_the_result_page_of_a_voided_exam_says_it_was_ended(client, voided, candidate):
    # given an exam the proctor ended
    client.force_login(candidate.user)
    # when the candidate opens its result page
    page = client.get(reverse("delivery:result", args=[voided.pk]))
    # then it says the exam was ended, with no result, and what to do next
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your A1 exam was ended" in text
    assert "The proctor ended this exam." in text
    assert "no result is recorded" in text
    assert "Ask the staff of your test centre" in text
    # and none of a scored result's claims
    for claim in ("Did not pass", "Scaled score", "None", "sent to you by e-mail"):
        assert claim not in text, claim
    assert reverse("delivery:report", args=[voided.pk]) not in text


def test_a_voided_exam_has_no_score_report(client, voided, candidate):
    # given an exam the proctor ended
    client.force_login(candidate.user)
    result = reverse("delivery:result", args=[voided.pk])
    # when its report and PDF are asked for
    for name in ("delivery:report", "delivery:report_pdf"):
        response = client.get(reverse(name, args=[voided.pk]))
        # then they lead to the result page instead
        assert response.status_code == 302, name
        assert response["Location"] == result


def test_the_player_of_a_voided_exam_lands_on_that_page(client, voided, candidate):
    # given an exam the proctor ended
    client.force_login(candidate.user)
    # when the candidate's player is loaded again
    response = client.get(reverse("delivery:player", args=[voided.pk]), follow=True)
    # then it lands on the page saying it was ended
    assert response.redirect_chain[-1][0] == reverse(
        "delivery:result", args=[voided.pk]
    )
    assert "The proctor ended this exam." in response.content.decode()
