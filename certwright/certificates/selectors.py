"""Who may download whose certificate."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from certwright.core.roles import user_is_program_staff


def check_certificates_staff(user: Any) -> None:
    """Only program staff download another technician's certificate."""
    if not user_is_program_staff(user):
        raise PermissionDenied
