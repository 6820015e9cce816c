"""``certwright rules evaluate FACTS.json``: the rules core on a facts file.

Needs no database: the facts come from the file (docs/facts-format.md), the program
from the file's ``program`` field or CERTWRIGHT_PROGRAM.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright import rules
from certwright.core import clock
from certwright.core.management.arguments import INVALID_INPUT, iso_date
from certwright.program import get_program
from certwright.rules.interchange import (
    LATEST_DATE,
    FactsError,
    JSONTextError,
    decode_json,
    evaluation_to_json,
    parse_facts,
)


class Command(BaseCommand):
    help = "Apply the certification rules to facts in the interchange format."
    # Nothing here touches the database, so no check may require one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        evaluate = actions.add_parser(
            "evaluate",
            help="Derive certifications and titles from a facts JSON file.",
            description=(
                "Print the derived certifications, titles and explanations as JSON. "
                "Invalid input exits with status 2 and names the field."
            ),
        )
        evaluate.add_argument(
            "facts", metavar="FACTS.json", help="a facts file, or - for stdin"
        )
        evaluate.add_argument(
            "--as-of",
            type=iso_date,
            metavar="DATE",
            help="the day to answer for (default: the file's as_of, else today)",
        )
        evaluate.add_argument(
            "--no-explain", action="store_true", help="leave out the explanation trails"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "evaluate":
            self.evaluate(
                options["facts"], options["as_of"], explain=not options["no_explain"]
            )

    def evaluate(self, source: str, as_of: dt.date | None, *, explain: bool) -> None:
        label = "<stdin>" if source == "-" else source
        if as_of is not None and as_of > LATEST_DATE:
            raise CommandError(
                f"--as-of: {as_of} is after {LATEST_DATE}, the latest supported date",
                returncode=INVALID_INPUT,
            )
        data = self.read_json(source, label)
        try:
            document = parse_facts(
                data,
                program_resolver=get_program,
                default_program=settings.CERTWRIGHT_PROGRAM,
            )
        except FactsError as exc:
            raise CommandError(
                f"{label}: {exc.field}: {exc.reason}", returncode=INVALID_INPUT
            ) from None
        day = as_of or document.as_of or clock.today()
        evaluation = rules.evaluate(
            document.program, document.facts, day, explain=explain
        )
        self.stdout.write(
            json.dumps(evaluation_to_json(evaluation, document.program), indent=2)
        )

    def read_json(self, source: str, label: str) -> object:
        try:
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(
                f"{label}: cannot read: {exc.strerror}", returncode=INVALID_INPUT
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{label}: not UTF-8 text", returncode=INVALID_INPUT
            ) from None
        try:
            return decode_json(text)
        except JSONTextError as exc:
            raise CommandError(
                f"{label}: {exc.reason}", returncode=INVALID_INPUT
            ) from None
