"""The score report as a PDF (WeasyPrint), from the same template as the page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from certwright.core.program import current_program
from certwright.delivery.models import Attempt
from certwright.delivery.selectors import attempt_result_context

# PDF/UA-1 makes WeasyPrint write a tagged PDF (structure tree, language, title), so a
# screen reader reads the report in order instead of as loose text.
PDF_VARIANT = "pdf/ua-1"


def report_pdf(attempt: Attempt) -> bytes:
    """The score report of a finished attempt as PDF bytes, on the program's paper."""
    return bytes(report_document(attempt).write_pdf(pdf_variant=PDF_VARIANT))


def report_html(attempt: Attempt) -> str:
    """The HTML the PDF is laid out from."""
    program = current_program()
    return render_to_string(
        "delivery/report_pdf.html",
        {
            **attempt_result_context(attempt),
            "pdf": True,
            "program_name": program.name,
            "program_body": program.body,
            "paper": program.documents.paper,
        },
    )


def report_document(attempt: Attempt) -> Any:
    """The score report laid out in pages (a WeasyPrint ``Document``)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=report_html(attempt), base_url=settings.CERTWRIGHT_SITE_URL)
    return document.render(pdf_variant=PDF_VARIANT)
