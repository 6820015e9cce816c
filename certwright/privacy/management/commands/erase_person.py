"""``certwright erase_person CERTIFICATION_ID --reason TEXT``: erase a person at
their request, as the admin's action does (docs/personal-data.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.candidates.management.arguments import technician_argument
from certwright.privacy.services import person_erase

INVALID_INPUT = 2


class Command(BaseCommand):
    help = "Erase a technician's personal data at their request (kept: the facts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("certification_id", help="the technician's ID, CW-…")
        parser.add_argument(
            "--reason", required=True, help="why (their request), kept in the record"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        technician = technician_argument(options["certification_id"])
        try:
            pseudonym = person_erase(technician, reason=options["reason"], actor="cli")
        except ValidationError as exc:
            problems = "; ".join(
                f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items()
            )
            raise CommandError(problems, returncode=INVALID_INPUT) from exc
        self.stdout.write(f"{technician.certification_id} erased; now {pseudonym}")
