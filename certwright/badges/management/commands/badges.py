"""``certwright badges key-create`` and ``certwright badges key-rotate``: the issuer's
signing key for signed credentials."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.badges.keys import (
    SigningKeyError,
    signing_key_create,
    signing_key_rotate,
)
from certwright.badges.services import issuer_did


class Command(BaseCommand):
    help = "Create or rotate the Ed25519 key that signs Open Badges credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("key-create", help="create the first signing key")
        sub.add_parser(
            "key-rotate", help="retire the signing key and start signing with a new one"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "key-create":
                key = signing_key_create(actor="cli")
            else:
                key = signing_key_rotate(actor="cli")
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{issuer_did()}#{key.key_id} {key.public_multibase}")
