"""The program this installation runs (``settings.CERTWRIGHT_PROGRAM``)."""

from __future__ import annotations

from django.conf import settings

from certwright.program import Program, get_program


def current_program() -> Program:
    """The configured program, loaded and validated once per state of its files.

    ``get_program`` caches by the files' mtimes and sizes, so an edited program is
    picked up without a restart, and reading the setting on every call lets
    ``override_settings(CERTWRIGHT_PROGRAM=...)`` in a test switch programs.
    """
    return get_program(settings.CERTWRIGHT_PROGRAM)
