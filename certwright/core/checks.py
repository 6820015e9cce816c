"""System checks: refuse to serve a program that does not load."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from certwright.core.program import current_program


@checks.register("certwright")
def check_program_loads(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        current_program()
    except Exception as exc:  # any failure to load is the operator's to see, verbatim
        return [
            checks.Error(
                f"CERTWRIGHT_PROGRAM={settings.CERTWRIGHT_PROGRAM!r} does not load: "
                f"{exc}",
                hint="Run `certwright program check` on it to list every problem.",
                id="certwright.E001",
            )
        ]
    return []
