"""Every minute: auto-submit exams whose time has run out, and close authorised
exams never started before their appointment ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certwright.delivery.attempts import attempts_expire, attempts_lapse


class Command(BaseCommand):
    help = (
        "Auto-submit (and score) exam attempts past their deadline; paused ones"
        " wait. Close authorisations whose appointment ended without a start."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = attempts_expire()
        self.stdout.write(f"{count} attempt(s) auto-submitted.")
        lapsed = attempts_lapse()
        self.stdout.write(f"{lapsed} authorisation(s) lapsed.")
