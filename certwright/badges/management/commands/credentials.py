"""``certwright credentials export CERTIFICATION_ID --out DIR``: a technician's signed
credentials in force, one JSON file each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.badges.keys import SigningKeyError
from certwright.badges.selectors import credential_filename
from certwright.badges.services import technician_credentials_issue
from certwright.candidates.management.arguments import technician_argument


class Command(BaseCommand):
    help = "Export a technician's signed Open Badges credentials as JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="write each credential in force as DIR/<TEST or TITLE>.json"
        )
        export.add_argument("certification_id", help="the technician's ID, CW-…")
        export.add_argument("--out", required=True, type=Path, help="directory")

    def handle(self, *args: Any, **options: Any) -> None:
        technician = technician_argument(options["certification_id"])
        try:
            creds = technician_credentials_issue(
                technician_id=technician.pk, actor="cli"
            )
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        for cred in creds:
            path = out / credential_filename(cred)
            path.write_text(
                json.dumps(cred.document, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            self.stdout.write(str(path))
        self.stdout.write(f"{len(creds)} credential(s) written")
