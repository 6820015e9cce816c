"""``certwright expiry_reminders send``: the expiry reminder ladder, each rung once.

(``certwright reminders`` is the day-before appointment reminder, scheduling's.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.reminders.services import expiry_reminders_send
from certwright.reminders.tasks import expiry_reminders_task


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--on: {text!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "E-mail each technician whose certification reached a rung of the program's"
        " expiry reminder ladder ([reminders]). Each rung goes out once per"
        " certification and expiry date, however often this runs: run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send the reminders that are due")
        enqueue = sub.add_parser(
            "enqueue", help="hand the sweep to the task queue instead of running it"
        )
        for p in (send, enqueue):
            p.add_argument(
                "--on", help="the day to send for (YYYY-MM-DD, default today)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["on"])
        if options["action"] == "enqueue":
            result = expiry_reminders_task.enqueue(on=day.isoformat() if day else None)
            self.stdout.write(f"expiry reminder sweep enqueued ({result.id})")
            return
        swept = expiry_reminders_send(on=day)
        self.stdout.write(
            f"{swept.sent} expiry reminder(s) sent, {swept.skipped} passed over"
        )
