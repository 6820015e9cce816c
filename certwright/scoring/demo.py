"""Demo data: simulated field-test sittings of "A1 initial form 1", analysed.

So that the item analysis page shows real statistics in ``make run``: 600 sittings
simulated from the 2PL (``responses_simulate``), labelled "simulated" wherever they
appear, and one item analysis of the form requested (run at once with inline tasks,
else by the worker). Loading twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from certwright.itembank.models import Form, FormKind, FormStatus
from certwright.scoring.models import AnalysisRun, ExternalSitting, RunKind
from certwright.scoring.services import analysis_request, responses_simulate

ACTOR = "demo"
SOURCE = "demo field test (simulated)"
SITTINGS = 600
SEED = 2026


@dataclass
class ScoringDemoReport:
    form: str = ""
    sittings_added: int = 0
    run_id: int | None = None
    run_status: str = ""
    problems: list[str] = field(default_factory=list)


def demo_load() -> ScoringDemoReport:
    report = ScoringDemoReport()
    form = Form.objects.filter(
        test="A1", kind=FormKind.INITIAL, number=1, status=FormStatus.PUBLISHED
    ).first()
    if form is None:
        report.problems.append("no published A1 initial form 1 to simulate sittings of")
        return report
    report.form = str(form)
    if not ExternalSitting.objects.filter(form=form, source=SOURCE).exists():
        report.sittings_added = responses_simulate(
            form_id=form.pk, count=SITTINGS, seed=SEED, source=SOURCE, actor=ACTOR
        )
    run = AnalysisRun.objects.filter(form=form, kind=RunKind.ANALYSIS).first()
    if run is None:
        run = analysis_request(form_id=form.pk, actor=ACTOR)
        run.refresh_from_db()
    report.run_id, report.run_status = run.pk, run.status
    return report
