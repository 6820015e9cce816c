"""An analysis run stores the psychometrics package's own statistics for the form's
sittings, and records p, rpb, a, b and n on each item version with an audit event."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from certwright.audit.models import Event
from certwright.itembank.models import Form, ItemVersion
from certwright.psychometrics import OMIT, item_analysis
from certwright.scoring.models import RunStatus
from certwright.scoring.services import analysis_request
from tests.support.scoring import (
    KEYS,
    SCORED,
    attempt_make,
    simulated_choices,
    sittings_add,
)


def test_run_stores_the_package_statistics_and_records_them(
    scoring_form: Form, program_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """p, corrected rpb, option shares, KR-20, SEM and the distribution are the
    package's; every version's stats carry the run."""
    # given
    choices = simulated_choices(300)
    attempt_make(scoring_form, [None if c == OMIT else int(c) for c in choices[0]])
    sittings_add(scoring_form, choices[1:])
    expected = item_analysis(choices, np.array(KEYS), in_total=np.array(SCORED))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_request(form_id=scoring_form.pk, actor=program_staff)
    run.refresh_from_db()

    # then
    assert run.status == RunStatus.DONE, run.error
    assert (run.progress, run.n_examinees) == (100, 300)
    results = run.results
    assert results["kr20"] == pytest.approx(expected.kr20, abs=1e-4)
    assert results["sem"] == pytest.approx(expected.sem, abs=1e-3)
    assert results["distribution"] == np.bincount(expected.total, minlength=7).tolist()
    for j, row in enumerate(results["items"]):
        assert row["p"] == pytest.approx(expected.p[j], abs=1e-4)
        assert row["rpb"] == pytest.approx(expected.rpb[j], abs=1e-4)
        shares = [o["share"] for o in row["options"]]
        assert shares == pytest.approx(expected.option_share[j].tolist(), abs=1e-4)
        assert row["a"] is not None
        assert row["b"] is not None
    version = ItemVersion.objects.get(pk=results["items"][0]["version"])
    assert version.stats["run"] == run.pk
    assert version.stats["p"] == results["items"][0]["p"]
    assert version.stats["n"] == 300
    assert Event.objects.filter(kind="item.stats_recorded").count() == 8
    assert Event.objects.filter(kind="analysis.requested").count() == 1


def test_a_filtered_run_reads_one_source_and_records_nothing(
    scoring_form: Form, program_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Imported only: the delivered sitting is left out, and the bank's statistics
    are untouched (only an analysis of all sittings speaks for the item)."""
    # given
    choices = simulated_choices(150, seed=3)
    attempt_make(scoring_form, [0] * 8)
    sittings_add(scoring_form, choices)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_request(
            form_id=scoring_form.pk, sources="imported", actor=program_staff
        )
    run.refresh_from_db()

    # then
    assert run.status == RunStatus.DONE, run.error
    assert (run.results["n"], run.results["n_delivered"]) == (150, 0)
    expected = item_analysis(choices, np.array(KEYS), in_total=np.array(SCORED))
    assert run.results["kr20"] == pytest.approx(expected.kr20, abs=1e-4)
    assert run.applied_at is None
    assert not ItemVersion.objects.exclude(stats={}).exists()
    assert not Event.objects.filter(kind="item.stats_recorded").exists()
