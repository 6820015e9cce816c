"""``certwright renewal_dispatch [--at ISO] [--workers N] [--enqueue]``: this
month's renewal questions, each once, and the e-mails saying they are waiting."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.renewal.dispatch import renewal_dispatch
from certwright.renewal.tasks import renewal_dispatch_task


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--at: {text!r} is not a moment (ISO 8601, e.g. 2027-03-01T06:00Z)"
        ) from error
    if moment.tzinfo is None:
        raise CommandError(
            f"--at: {text!r} has no UTC offset (add Z or +00:00): the first of the"
            " month is met in each technician's own time zone"
        )
    return moment.astimezone(dt.UTC)


def _workers(text: str) -> int:
    """A number of processes from 1 to 64, or ``auto``: the cores this process may
    run on."""
    if text == "auto":
        return max(1, min(64, len(os.sched_getaffinity(0))))
    try:
        workers = int(text)
    except ValueError:
        workers = 0
    if not 1 <= workers <= 64:
        raise CommandError(
            f"--workers: {text!r} is not a number from 1 to 64, nor 'auto'"
        )
    return workers


class Command(BaseCommand):
    help = (
        "Send each subscribed certification its renewal questions for the month in"
        " progress in the technician's time zone, e-mail each technician once, and"
        " expire or time out questions past their time. Each month's questions go"
        " out once however often this runs: run it hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            help="the moment to dispatch for (ISO 8601 with offset; default now)",
        )
        parser.add_argument(
            "--workers",
            type=_workers,
            default=1,
            help="share the technicians out to N processes (default 1; 'auto':"
            " one per core)",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the dispatch to the task queue instead of running it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = _moment(options["at"])
        if options["enqueue"]:
            result = renewal_dispatch_task.enqueue(
                at=moment.isoformat() if moment else None
            )
            self.stdout.write(f"renewal dispatch enqueued ({result.id})")
            return
        done = renewal_dispatch(at=moment, workers=options["workers"])
        self.stdout.write(
            f"{done.sent} renewal question(s) sent to {done.technicians}"
            f" technician(s), {done.emails} e-mail(s); {done.expired} expired,"
            f" {done.timed_out} timed out; {done.no_item} not sent (no item left)"
        )
