"""``certwright watch digest``: the employers' weekly digests that are due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certwright.accounts.tasks import watch_digests_task
from certwright.accounts.watch import watch_digests_send


class Command(BaseCommand):
    help = (
        "Send the weekly digest of changes among the technicians who share with each"
        " organization that asked for it, a week after its last. Run it daily from"
        " cron or a timer; each change is reported once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("digest", help="send the digests that are due")
        sub.add_parser(
            "enqueue", help="hand the digest sweep to the task queue instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "enqueue":
            result = watch_digests_task.enqueue()
            self.stdout.write(f"digest sweep enqueued ({result.id})")
            return
        sent = watch_digests_send()
        self.stdout.write(f"{sent} digest(s) sent")
