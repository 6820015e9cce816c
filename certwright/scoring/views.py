"""Psychometrics pages for program staff: item analysis, calibration, equating.

Every page answers 403 to anyone who is not program staff (``check_analyst``), and
signed-out visitors go to the sign-in page. Runs never execute in the request: the
page queues one and shows its progress (htmx polls the progress fragment, which
reloads the page when the run has finished).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certwright.audit.services import Actor
from certwright.itembank.models import (
    OPTION_LETTERS,
    Form,
    FormStatus,
    Item,
    ItemVersion,
)
from certwright.itembank.services import item_viewed
from certwright.scoring import guides, plots, services
from certwright.scoring.forms import (
    AnalysisForm,
    CalibrationForm,
    EquatingForm,
    ReasonForm,
)
from certwright.scoring.models import AnalysisRun, RunKind, RunStatus
from certwright.scoring.selectors import (
    base_form_choices,
    can_analyse,
    check_analyst,
    form_sittings,
    forms_overview,
    item_history,
    latest_run,
    run_get,
    runs_of,
)

ICC_GRID_MAX = 12
PLOT_CACHE_SECONDS = 24 * 3600


def _actor(request: HttpRequest) -> Actor:
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


def _run(run_id: int) -> AnalysisRun:
    run = run_get(run_id)
    if run is None:
        raise Http404("No such run.")
    return run


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _plot(run: AnalysisRun, name: str, draw: Callable[[], SafeString]) -> SafeString:
    """A run's plot, drawn once per process: a finished run's results never change
    (the key holds the run's creation time too, so a reused id is a new run)."""
    key = f"scoring:plot:{run.pk}:{run.created_at.timestamp()}:{name}"
    svg = cache.get(key)
    if svg is None:
        svg = str(draw())
        cache.set(key, svg, PLOT_CACHE_SECONDS)
    return mark_safe(svg)  # drawn by plots.py: matplotlib's SVG, our text escaped


# --- pages ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    check_analyst(request.user)
    return render(request, "scoring/index.html", {"rows": forms_overview()})


@login_required
def guide(request: HttpRequest) -> HttpResponse:
    """The psychometrics guide (docs/psychometrics.md) as a page beside the
    statistics it explains, so staff need not find the repository to read it."""
    check_analyst(request.user)
    try:
        body = guides.guide_html("psychometrics")
    except guides.GuideMissing as missing:
        raise Http404(str(missing)) from None
    return render(request, "scoring/guide.html", {"body": body})


def _analysis_context(run: AnalysisRun) -> dict[str, Any]:
    results = run.results
    items = results["items"]
    flagged = [row for row in items if row["flags"]]
    shown = (flagged or items)[:ICC_GRID_MAX]
    form = str(run.form)
    return {
        "results": results,
        "items": items,
        "histogram": _plot(
            run,
            "histogram",
            lambda: plots.score_histogram(
                results["distribution"],
                cut_score=results.get("cut_score"),
                title=_("Score distribution of %(form)s") % {"form": form},
            ),
        ),
        "distribution": list(enumerate(results["distribution"])),
        "curves": _plot(
            run,
            "curves",
            lambda: plots.item_curves_grid(
                results["groups"],
                shown,
                title=_("Item characteristic curves of %(form)s") % {"form": form},
            ),
        ),
        "curves_flagged": bool(flagged),
        "curves_items": shown,
        "curves_more": max(0, len(flagged or items) - ICC_GRID_MAX),
    }


def _equating_context(run: AnalysisRun) -> dict[str, Any]:
    results = run.results
    table = [
        {"raw": raw, "equated": eq, "theta": th, "scaled": sc}
        for raw, (eq, th, sc) in enumerate(
            zip(results["equated"], results["theta"], results["scale"], strict=True)
        )
    ]
    return {
        "results": results,
        "table": table,
        "conversion": _plot(
            run,
            "conversion",
            lambda: plots.conversion(
                base=results["base_scale"],
                new=results["scale"],
                base_cut=results["base_cut"],
                new_cut=results["cut_score"],
                base_label=results["base_form"],
                new_label=str(run.form),
                title=_("Raw to scaled scores: %(new)s equated to %(base)s")
                % {"new": run.form, "base": results["base_form"]},
            ),
        ),
        "can_apply": run.applied_at is None and run.form.status == FormStatus.DRAFT,
        "reason_form": ReasonForm(),
    }


def _run_context(run: AnalysisRun) -> dict[str, Any]:
    context: dict[str, Any] = {"run": run, "form": run.form}
    if run.status != RunStatus.DONE:
        return context
    if run.kind == RunKind.ANALYSIS:
        context.update(_analysis_context(run))
    elif run.kind == RunKind.EQUATING:
        context.update(_equating_context(run))
    else:
        context.update(
            results=run.results,
            can_record=run.applied_at is None,
            reason_form=ReasonForm(),
        )
    return context


@login_required
def form_report(request: HttpRequest, form_id: int) -> HttpResponse:
    """A form's sittings, its latest item analysis, and the runs to start."""
    check_analyst(request.user)
    form = get_object_or_404(Form, pk=form_id)
    run = latest_run(form.pk)
    bases = base_form_choices(form) if form.status == FormStatus.DRAFT else []
    context: dict[str, Any] = {
        "form": form,
        "sittings": form_sittings(form.pk),
        "runs": runs_of(form.pk),
        "latest": run,
        "analysis_form": AnalysisForm(),
        "calibration_form": CalibrationForm(),
        "equating_form": EquatingForm(bases=bases) if bases else None,
        "can_change": can_analyse(request.user),
    }
    if run is not None:
        context.update(_run_context(run))
    context["form"] = form
    return render(request, "scoring/form.html", context)


@login_required
def run_report(request: HttpRequest, run_id: int) -> HttpResponse:
    check_analyst(request.user)
    run = _run(run_id)
    context = _run_context(run)
    context["can_change"] = can_analyse(request.user)
    return render(request, "scoring/run.html", context)


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once the run has finished it tells htmx to
    reload the page, which then shows the results."""
    check_analyst(request.user)
    run = _run(run_id)
    response = render(request, "scoring/_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def run_item(request: HttpRequest, run_id: int, position: int) -> HttpResponse:
    """One item in one analysis: flags, distractors, its curves and its text."""
    check_analyst(request.user)
    run = _run(run_id)
    if run.kind != RunKind.ANALYSIS or run.status != RunStatus.DONE:
        raise Http404("No item analysis in this run.")
    row = next((r for r in run.results["items"] if r["position"] == position), None)
    if row is None:
        raise Http404("No such position.")
    version = get_object_or_404(ItemVersion, pk=row["version"])
    item_viewed(
        item_id=row["item"],
        actor=_actor(request),
        where="item analysis",
        key_shown=True,
    )
    groups = run.results["groups"]
    title = _("%(code)s on %(form)s") % {"code": row["code"], "form": run.form}
    return render(
        request,
        "scoring/run_item.html",
        {
            "run": run,
            "form": run.form,
            "row": row,
            "groups": groups,
            "curve_rows": [
                {**group, "p": p} for group, p in zip(groups, row["icc"], strict=True)
            ],
            "version": version,
            "options": list(zip(OPTION_LETTERS, version.options, strict=False)),
            "curve": _plot(
                run,
                f"curve-{position}",
                lambda: plots.item_curve(
                    groups,
                    row,
                    title=_("Item characteristic curve: %(t)s") % {"t": title},
                ),
            ),
            "traces": _plot(
                run,
                f"traces-{position}",
                lambda: plots.option_traces(
                    groups,
                    row,
                    title=_("Option choice by score group: %(t)s") % {"t": title},
                ),
            ),
        },
    )


@login_required
def item_report(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item's statistics in every form it was on, and its versions' bank stats."""
    check_analyst(request.user)
    item = get_object_or_404(Item, pk=item_id)
    return render(
        request,
        "scoring/item.html",
        {
            "item": item,
            "versions": list(item.versions.order_by("-number")),
            "history": item_history(item.pk),
        },
    )


# --- actions -------------------------------------------------------------------------


def _run_start(
    request: HttpRequest,
    form_id: int,
    form: forms.Form,
    invalid: str,
    start: Callable[[dict[str, Any]], AnalysisRun],
) -> HttpResponse:
    """Queue a run from a valid ``form``; back to the form's page on a refusal."""
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("scoring:form", form_id)
    try:
        run = start(form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
        return redirect("scoring:form", form_id)
    return redirect("scoring:run", run.pk)


@login_required
@require_POST
def analyse(request: HttpRequest, form_id: int) -> HttpResponse:
    check_analyst(request.user)
    return _run_start(
        request,
        form_id,
        AnalysisForm(request.POST),
        _("Choose which sittings to analyse."),
        lambda data: services.analysis_request(
            form_id=form_id, sources=data["sources"], actor=_actor(request)
        ),
    )


@login_required
@require_POST
def calibrate(request: HttpRequest, form_id: int) -> HttpResponse:
    check_analyst(request.user)
    return _run_start(
        request,
        form_id,
        CalibrationForm(request.POST),
        _("Choose a model and the sittings."),
        lambda data: services.calibration_request(
            form_id=form_id,
            model=data["model"],
            sources=data["sources"],
            actor=_actor(request),
        ),
    )


@login_required
@require_POST
def equate(request: HttpRequest, form_id: int) -> HttpResponse:
    check_analyst(request.user)
    target = get_object_or_404(Form, pk=form_id)
    return _run_start(
        request,
        form_id,
        EquatingForm(request.POST, bases=base_form_choices(target)),
        _("Choose a published base form and a linking method."),
        lambda data: services.equating_request(
            form_id=form_id,
            base_form_id=data["base_form"],
            method=data["method"],
            actor=_actor(request),
        ),
    )


def _run_apply(
    request: HttpRequest, run_id: int, invalid: str, apply: Callable[[str], str]
) -> HttpResponse:
    """Apply a run's results with the reason given; ``apply`` returns the message."""
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(invalid)
        done = apply(form.cleaned_data["reason"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return redirect("scoring:run", run_id)


@login_required
@require_POST
def record(request: HttpRequest, run_id: int) -> HttpResponse:
    """Record a calibration's parameters in the item bank."""
    check_analyst(request.user)

    def record_it(reason: str) -> str:
        written = services.calibration_record(
            run_id=run_id, actor=_actor(request), reason=reason
        )
        return _("Parameters recorded on %(n)d item versions.") % {"n": written}

    return _run_apply(
        request, run_id, _("Say why the parameters are being recorded."), record_it
    )


@login_required
@require_POST
def apply(request: HttpRequest, run_id: int) -> HttpResponse:
    """Set the draft form's cut score and table from an equating."""
    check_analyst(request.user)

    def apply_it(reason: str) -> str:
        target = services.equating_apply(
            run_id=run_id, actor=_actor(request), reason=reason
        )
        return _("%(form)s now has cut score %(cut)d and the equated table.") % {
            "form": target,
            "cut": target.cut_score,
        }

    return _run_apply(request, run_id, _("Say why the table is being set."), apply_it)
