"""Who may download whose certificate."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from certwright.audit.personal_data import export_part
from certwright.candidates.models import Technician
from certwright.certificates.models import CertificateFile
from certwright.core.roles import user_is_program_staff


def check_certificates_staff(user: Any) -> None:
    """Only program staff download another technician's certificate."""
    if not user_is_program_staff(user):
        raise PermissionDenied


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """certificates' part of the technician's data export: which certificates and
    wallet cards were made for them (the PDFs themselves go into the archive)."""
    return export_part(
        (
            CertificateFile.objects.filter(technician_id=technician.pk),
            {"omit": ("pdf",)},
        )
    )
