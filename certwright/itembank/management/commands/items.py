"""``certwright items import|export|generate``: the item bank from the command line.

``import PATH`` reads a .json ("certwright-items/1"), .csv or QTI 3.0 .zip file, or
every such file in a directory, and stores all of it or nothing (docs/item-bank.md).
``export --test T`` writes a test's items; ``generate`` makes a seeded synthetic bank
for load and psychometric tests. Bad input exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.itembank.item_files import (
    ImportReport,
    items_check,
    items_export,
    items_import,
    read_path,
    write_csv,
    write_json,
    write_qti,
)
from certwright.itembank.services import ItemBankError
from certwright.itembank.synthetic import synthetic_items
from certwright.itemformats import ItemBundle, ItemFileError

INVALID_INPUT = 2
ACTOR = "cli"


def import_summary(report: ImportReport) -> str:
    return (
        f"{len(report.created)} new items, {len(report.new_versions)} new versions, "
        f"{len(report.status_changed)} status changes, {report.unchanged} unchanged, "
        f"{report.enemies_added} enemy pairs added"
    )


class Command(BaseCommand):
    help = "Import, export and generate items of the item bank."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        load = actions.add_parser(
            "import",
            help="import items from a .json, .csv or QTI .zip file, or a directory",
            description=(
                "Import items. Every file is checked first; with any problem nothing "
                "is imported and each problem is listed (file, item, field)."
            ),
        )
        load.add_argument("path", metavar="FILE_OR_DIR")
        load.add_argument(
            "--dry-run", action="store_true", help="check the input, change nothing"
        )
        out = actions.add_parser(
            "export",
            help="export a test's items (latest version of each)",
            description=(
                "Write the latest version of every item of a test, keys included "
                "(the export is recorded in the audit trail). JSON and CSV write "
                "image files beside the output file; QTI writes one zip."
            ),
        )
        out.add_argument("--test", required=True, help="test code, e.g. A1")
        out.add_argument(
            "--format", choices=("json", "csv", "qti"), default="json", dest="fmt"
        )
        out.add_argument(
            "--out", required=True, help="output file ('-' for standard output)"
        )
        gen = actions.add_parser(
            "generate",
            help="store a seeded synthetic bank (clearly marked synthetic items)",
            description=(
                "Generate COUNT synthetic items of a test covering its blueprint "
                "(codes SYN<seed>-<test>-NNNNN; 15%% pretest), with generating 2PL "
                "parameters in their stats, and import them; with --out write them "
                "to a JSON file instead. The same seed gives the same items."
            ),
        )
        gen.add_argument("--test", required=True)
        gen.add_argument("--count", type=int, default=2000)
        gen.add_argument("--seed", type=int, default=1)
        gen.add_argument("--out", help="write a JSON file instead of importing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(**options)
        except ItemFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(exc.problems)} problem(s); nothing was imported",
                returncode=INVALID_INPUT,
            ) from None
        except ItemBankError as exc:
            raise CommandError(exc.message, returncode=INVALID_INPUT) from None

    def _import(self, *, path: str, dry_run: bool, **_: Any) -> None:
        bundles = read_path(Path(path))
        count = sum(len(b.items) for b in bundles)
        source = Path(path).name
        if dry_run:
            items_check(bundles, source=source)
            self.stdout.write(f"{path}: {count} items in {len(bundles)} test(s): OK")
            return
        report = items_import(bundles, actor=ACTOR, source=source)
        self.stdout.write(f"{path}: {count} items: {import_summary(report)}")

    def _export(self, *, test: str, fmt: str, out: str, **_: Any) -> None:
        if test not in current_program().tests:
            raise ItemBankError("test", f"The program has no test {test}.")
        bundle = items_export(test=test, actor=ACTOR, destination=out)
        if fmt == "qti":
            if out == "-":
                raise ItemBankError("format", "QTI is a zip file: give --out FILE.zip")
            Path(out).write_bytes(write_qti([bundle]))
        else:
            text = write_json(bundle) if fmt == "json" else write_csv([bundle])
            if out == "-":
                sys.stdout.write(text)
                return
            target = Path(out)
            target.write_text(text, encoding="utf-8")
            for name, data in bundle.images.items():
                (target.parent / name).write_bytes(data)
        self.stdout.write(f"{len(bundle.items)} {test} items written to {out}")

    def _generate(
        self, *, test: str, count: int, seed: int, out: str | None, **_: Any
    ) -> None:
        program = current_program()
        if test not in program.tests:
            raise ItemBankError("test", f"The program has no test {test}.")
        if count < 1:
            raise ItemBankError("count", "--count must be at least 1.")
        try:
            bundle: ItemBundle = synthetic_items(
                program=program, test=test, count=count, seed=seed, day=today()
            )
        except ValueError as exc:
            raise ItemBankError("blueprint", str(exc)) from None
        if out:
            Path(out).write_text(write_json(bundle), encoding="utf-8")
            self.stdout.write(f"{count} synthetic {test} items written to {out}")
            return
        report = items_import([bundle], actor=ACTOR, source=f"synthetic:{seed}")
        self.stdout.write(f"synthetic {test} (seed {seed}): {import_summary(report)}")
