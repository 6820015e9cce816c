"""Daily: check every shop's recognition again (certifications lapse unwritten)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.shops.services import shops_recognition_check


class Command(BaseCommand):
    help = "Check every shop's recognition again and record any change."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="the day to decide for (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of: {error}") from error
        changed = shops_recognition_check(as_of=as_of, actor="shops_recognition")
        self.stdout.write(f"{changed} shop(s) changed recognition.")
