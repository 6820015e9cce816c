"""Writes: imported and simulated sittings, analysis runs and what they apply.

A run is requested (a queued ``AnalysisRun`` and an ``analysis.requested`` event,
the task enqueued on commit), executed by the task (``run_execute``: claimed with a
conditional update, progress written as it goes, results stored), and its results
applied on request: a calibration's parameters into the item bank
(``calibration_record``), an equating's cut and table onto the draft form
(``equating_apply``, through the item bank's ``form_scale_set``). An item analysis
of all sittings records p, rpb, a, b and n on each item version when it finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.core.clock import now
from certwright.core.tasks import enqueue_with_request_id
from certwright.itembank.models import Form, FormStatus, ItemVersion
from certwright.itembank.services import actor_user, form_scale_set
from certwright.itembank.stats import item_stats_record
from certwright.psychometrics import simulate
from certwright.scoring import analysis
from certwright.scoring.importing import choices_bytes, read_responses_csv
from certwright.scoring.models import (
    AnalysisRun,
    ExternalSitting,
    RunKind,
    RunStatus,
    Sources,
)
from certwright.scoring.selectors import (
    form_columns,
    form_response_matrix,
    form_sittings,
)

log = logging.getLogger(__name__)

LINKING_METHODS = ("stocking-lord", "mean-sigma", "mean-mean")
MODELS = ("2pl", "rasch")
_BATCH = 5_000


class ScoringError(ValidationError):
    """A request refused, with a message for staff; nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def _form(form_id: int) -> Form:
    form = Form.objects.filter(pk=form_id).first()
    if form is None:
        raise ScoringError("not_found", _("No form with id %(id)d.") % {"id": form_id})
    return form


# --- field data ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportSummary:
    sittings: int
    forms: dict[str, int]  # form label -> sittings added


def _sittings_store(
    form: Form,
    rows: list[ExternalSitting],
    *,
    source: str,
    simulated: bool,
    actor: Actor,
    file_name: str = "",
) -> None:
    ExternalSitting.objects.bulk_create(rows, batch_size=_BATCH)
    event_record(
        kind=EventKind.RESPONSES_IMPORTED,
        subject=f"form:{form.pk}",
        actor=actor,
        data={
            "form": str(form),
            "source": source,
            "sittings": len(rows),
            "simulated": simulated,
            "file": file_name,
        },
    )


@transaction.atomic
def responses_import(
    *, text: str, source: str, actor: Actor = None, file_name: str = ""
) -> ImportSummary:
    """Import a response file (importing.py documents the format). All or nothing:
    any problem, or a sitting already imported from ``source``, refuses the whole
    file with every problem and its line number (``ScoringError``, code ``file``)."""
    source = source.strip()
    if not source or len(source) > 200:
        raise ScoringError("source", _("Name the source (1 to 200 characters)."))
    try:
        parsed = read_responses_csv(text)
    except ValueError as exc:
        raise ScoringError("file", str(exc)) from None
    by_form: dict[int, list[Any]] = {}
    for sitting in parsed:
        by_form.setdefault(sitting.form_id, []).append(sitting)
    problems: list[str] = []
    for form_id, sittings in by_form.items():
        existing = set(
            ExternalSitting.objects.filter(
                form_id=form_id,
                source=source,
                reference__in=[s.reference for s in sittings],
            ).values_list("reference", flat=True)
        )
        problems += [
            f"line {s.line}: sitting {s.reference} was already imported from {source!r}"
            for s in sittings
            if s.reference in existing
        ]
    if problems:
        raise ScoringError("file", "\n".join(problems[:25]))
    user = actor_user(actor)
    label = actor_split(actor)[1]
    summary: dict[str, int] = {}
    for form_id, sittings in by_form.items():
        form = Form.objects.get(pk=form_id)
        width = len(form_columns(form_id))
        rows = [
            ExternalSitting(
                form=form,
                source=source,
                reference=s.reference,
                taken_on=s.taken_on,
                choices=choices_bytes(s.answers, width),
                imported_by=user,
                imported_by_label=label,
            )
            for s in sittings
        ]
        _sittings_store(
            form, rows, source=source, simulated=False, actor=actor, file_name=file_name
        )
        summary[str(form)] = len(rows)
    return ImportSummary(sittings=len(parsed), forms=summary)


def simulation_params(
    form_id: int, seed: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], list[str]]:
    """Per position, the 2PL (a, b) to simulate with: the item's calibrated bank
    parameters, else its generating ones (a synthetic item's ``sim_a``/``sim_b``),
    else a seeded draw typical of a certification item (a ~ lognormal(0, 0.25),
    b ~ N(−0.6, 0.8): most candidates near the cut answer most items right).
    Also says where each came from."""
    columns = form_columns(form_id)
    stats = dict(
        ItemVersion.objects.filter(pk__in=[c.version_id for c in columns]).values_list(
            "pk", "stats"
        )
    )
    default_a, default_b = simulate.item_params(
        len(columns), seed, b_mean=-0.6, b_sd=0.8
    )
    a, b, origin = default_a.copy(), default_b.copy(), ["default"] * len(columns)
    for j, column in enumerate(columns):
        s = stats.get(column.version_id) or {}
        for ka, kb, name in (("irt_a", "irt_b", "bank"), ("sim_a", "sim_b", "sim")):
            if isinstance(s.get(ka), int | float) and isinstance(
                s.get(kb), int | float
            ):
                a[j], b[j], origin[j] = float(s[ka]), float(s[kb]), name
                break
    return a, b, origin


@transaction.atomic
def responses_simulate(
    *,
    form_id: int,
    count: int,
    seed: int,
    source: str = "",
    ability_mean: float = 0.0,
    actor: Actor = None,
) -> int:
    """Add ``count`` simulated sittings of the form (``simulated`` = True), answers
    drawn from the 2PL with ``simulation_params`` and θ ~ N(ability_mean, 1);
    distractors chosen as ``psychometrics.simulate.choices`` does. Refused when the
    source already holds sittings of the form (choose another seed or source)."""
    form = _form(form_id)
    if not 1 <= count <= 1_000_000:
        raise ScoringError("count", _("Simulate between 1 and 1,000,000 sittings."))
    source = source.strip() or f"simulated field test (seed {seed})"
    if ExternalSitting.objects.filter(form=form, source=source).exists():
        raise ScoringError(
            "duplicate",
            _("%(form)s already has sittings from %(source)r.")
            % {"form": form, "source": source},
        )
    columns = form_columns(form_id)
    if not columns:
        raise ScoringError("empty", _("%(form)s has no items.") % {"form": form})
    a, b, _origin = simulation_params(form_id, seed)
    rng = np.random.default_rng(seed)
    theta = simulate.abilities(count, rng, mean=ability_mean)
    right = simulate.responses(theta, a, b, rng)
    key = np.array([c.key for c in columns])
    chosen = simulate.choices(right, key, rng)
    user = actor_user(actor)
    label = actor_split(actor)[1]
    rows = [
        ExternalSitting(
            form=form,
            source=source,
            reference=f"SIM-{seed}-{i + 1:06d}",
            choices=chosen[i].tobytes(),
            simulated=True,
            imported_by=user,
            imported_by_label=label,
        )
        for i in range(count)
    ]
    _sittings_store(form, rows, source=source, simulated=True, actor=actor)
    return count


# --- runs -----------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    from certwright.scoring.tasks import analysis_run_task

    enqueue_with_request_id(analysis_run_task, run_id=run_id)


def _run_create(
    form: Form, kind: RunKind, params: dict[str, Any], actor: Actor
) -> AnalysisRun:
    user = actor_user(actor)
    run = AnalysisRun.objects.create(
        form=form,
        kind=kind,
        params=params,
        created_by=user,
        created_by_label=actor_split(actor)[1],
    )
    event_record(
        kind=EventKind.ANALYSIS_REQUESTED,
        subject=f"form:{form.pk}",
        actor=actor,
        data={"run": run.pk, "kind": kind.value, "form": str(form), **params},
    )
    transaction.on_commit(partial(_enqueue, run.pk))
    return run


def _check_sittings(form: Form, sources: str) -> None:
    if sources not in Sources.values:
        raise ScoringError("sources", _("Unknown selection of sittings."))
    counts = form_sittings(form.pk)
    n = {
        Sources.ALL: counts.delivered + counts.imported,
        Sources.DELIVERED: counts.delivered,
        Sources.IMPORTED: counts.imported,
    }[Sources(sources)]
    if n < 2:
        raise ScoringError(
            "empty",
            _("%(form)s has %(n)d sitting(s) in this selection; an analysis needs two.")
            % {"form": form, "n": n},
        )


@transaction.atomic
def analysis_request(
    *, form_id: int, sources: str = Sources.ALL, actor: Actor = None
) -> AnalysisRun:
    """Queue an item analysis of the form's sittings (``sources``)."""
    form = _form(form_id)
    _check_sittings(form, sources)
    return _run_create(form, RunKind.ANALYSIS, {"sources": sources}, actor)


@transaction.atomic
def calibration_request(
    *, form_id: int, model: str = "2pl", sources: str = Sources.ALL, actor: Actor = None
) -> AnalysisRun:
    """Queue a Rasch or 2PL calibration of the form onto the bank's scale."""
    form = _form(form_id)
    if model not in MODELS:
        raise ScoringError("model", _("The model must be Rasch or 2PL."))
    _check_sittings(form, sources)
    return _run_create(
        form, RunKind.CALIBRATION, {"sources": sources, "model": model}, actor
    )


@transaction.atomic
def equating_request(
    *,
    form_id: int,
    base_form_id: int,
    method: str = "stocking-lord",
    actor: Actor = None,
) -> AnalysisRun:
    """Queue the equating of a draft form to a published base form of its test."""
    form = _form(form_id)
    if form.status != FormStatus.DRAFT:
        raise ScoringError(
            "frozen",
            _(
                "%(form)s is %(status)s: its cut score and table are frozen. Equate "
                "a draft form."
            )
            % {"form": form, "status": form.get_status_display()},
        )
    base = _form(base_form_id)
    if (
        base.status == FormStatus.DRAFT
        or (base.test, base.kind) != (form.test, form.kind)
        or base.cut_score is None
        or not base.scale
    ):
        raise ScoringError(
            "base",
            _("The base form must be a published %(test)s %(kind)s form.")
            % {"test": form.test, "kind": form.get_kind_display()},
        )
    if method not in LINKING_METHODS:
        raise ScoringError("method", _("Unknown linking method."))
    return _run_create(
        form,
        RunKind.EQUATING,
        {"base_form": base.pk, "method": method, "sources": Sources.ALL},
        actor,
    )


def _progress(run_id: int, percent: int, stage: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(
        progress=max(0, min(100, percent)), stage=stage[:200]
    )


def _bank(version_ids: list[int]) -> dict[int, Mapping[str, Any]]:
    return dict(
        ItemVersion.objects.filter(pk__in=version_ids).values_list("pk", "stats")
    )


def _compute(run: AnalysisRun, progress: analysis.Progress) -> dict[str, Any]:
    params = run.params
    matrix = form_response_matrix(run.form_id, sources=params.get("sources", "all"))
    if run.kind == RunKind.ANALYSIS:
        return analysis.analysis_report(
            matrix, cut_score=run.form.cut_score, progress=progress
        )
    if run.kind == RunKind.CALIBRATION:
        return analysis.calibration_report(
            matrix,
            model=params["model"],
            bank=_bank([c.version_id for c in matrix.columns]),
            progress=progress,
        )
    base = Form.objects.get(pk=params["base_form"])
    base_columns = tuple(c for c in form_columns(base.pk) if c.scored)
    return analysis.equating_report(
        matrix,
        analysis.BaseForm(
            base_columns, int(base.cut_score or 0), list(base.scale or []), str(base)
        ),
        bank=_bank([c.version_id for c in (*matrix.columns, *base_columns)]),
        method=params["method"],
        progress=progress,
    )


def run_execute(*, run_id: int) -> AnalysisRun | None:
    """Run a queued analysis (the task's body). Claimed with a conditional update,
    so a second worker or a replay does nothing; a refusal of the data (too few
    sittings, an item nobody could fit) fails the run with that message."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=now(),
        progress=5,
        stage="loading responses",
    )
    if not claimed:
        return None
    run = AnalysisRun.objects.select_related("form").get(pk=run_id)
    try:
        results = _compute(run, partial(_progress, run_id))
        applied = None
        if run.kind == RunKind.ANALYSIS and run.params.get("sources") == Sources.ALL:
            actor = run.created_by or run.created_by_label or "system"
            item_stats_record(
                stats=analysis.analysis_item_stats(results, run.pk),
                actor=actor,
                reason=f"item analysis run #{run.pk}",
            )
            applied = now()
    except (ValueError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else exc
        AnalysisRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(message), finished_at=now()
        )
    except Exception as exc:
        log.exception("analysis run %s failed", run_id)
        AnalysisRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"internal error: {type(exc).__name__}: {exc}",
            finished_at=now(),
        )
    else:
        AnalysisRun.objects.filter(pk=run_id).update(
            status=RunStatus.DONE,
            results=results,
            n_examinees=results.get("n"),
            progress=100,
            stage="done",
            finished_at=now(),
            applied_at=applied,
        )
    run.refresh_from_db()
    return run


def _finished_run(run_id: int, kind: RunKind) -> AnalysisRun:
    run = (
        AnalysisRun.objects.select_for_update()
        .select_related("form")
        .filter(pk=run_id, kind=kind)
        .first()
    )
    if run is None:
        raise ScoringError("not_found", _("No such run."))
    if run.status != RunStatus.DONE:
        raise ScoringError("state", _("The run has not finished."))
    if run.applied_at is not None:
        raise ScoringError("applied", _("This run's results were already applied."))
    return run


@transaction.atomic
def calibration_record(*, run_id: int, actor: Actor = None, reason: str = "") -> int:
    """Record a finished calibration's estimated parameters on the item versions
    (anchors keep theirs). Once per run. Returns the number of versions written."""
    run = _finished_run(run_id, RunKind.CALIBRATION)
    written = item_stats_record(
        stats=analysis.calibration_item_stats(run.results, run.pk),
        actor=actor,
        reason=(reason.strip() + f" (calibration run #{run.pk})").strip(),
    )
    run.applied_at = now()
    run.save(update_fields=["applied_at"])
    return written


@transaction.atomic
def equating_apply(*, run_id: int, reason: str, actor: Actor = None) -> Form:
    """Set the draft form's cut score and table to a finished equating's, through
    the item bank's ``form_scale_set`` (its ``form.scale_set`` event carries the
    reason and the run). Refused for a form published meanwhile."""
    if not reason.strip():
        raise ScoringError("reason", _("Say why the table is being set."))
    run = _finished_run(run_id, RunKind.EQUATING)
    form = form_scale_set(
        form_id=run.form_id,
        cut_score=int(run.results["cut_score"]),
        scale=list(run.results["scale"]),
        actor=actor,
        reason=f"{reason.strip()} (equating run #{run.pk} to "
        f"{run.results['base_form']}, {run.results['linking']['method']})",
    )
    run.applied_at = now()
    run.save(update_fields=["applied_at"])
    return form
