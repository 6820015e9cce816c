"""``certwright restore DIR``: a backup of ``certwright backup`` into an empty
database and media storage (docs/backup.md).

Refused, with nothing written and exit status 2, when a file does not match the
manifest, the backup is of another vendor's database or of a newer Certwright, or
the database or the media storage is not empty. The work is in
``certwright.core.backup``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.core.backup import (
    BackupError,
    BackupRefused,
    backup_restore,
    migrations_pending,
)

INVALID_INPUT = 2


class Command(BaseCommand):
    help = (
        "Restore a backup made by `certwright backup` into an empty database (the "
        "one DATABASE_URL names) and an empty media storage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "source", type=Path, metavar="DIR", help="the backup's directory"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        try:
            manifest = backup_restore(source)
        except BackupRefused as exc:
            raise CommandError(str(exc), returncode=INVALID_INPUT) from None
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        media = (
            "no media in this backup: restore the uploaded files apart"
            if manifest.media_files is None
            else f"{manifest.media_files} media files"
        )
        self.stdout.write(
            f"restored the backup of {manifest.created_at.isoformat()} "
            f"({manifest.vendor}, {len(manifest.migrations)} migrations, {media})"
        )
        pending = migrations_pending(manifest)
        if pending:
            self.stdout.write(
                f"{pending} migrations of this version are not applied yet: "
                "run certwright migrate"
            )
        self.stdout.write(
            "next: certwright recompute --all (derives everyone as of today: only "
            "what came due since the backup changes)"
        )
