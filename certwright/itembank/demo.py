"""Demo data: the sample item bank and a published initial and recertification form
of each of A1 to A8.

The sample bank (``data/<program>/<TEST>.json``, original items written for this
project, with ``<TEST>-practice.json`` practice items and ``<TEST>-renewal.json``
renewal questions beside them) loads through the ordinary import, as versions
reviewed by "system". Every item file in the folder is read, so a test's renewal or
practice file loads by being there; the forms take only exam items.
Loading twice changes nothing: unchanged items are skipped and a form is assembled
only for a test and kind that has no published form yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.itembank.item_files import ImportReport, items_import, read_path
from certwright.itembank.models import Form, FormKind, FormStatus
from certwright.itembank.services import ItemBankError, form_publish

DATA = Path(__file__).resolve().parent / "data"
ACTOR = "demo"
# The forms the demo publishes: the sample bank holds, for each of A1 to A8, the
# operational items per content area of the blueprint in force plus pretest items
# (docs/item-bank.md). Only a test with a published form is sold and booked.
DEMO_TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")
DEMO_FORMS = tuple(
    (test, kind) for test in DEMO_TESTS for kind in (FormKind.INITIAL, FormKind.RECERT)
)


@dataclass
class ItemsDemoReport:
    imported: ImportReport | None = None
    forms_published: list[str] = field(default_factory=list)
    forms_present: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def sample_bank_dir() -> Path:
    return DATA / current_program().id


def demo_load() -> ItemsDemoReport:
    report = ItemsDemoReport()
    folder = sample_bank_dir()
    if not folder.is_dir():
        report.problems.append(f"no sample bank for program {current_program().id}")
        return report
    report.imported = items_import(read_path(folder), actor=ACTOR, source="sample bank")
    for test, kind in DEMO_FORMS:
        live = Form.objects.filter(test=test, kind=kind, status=FormStatus.PUBLISHED)
        if live.exists():
            report.forms_present.append(f"{test} {kind}")
            continue
        from certwright.itembank.form_building import form_assemble

        try:
            form = form_assemble(test=test, kind=kind, day=today(), seed=1, actor=ACTOR)
            form = form_publish(form_id=form.pk, actor=ACTOR)
        except ItemBankError as exc:
            report.problems.append(str(exc.message))
        else:
            report.forms_published.append(str(form))
    return report
