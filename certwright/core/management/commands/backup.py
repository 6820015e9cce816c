"""``certwright backup --out DIR``: a consistent backup of the database and the
uploaded files, with a manifest (docs/backup.md).

Safe while the platform runs: SQLite is copied through its online backup API,
PostgreSQL by ``pg_dump -Fc`` from one snapshot. The work is in
``certwright.core.backup``; this only words the outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.core.backup import (
    MANIFEST,
    BackupError,
    BackupRefused,
    backup_write,
)

INVALID_INPUT = 2


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump -Fc) and the "
        "uploaded files into a new directory, with a manifest of checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            required=True,
            type=Path,
            metavar="DIR",
            help="a new (or empty) directory to write the backup into",
        )
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="leave the uploaded files out (when the bucket is backed up apart)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            manifest = backup_write(out, media=not options["no_media"])
        except BackupRefused as exc:
            raise CommandError(str(exc), returncode=INVALID_INPUT) from None
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for name, digest in sorted(manifest.files.items()):
            self.stdout.write(f"{out / name}  {digest.bytes:,} bytes")
        media = (
            "media left out"
            if manifest.media_files is None
            else f"{manifest.media_files} media files"
        )
        self.stdout.write(
            f"backup of the {manifest.vendor} database, {len(manifest.migrations)} "
            f"migrations, {media}: {out / MANIFEST}"
        )
