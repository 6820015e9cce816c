"""``certwright revoke CERTIFICATION_ID TEST --reason TEXT``: withdraw a certification
as the admin does, and recompute at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.candidates.management.arguments import technician_argument
from certwright.core.clock import today
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import revocation_record

INVALID_INPUT = 2


class Command(BaseCommand):
    help = "Revoke a technician's certification in one test and recompute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("certification_id", help="the technician's ID, CW-…")
        parser.add_argument("test", help="the test code, e.g. A1")
        parser.add_argument("--reason", required=True, help="why, kept in the record")

    def handle(self, *args: Any, **options: Any) -> None:
        technician = technician_argument(options["certification_id"])
        try:
            revocation_record(
                technician_id=technician.pk,
                date=today(),
                reason=options["reason"],
                test=options["test"].upper(),
                actor="cli",
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items()
            )
            raise CommandError(problems, returncode=INVALID_INPUT) from exc
        # The fact's own recompute is queued after commit; do it now so the
        # revocation (and the signed credentials' status bits) show at once.
        technician_recompute(technician_id=technician.pk, actor="cli")
        self.stdout.write(
            f"{technician.certification_id} {options['test'].upper()} revoked"
        )
