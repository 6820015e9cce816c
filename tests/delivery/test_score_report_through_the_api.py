"""The score report through the API (/api/portal/me/score-reports/{id}): the same
PDF the results page serves, for its candidate alone and only once scored; the
result it belongs to names it (/api/portal/me/results)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.accounts.services import api_token_create
from certwright.delivery.attempts import attempt_submit
from certwright.delivery.models import Attempt
from tests.support.delivery import SEATS

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    _row, token = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


def _url(attempt: Attempt) -> str:
    return f"/api/portal/me/score-reports/{attempt.pk}"


def test_a_scored_exam_has_its_report_through_the_api(
    client: Client, started: Attempt, candidate: Any
) -> None:
    # given a submitted (scored) exam
    attempt = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    api = _api(candidate.user)
    # when
    pdf = api.get(_url(attempt))
    results = api.get("/api/portal/me/results").json()
    # then the PDF is the results page's
    client.force_login(candidate.user)
    page = client.get(reverse("delivery:report_pdf", args=[attempt.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == page["Content-Disposition"]
    # and the result names it, with its score
    (result,) = results
    assert result["score_report_id"] == attempt.pk
    assert result["scaled_score"] == attempt.scaled_score
    assert result["passed"] == attempt.passed


def test_no_report_before_it_is_scored_nor_for_anyone_else(
    started: Attempt, candidate: Any, django_user_model: Any
) -> None:
    # when the exam is still running
    early = _api(candidate.user).get(_url(started))
    # then there is no report yet
    assert early.status_code == 404
    assert early["Content-Type"].startswith("application/problem+json")
    # when someone else asks for a scored one
    attempt_submit(attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk])
    stranger = django_user_model.objects.create_user(username="s", password=None)
    # then it does not exist for them
    assert _api(stranger).get(_url(started)).status_code == 404
