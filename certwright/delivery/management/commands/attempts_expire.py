"""Every minute: auto-submit exams whose time has run out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certwright.delivery.services import attempts_expire


class Command(BaseCommand):
    help = (
        "Auto-submit (and score) exam attempts past their deadline; paused ones wait."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = attempts_expire()
        self.stdout.write(f"{count} attempt(s) auto-submitted.")
