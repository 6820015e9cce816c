"""What the commands that take a technician share: finding them by the ID typed."""

from __future__ import annotations

from django.core.management.base import CommandError

from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_get_by_certification_id
from certwright.core.management.arguments import INVALID_INPUT


def technician_argument(certification_id: str) -> Technician:
    """The technician with this certification ID, as a person would type it;
    CommandError (exit status ``INVALID_INPUT``) when there is none."""
    technician = technician_get_by_certification_id(certification_id)
    if technician is None:
        raise CommandError(
            f"no technician with ID {certification_id!r}", returncode=INVALID_INPUT
        )
    return technician
