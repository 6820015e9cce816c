"""The score report as a PDF (WeasyPrint), from the same template as the page."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from certwright.delivery.models import Attempt


def report_pdf(attempt: Attempt) -> bytes:
    """The score report of a finished attempt as PDF bytes."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    from certwright.delivery.services import attempt_result_context

    html = render_to_string(
        "delivery/report_pdf.html", {**attempt_result_context(attempt), "pdf": True}
    )
    return bytes(HTML(string=html, base_url=settings.CERTWRIGHT_SITE_URL).write_pdf())
