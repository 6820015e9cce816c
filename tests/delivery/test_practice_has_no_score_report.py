"""A practice test ends on its practice summary, but has no score report and no
PDF: those are for exams (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_submit, practice_attempt_create
from tests.delivery.test_practice_tests import _entitle
from tests.support.delivery import form_create

pytestmark = pytest.mark.django_db


def test_a_submitted_practice_test_has_no_score_report(client, candidate, frozen):
    # given a submitted practice test
    _entitle(candidate)
    form_create(kind="practice")
    attempt = practice_attempt_create(technician_id=candidate.pk, test="A1")
    attempt_submit(attempt_id=attempt.pk, by=candidate.user)
    client.force_login(candidate.user)
    # when its result page is opened, then it is the practice summary
    page = client.get(reverse("delivery:result", args=[attempt.pk]))
    assert page.status_code == 200
    assert "A1 practice test: summary" in page.content.decode()
    # when its report and PDF are asked for, then there are none
    for name in ("delivery:report", "delivery:report_pdf"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404, name
