"""Daily: expire purchased tests not taken by their must-take-by date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certwright.commerce.services import order_lines_expire


class Command(BaseCommand):
    help = "Expire paid order lines past their must-take-by date (fees forfeited)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = order_lines_expire(actor="order_lines_expire")
        self.stdout.write(f"{count} order line(s) expired.")
