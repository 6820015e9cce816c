"""`certwright demo load` gives the demo's A1 initial form 1 600 simulated
field-test sittings and an item analysis of them, once: loading again adds
nothing."""

from __future__ import annotations

from typing import Any

from certwright.itembank.demo import demo_load as items_demo
from certwright.scoring.demo import SITTINGS, SOURCE, demo_load
from certwright.scoring.models import AnalysisRun, ExternalSitting, RunStatus


def test_demo_sittings_are_simulated_analysed_and_loaded_once(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The sittings are labelled simulated; the analysis ran on all of them."""
    # given
    items_demo()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = demo_load()
        again = demo_load()

    # then
    assert first.problems == []
    assert first.sittings_added == SITTINGS
    assert again.sittings_added == 0
    sittings = ExternalSitting.objects.filter(source=SOURCE)
    assert sittings.count() == SITTINGS
    assert not sittings.filter(simulated=False).exists()
    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.DONE, run.error
    assert run.results["n_simulated"] == SITTINGS
    assert 0.5 < run.results["kr20"] < 1
    assert again.run_id == first.run_id
