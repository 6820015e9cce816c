"""A requested analysis runs in the background: its page shows the progress and
polls for it (htmx) until it has finished, then reloads to show the results; the
task reports each stage as it goes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.itembank.models import Form
from certwright.scoring import services
from certwright.scoring.models import AnalysisRun, RunStatus
from tests.support.scoring import simulated_choices, sittings_add


@pytest.fixture
def queued(scoring_form: Form, program_staff: Any) -> AnalysisRun:
    """A run requested; its task not run yet (the on-commit hook is not executed)."""
    sittings_add(scoring_form, simulated_choices(120))
    return services.analysis_request(form_id=scoring_form.pk, actor=program_staff)


def test_the_page_polls_while_the_run_is_unfinished(
    client: Client, queued: AnalysisRun, program_staff: Any
) -> None:
    """Queued, then running at 40 %: the page and the fragment show it and poll."""
    # given
    client.force_login(program_staff)
    progress_url = reverse("scoring:run_progress", args=[queued.pk])

    # when
    page = client.get(reverse("scoring:run", args=[queued.pk])).content.decode()
    AnalysisRun.objects.filter(pk=queued.pk).update(
        status=RunStatus.RUNNING, progress=40, stage="2PL fit for the item curves"
    )
    fragment = client.get(progress_url, HTTP_HX_REQUEST="true")

    # then
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="0"' in page
    assert f'hx-get="{progress_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    html = fragment.content.decode()
    assert 'aria-valuenow="40"' in html
    assert "40% done" in html
    assert "2PL fit for the item curves" in html
    assert "hx-trigger" in html
    assert "HX-Refresh" not in fragment


def test_the_task_reports_its_stages_and_the_page_reloads_when_done(
    client: Client,
    queued: AnalysisRun,
    program_staff: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Progress rises stage by stage to 100; the finished fragment stops polling and
    asks htmx to reload the page."""
    # given
    seen: list[tuple[int, str]] = []
    record = services._progress

    def spy(run_id: int, percent: int, stage: str) -> None:
        seen.append((percent, stage))
        record(run_id, percent, stage)

    monkeypatch.setattr(services, "_progress", spy)
    client.force_login(program_staff)

    # when
    services.run_execute(run_id=queued.pk)
    fragment = client.get(
        reverse("scoring:run_progress", args=[queued.pk]), HTTP_HX_REQUEST="true"
    )

    # then
    percents = [p for p, _stage in seen]
    assert percents == sorted(percents)
    assert len(percents) >= 3
    assert "classical item analysis" in [s for _p, s in seen]
    queued.refresh_from_db()
    assert (queued.status, queued.progress) == (RunStatus.DONE, 100)
    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()
    assert services.run_execute(run_id=queued.pk) is None  # claimed once only
