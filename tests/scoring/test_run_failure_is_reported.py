"""A run whose data cannot be analysed fails with the package's reason, shown on its
page; nothing is recorded in the item bank. Too few sittings are refused before any
run is queued."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.itembank.models import Form, ItemVersion
from certwright.scoring.models import AnalysisRun, RunStatus
from certwright.scoring.services import ScoringError, analysis_request
from tests.support.scoring import sittings_add


def test_identical_totals_fail_the_run_with_the_reason(
    client: Client,
    scoring_form: Form,
    program_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Everyone answered everything the same way: no reliability can be computed."""
    # given
    sittings_add(scoring_form, [[0, 1, 2, 3, 0, 1, 2, 3]] * 5)
    client.force_login(program_staff)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_request(form_id=scoring_form.pk, actor=program_staff)
    run.refresh_from_db()
    page = client.get(reverse("scoring:run", args=[run.pk])).content.decode()

    # then
    assert run.status == RunStatus.FAILED
    assert "every examinee has the same total score" in run.error
    assert "The run failed." in page
    assert "every examinee has the same total score" in page
    assert not ItemVersion.objects.exclude(stats={}).exists()


def test_a_form_without_sittings_is_refused_up_front(
    client: Client, scoring_form: Form, program_staff: Any
) -> None:
    """No run is queued; the page says why."""
    # given
    client.force_login(program_staff)

    # when
    with pytest.raises(ScoringError, match="0 sitting"):
        analysis_request(form_id=scoring_form.pk, actor=program_staff)
    page = client.post(
        reverse("scoring:analyse", args=[scoring_form.pk]),
        {"sources": "all"},
        follow=True,
    )

    # then
    assert "an analysis needs two" in page.content.decode()
    assert not AnalysisRun.objects.exists()
