"""A technician's data as one ZIP: ``data.json`` (each app's part, by app) and the
PDFs made for them (score reports, certificate, wallet card, invoices and
receipts) with the documents they uploaded.

Built while the technician waits: one person's rows are a few hundred at most, and
the PDFs take WeasyPrint a fraction of a second each (a technician with ten exams
and ten orders waits a few seconds). A platform whose technicians hold far more
would move this to a task that e-mails a link.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from certwright.accounts import selectors as accounts
from certwright.accounts.selectors import account_addresses
from certwright.audit import selectors as audit
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.badges import selectors as badges
from certwright.candidates import selectors as candidates
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_own_addresses
from certwright.certificates import selectors as certificates
from certwright.certificates.models import DocumentKind
from certwright.certificates.services import certificate_file_get
from certwright.commerce import selectors as commerce
from certwright.commerce.invoices import invoice_filename, invoice_pdf
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.credentials import selectors as credentials
from certwright.delivery import selectors as delivery
from certwright.delivery.reports import report_pdf
from certwright.notifications import selectors as notifications
from certwright.reminders import selectors as reminders
from certwright.renewal import selectors as renewal
from certwright.scheduling import selectors as scheduling
from certwright.shops import selectors as shops
from certwright.verification import selectors as verification

FORMAT = "certwright-personal-data/1"

# The apps whose ``personal_data(technician)`` makes a part, in the order a
# person reads them: who they are, what they did, what they hold, what they paid.
PARTS: dict[str, Callable[[Technician], dict[str, list[dict[str, Any]]]]] = {
    "accounts": accounts.personal_data,
    "candidates": candidates.personal_data,
    "scheduling": scheduling.personal_data,
    "delivery": delivery.personal_data,
    "credentials": credentials.personal_data,
    "verification": verification.personal_data,
    "certificates": certificates.personal_data,
    "badges": badges.personal_data,
    "reminders": reminders.personal_data,
    "renewal": renewal.personal_data,
    "commerce": commerce.personal_data,
    "shops": shops.personal_data,
}

# The tables that point at a technician or an account and are not in the export,
# each with why. ``tests/privacy`` fails for any such table in neither place, so a
# new model cannot be forgotten. ("model.field", as Django labels the model.)
NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry.user": "staff's log of admin changes; the user is the staff member",
    "accounts.Organization.members": "the same rows as accounts.Membership, exported",
    "scheduling.TestCentre.admins": "test-centre staff, not technicians",
    "itembank.Item.created_by": "item authors are staff; items are confidential",
    "itembank.ItemVersion.written_by": "item authors are staff; items are confidential",
    "itembank.ItemVersion.reviewed_by": "item reviewers are staff",
    "itembank.Form.created_by": "forms are assembled by staff",
    "itembank.Form.published_by": "forms are published by staff",
    "scoring.ExternalSitting.imported_by": "field-test data imported by staff",
    "scoring.AnalysisRun.created_by": "item analysis run by staff",
    "commerce.VoucherBatch.purchased_by": "an organization's purchase",
}


def personal_data_collect(technician: Technician) -> dict[str, Any]:
    """Everything held about the technician, by owning app: ``{app: {model label:
    rows}}``, plus the e-mails sent to their addresses and the audit events about
    them or caused by them."""
    technician = Technician.objects.get(pk=technician.pk)
    addresses = technician_own_addresses(technician) | account_addresses(
        technician.user_id
    )
    parts: dict[str, Any] = {app: part(technician) for app, part in PARTS.items()}
    parts["notifications"] = notifications.personal_data(addresses)
    parts["audit"] = audit.personal_data(
        technician_id=technician.pk, user_id=technician.user_id
    )
    return {
        "format": FORMAT,
        "certification_id": technician.certification_id,
        "made_at": now().isoformat(),
        "apps": parts,
    }


def _files(technician: Technician, actor: Actor) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for attempt in delivery.results_of(technician.pk).order_by("submitted_at", "id"):
        name = f"score-reports/score-report-{attempt.test}-{attempt.pk}.pdf"
        files.append((name, report_pdf(attempt)))
    for kind in (DocumentKind.CERTIFICATE, DocumentKind.WALLET_CARD):
        # Made as "My certificates" makes them; none while nothing is in force.
        made = certificate_file_get(technician=technician, kind=kind, actor=actor)
        if made is not None:
            files.append(
                (f"certificates/{kind.replace('_', '-')}.pdf", bytes(made.pdf))
            )
    program = current_program()
    for order in commerce.orders_for_technician(technician):
        files.append(
            (f"invoices/{invoice_filename(order)}", invoice_pdf(order, program))
        )
    for document in candidates.experience_documents(technician):
        with document.file.open("rb") as stored:
            content = stored.read()
        files.append(
            (f"experience-documents/{document.pk}-{document.original_name}", content)
        )
    return files


def personal_data_archive(technician: Technician, *, actor: Actor = None) -> bytes:
    """The technician's data export as ZIP bytes (``data.json`` and the PDFs and
    documents), with an event saying it was handed out."""
    data = personal_data_collect(technician)
    files = _files(technician, actor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for name, content in files:
            archive.writestr(name, content)
    event_record(
        kind=EventKind.PERSONAL_DATA_EXPORTED,
        subject=f"technician:{technician.certification_id}",
        technician_id=technician.pk,
        actor=actor,
        data={"files": len(files)},
    )
    return buffer.getvalue()
