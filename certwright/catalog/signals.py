"""Keep the catalog mirror in step with the configured program."""

from __future__ import annotations

import logging
from typing import Any

from django.apps.registry import Apps

from certwright.catalog.services import program_sync
from certwright.core.program import current_program

logger = logging.getLogger(__name__)


def sync_current_program(
    *, using: str, apps: Apps | None = None, verbosity: int = 1, **kwargs: Any
) -> None:
    """After ``migrate``: mirror the current program, once its tables exist.

    ``apps`` is the migrated state; a migrate that unapplied the catalog (``migrate
    catalog zero``) leaves no tables to fill. The flush at the end of a transactional
    test sends the signal without ``apps``: the tables are there then.
    """
    if apps is not None:
        try:
            apps.get_model("catalog", "ProgramVersion")
        except LookupError:
            return

    version = program_sync(current_program(), using=using)
    if verbosity >= 2:
        logger.info("Catalog mirrors %s", version)
