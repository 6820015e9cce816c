"""Calibrating a form holds its scored items with bank parameters fixed (anchors)
and estimates only the others (pretest items) on the bank's scale; recording the
run writes the estimates on those item versions, once, with an audit event."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.audit.models import Event
from certwright.itembank.models import Form, ItemVersion
from certwright.scoring.models import RunStatus
from certwright.scoring.services import (
    ScoringError,
    calibration_record,
    calibration_request,
    responses_simulate,
)

# Bank scale (a, b) of the six scored items, and the truth of the two pretest ones.
ANCHORS = [(1.2, -1.0), (0.9, -0.4), (1.4, 0.0), (1.0, 0.3), (1.1, -0.7), (0.8, 0.8)]
PRETEST = [(1.0, -0.5), (1.3, 0.6)]


def test_pretest_items_land_on_the_bank_scale(
    scoring_form: Form, program_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The group is abler than the base group (mean θ 0.4); the anchors keep their
    values, the pretest b come out near the truth and the group mean near 0.4."""
    # given
    versions = [fi.item_version for fi in scoring_form.items.order_by("position")]
    for version, (a, b) in zip(versions, ANCHORS + PRETEST, strict=True):
        stats = (
            {"irt_model": "2pl", "irt_a": a, "irt_b": b}
            if version.status == ("operational")
            else {"sim_a": a, "sim_b": b}
        )
        ItemVersion.objects.filter(pk=version.pk).update(stats=stats)
    responses_simulate(
        form_id=scoring_form.pk, count=4000, seed=5, ability_mean=0.4, actor="test"
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = calibration_request(
            form_id=scoring_form.pk, model="2pl", actor=program_staff
        )
    run.refresh_from_db()
    written = calibration_record(run_id=run.pk, actor=program_staff, reason="window 1")

    # then
    assert run.status == RunStatus.DONE, run.error
    rows = run.results["items"]
    assert [r["anchor"] for r in rows] == [True] * 6 + [False] * 2
    assert [(r["a"], r["b"]) for r in rows[:6]] == ANCHORS
    for row, (_a, b) in zip(rows[6:], PRETEST, strict=True):
        assert row["b"] == pytest.approx(b, abs=0.25)
    assert run.results["population_mean"] == pytest.approx(0.4, abs=0.15)
    assert written == 2
    pretest = ItemVersion.objects.get(pk=versions[6].pk)
    assert pretest.stats["irt_b"] == rows[6]["b"]
    assert pretest.stats["irt_run"] == run.pk
    assert pretest.stats["sim_a"] == PRETEST[0][0]  # other statistics are kept
    assert ItemVersion.objects.get(pk=versions[0].pk).stats["irt_b"] == ANCHORS[0][1]
    assert Event.objects.filter(kind="item.stats_recorded").count() == 2
    with pytest.raises(ScoringError, match="already applied"):
        calibration_record(run_id=run.pk, actor=program_staff)


def test_without_anchors_a_rasch_calibration_defines_the_scale(
    scoring_form: Form, program_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A form with no calibrated items is calibrated freely: every item estimated,
    the group's θ centred at 0, every a = 1."""
    # given
    responses_simulate(form_id=scoring_form.pk, count=600, seed=2, actor="test")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run = calibration_request(
            form_id=scoring_form.pk, model="rasch", actor=program_staff
        )
    run.refresh_from_db()

    # then
    assert run.status == RunStatus.DONE, run.error
    assert run.results["n_anchors"] == 0
    assert run.results["population_mean"] == 0
    assert {r["a"] for r in run.results["items"]} == {1.0}
    assert all(r["b"] is not None and not r["anchor"] for r in run.results["items"])
