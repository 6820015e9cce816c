"""Reading the catalog mirror.

The catalog as the CLI and the API show it comes straight from the loaded program
(``certwright.program.listing``), which needs no database; these read the tables.
"""

from __future__ import annotations

import hashlib

from certwright.catalog.models import ProgramVersion
from certwright.program.model import Program


def program_digest(program: Program) -> str:
    """The program's digest; a program built in code without one gets a stable one."""
    if program.digest:
        return program.digest
    # Frozen dataclasses with insertion-ordered dicts have a deterministic repr.
    return hashlib.sha256(repr(program).encode()).hexdigest()


def program_version_get(program: Program) -> ProgramVersion | None:
    """The catalog mirror of ``program``, if it has been synced."""
    return ProgramVersion.objects.filter(digest=program_digest(program)).first()
