"""``certwright import results FILE.csv [--dry-run]``: the test provider's results.

The file format is in docs/results-import.md. Every row is checked first; with any
bad row nothing is imported, each problem is listed with its line number and the
command exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.credentials.results_import import results_import

INVALID_INPUT = 2


class Command(BaseCommand):
    help = "Import data files."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
        results = kinds.add_parser(
            "results",
            help="test results from the provider's CSV feed",
            description=(
                "Import test results (columns certification_id, test, date, kind, "
                "outcome, result_id). All rows are checked first; nothing is applied "
                "unless every row is valid. Rows already imported are skipped."
            ),
        )
        results.add_argument("file", metavar="FILE.csv")
        results.add_argument(
            "--dry-run", action="store_true", help="check the file, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "results":
            self.results(options["file"], dry_run=options["dry_run"])

    def results(self, path: str, *, dry_run: bool) -> None:
        try:
            report = results_import(
                path=path, dry_run=dry_run, actor=f"import:{Path(path).name}"
            )
        except OSError as exc:
            raise CommandError(
                f"{path}: {exc.strerror}", returncode=INVALID_INPUT
            ) from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(f"{report.file_name}: {error}")
            raise CommandError(
                f"{len(report.errors)} problem(s) in {report.file_name}; "
                "nothing was imported",
                returncode=INVALID_INPUT,
            )
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{report.file_name}: {report.rows} rows, {verb} {report.created} new "
            f"results for {report.technicians} technicians, skipped {report.skipped} "
            "already imported"
            + (
                ""
                if dry_run
                else f"; {report.recomputed_changed} technicians' "
                "certifications changed"
            )
            + f" (sha256 {report.sha256[:12]})"
        )
