"""``certwright program check|show|load``: the program definition from the command line.

``check`` and ``show`` read the data files only and need no database; ``load``
mirrors the program into the catalog tables for the admin's program browser.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from certwright.catalog.models import ProgramVersion
from certwright.catalog.selectors import program_digest
from certwright.catalog.services import program_sync
from certwright.core import clock
from certwright.core.management.arguments import INVALID_INPUT, iso_date
from certwright.program import (
    CATALOG_COLUMNS,
    Program,
    ProgramError,
    builtin_path,
    builtin_programs,
    catalog_rows,
    format_table,
    get_program,
    load,
    test_detail,
)


def money(cents: int | None, currency: str | None) -> str:
    if cents is None:
        return "-"
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{cents // 100}.{cents % 100:02d}"


def summary(program: Program) -> str:
    return (
        f"{program.id} {program.version}: {len(program.series)} series, "
        f"{len(program.tests)} tests, {len(program.titles)} titles"
    )


class Command(BaseCommand):
    help = "Check, show or load the certification program definition."
    # `check` must work on a broken program, which the system checks would refuse.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        check = actions.add_parser(
            "check",
            help="Validate a program definition: a directory of TOML files, or a file.",
            description=(
                "Print OK and a summary, or every problem as FILE: KEY: REASON and "
                "exit with status 2."
            ),
        )
        check.add_argument(
            "path",
            metavar="FILE_OR_DIR",
            help="a program file or directory, or a built-in id",
        )

        show = actions.add_parser(
            "show",
            help="Print the test catalog, or one test in detail.",
            description="Blueprints and fees as in force on --on (default: today).",
        )
        show.add_argument(
            "code", nargs="?", metavar="CODE", help="a test code, e.g. A1"
        )
        show.add_argument("--json", action="store_true", help="print JSON")
        show.add_argument(
            "--program",
            metavar="REF",
            help="a built-in id or a path (default: CERTWRIGHT_PROGRAM)",
        )
        show.add_argument("--on", type=iso_date, metavar="DATE", help="the day to show")

        load_ = actions.add_parser(
            "load",
            help="Mirror the program into the catalog tables (idempotent).",
        )
        load_.add_argument(
            "ref",
            nargs="?",
            metavar="REF",
            help="a built-in id or a path (default: CERTWRIGHT_PROGRAM)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_program(options["path"])
        elif action == "show":
            program = self.program(options["program"])
            day = options["on"] or clock.today()
            if options["code"]:
                self.show_test(
                    program, options["code"], day=day, as_json=options["json"]
                )
            else:
                self.show_catalog(program, day=day, as_json=options["json"])
        elif action == "load":
            self.load_program(options["ref"])

    # --- check --------------------------------------------------------------------

    def check_program(self, ref: str) -> None:
        path = Path(ref)
        if not path.exists() and ref in builtin_programs():
            path = builtin_path(ref)
        try:
            program = load(path)
        except ProgramError as exc:
            for issue in exc.issues:
                self.stdout.write(str(issue))
            count = len(exc.issues)
            raise CommandError(
                f"{ref}: {count} problem{'s' if count != 1 else ''}",
                returncode=INVALID_INPUT,
            ) from None
        self.stdout.write(f"OK: {summary(program)}")

    # --- show ---------------------------------------------------------------------

    def program(self, ref: str | None) -> Program:
        ref = ref or settings.CERTWRIGHT_PROGRAM
        try:
            return get_program(ref)
        except ProgramError as exc:
            raise CommandError(
                f"program {ref!r} does not load:\n{exc}", returncode=INVALID_INPUT
            ) from None

    def show_catalog(self, program: Program, *, day: dt.date, as_json: bool) -> None:
        rows = catalog_rows(program, day)
        if as_json:
            document = {
                "program": program.id,
                "version": program.version,
                "digest": program.digest,
                "on": day.isoformat(),
                "tests": rows,
            }
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.stdout.write(
            f"{program.name} ({summary(program)}), as of {day.isoformat()}"
        )
        self.stdout.write(format_table(rows, CATALOG_COLUMNS))

    def show_test(
        self, program: Program, code: str, *, day: dt.date, as_json: bool
    ) -> None:
        if code not in program.tests and code.upper() in program.tests:
            code = code.upper()
        try:
            detail = test_detail(program, code, day)
        except KeyError:
            close = difflib.get_close_matches(code.upper(), list(program.tests), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise CommandError(
                f"no test {code!r} in program {program.id}{hint}",
                returncode=INVALID_INPUT,
            ) from None
        if as_json:
            self.stdout.write(json.dumps(detail, indent=2))
            return
        self.stdout.write(self.detail_text(detail, day=day))

    @staticmethod
    def detail_text(d: dict[str, Any], *, day: dt.date) -> str:
        lines = [
            f"{d['code']}  {d['name']}",
            f"Series:          {d['series']} {d['series_name']}",
            f"Offered on {day.isoformat()}: {'yes' if d['offered'] else 'no'}",
        ]
        blueprint = d["blueprint"]
        if blueprint is None:
            lines.append(f"Blueprint:       none in force on {day.isoformat()}")
        else:
            minutes = (
                f", {blueprint['minutes']} minutes" if blueprint["minutes"] else ""
            )
            estimated = " (estimated)" if blueprint["estimated"] else ""
            lines.append(
                f"Blueprint:       effective {blueprint['effective']}: "
                f"{blueprint['scored']} scored + {blueprint['unscored']} unscored "
                f"questions{minutes}{estimated}"
            )
            if blueprint["areas"]:
                lines.append("Content areas:")
                width = max(len(a["name"]) for a in blueprint["areas"])
                for area in blueprint["areas"]:
                    count = "?" if area["questions"] is None else str(area["questions"])
                    lines.append(
                        f"  {area['code']:>3}  {area['name'].ljust(width)}  {count:>3}"
                    )
        if len(d["blueprints"]) > 1:
            dates = ", ".join(b["effective"] for b in d["blueprints"])
            lines.append(f"Blueprints:      effective {dates}")
        recert = d["recert"]
        if recert is None:
            lines.append("Recertification: none")
        else:
            lines.append(
                f"Recertification: {recert['scored'] or '?'} questions, "
                f"{recert['minutes'] or '?'} minutes"
            )
        lines.append(
            f"Fee:             {money(d['fee_cents'], d['currency'])} "
            f"({d['fee_class']})"
        )
        lines.append(
            f"Experience:      {d['experience_years']} years ({d['experience_rule']})"
        )
        lines.append(f"Prerequisites:   {d['prerequisites'] or 'none'}")
        lines.append(f"Valid for:       {d['validity_years']} years")
        if d["titles"]:
            lines.append(f"Counts toward:   {', '.join(d['titles'])}")
        if d["note"]:
            lines.append(f"Note:            {d['note']}")
        return "\n".join(lines)

    # --- load ---------------------------------------------------------------------

    def load_program(self, ref: str | None) -> None:
        program = self.program(ref)
        try:
            known = ProgramVersion.objects.filter(
                digest=program_digest(program)
            ).exists()
            version = program_sync(program)
        except DatabaseError as exc:
            raise CommandError(
                f"cannot write the catalog ({exc}); has `certwright migrate` run?"
            ) from None
        verb = "Already loaded" if known else "Loaded"
        self.stdout.write(f"{verb}: {summary(program)} (digest {version.digest[:12]})")
