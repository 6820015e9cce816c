"""``certwright email test --to ADDRESS`` and ``certwright email retry``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import email_send, outbound_emails_sweep


class Command(BaseCommand):
    help = "Check outgoing e-mail, or re-enqueue mail whose sending task was lost."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="send a test message through the queue")
        test.add_argument("--to", required=True, help="recipient address")
        retry = sub.add_parser(
            "retry", help="re-enqueue lost mail (and failed mail with --failed)"
        )
        retry.add_argument(
            "--failed", action="store_true", help="also send failed mail again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "test":
            email = email_send(to=options["to"], template="test_message", context={})
            email.refresh_from_db()
            self.stdout.write(
                f"e-mail {email.pk} to {options['to']}: {email.status}"
                + (f" ({email.last_error})" if email.last_error else "")
            )
            return
        count = outbound_emails_sweep(retry_failed=options["failed"])
        failed = OutboundEmail.objects.filter(status=EmailStatus.FAILED).count()
        self.stdout.write(f"{count} e-mail(s) enqueued; {failed} failed in total")
