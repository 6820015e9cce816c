"""``certwright reminders send``: the day-before appointment reminders."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certwright.scheduling.services import appointment_reminders_send
from certwright.scheduling.tasks import appointment_reminders_task


class Command(BaseCommand):
    help = (
        "Send the reminder for every appointment starting tomorrow (in its centre's"
        " calendar). Each reminder goes out once, however often this runs: run it"
        " hourly or daily from cron or a timer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="send the reminders that are due")
        enqueue = sub.add_parser(
            "enqueue", help="hand the sweep to the task queue instead of running it"
        )
        enqueue.set_defaults(enqueue=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "enqueue":
            result = appointment_reminders_task.enqueue()
            self.stdout.write(f"reminder sweep enqueued ({result.id})")
            return
        sent = appointment_reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent")
