"""From a finished attempt to its score and its result fact.

The form's keys and the candidate's answers are read here and counted by
``score_breakdown`` (pure); a proctored attempt's outcome becomes a result fact
through credentials (``result_record``). The state machine (``attempts``) calls
these when it ends an attempt, inside its transaction.
"""

from __future__ import annotations

import datetime as dt

from certwright.audit.services import Actor
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import TestResult
from certwright.credentials.services import result_record
from certwright.delivery.models import Attempt, Response
from certwright.delivery.score_breakdown import Score, ScoringItem, attempt_score
from certwright.itembank.models import FormItem
from certwright.scheduling.models import Appointment

# The source of the result facts delivery records (each one's external id is
# "attempt:<id>", so recording it again is a no-op).
SOURCE = "certwright-delivery"
# The fields of an attempt that its score sets.
SCORE_FIELDS = ["raw_score", "scored_items", "area_scores", "passed", "scaled_score"]


def scoring_items(form_id: int) -> list[ScoringItem]:
    """The form's keys and scored flags, for scoring only (never for a page)."""
    return [
        ScoringItem(form_item_id=pk, key=key, scored=scored, area=area)
        for pk, key, scored, area in FormItem.objects.filter(form_id=form_id)
        .order_by("position")
        .values_list("pk", "item_version__key", "scored", "area")
    ]


def _blueprint_areas(test: str, effective: dt.date) -> tuple[list[str], dict[str, str]]:
    spec = current_program().tests.get(test)
    blueprint = spec.blueprint_on(effective) if spec is not None else None
    if blueprint is None:
        return [], {}
    return [a.code for a in blueprint.areas], {a.code: a.name for a in blueprint.areas}


def attempt_compute_score(attempt: Attempt) -> Score:
    """The score of the attempt's answers, its areas in the blueprint's order."""
    form = attempt.form
    order, names = _blueprint_areas(attempt.test, form.blueprint_effective)
    choices = dict(
        Response.objects.filter(attempt_id=attempt.pk).values_list(
            "form_item_id", "choice"
        )
    )
    return attempt_score(
        items=scoring_items(form.pk),
        choices=choices,
        cut_score=form.cut_score or 0,
        scale=form.scale,
        area_names=names,
        area_order=order,
    )


def _result_day(attempt: Attempt, moment: dt.datetime) -> dt.date:
    """The centre's local day of the submission, never after the program's today
    (result_record refuses a future date; a centre east of UTC can be a day
    ahead)."""
    assert attempt.appointment_id is not None
    appointment = Appointment.objects.select_related("centre").get(
        pk=attempt.appointment_id
    )
    return min(moment.astimezone(appointment.centre.tz).date(), today())


def attempt_score_fill(attempt: Attempt) -> Score:
    """Score the attempt and set its SCORE_FIELDS, unsaved: the caller stores them
    with the change of state that ends the attempt."""
    score = attempt_compute_score(attempt)
    attempt.raw_score = score.raw
    attempt.scored_items = score.of
    attempt.area_scores = [
        {"code": a.code, "name": a.name, "raw": a.raw, "of": a.of} for a in score.areas
    ]
    attempt.passed = score.passed
    attempt.scaled_score = score.scaled
    return score


def attempt_result_record(
    attempt: Attempt, *, passed: bool, moment: dt.datetime, actor: Actor
) -> TestResult:
    """The result fact of a scored proctored attempt, dated the centre's day of
    ``moment`` (credentials' ``result_record``; once per attempt)."""
    return result_record(
        technician_id=attempt.technician_id,
        test=attempt.test,
        date=_result_day(attempt, moment),
        kind=attempt.kind,
        outcome="pass" if passed else "fail",
        source=SOURCE,
        actor=actor,
        external_id=f"attempt:{attempt.pk}",
    )
