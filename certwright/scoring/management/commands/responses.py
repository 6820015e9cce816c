"""``certwright responses import|simulate``: response data for the psychometrics.

``import`` reads a CSV of answers from a field test or an earlier delivery vendor
(format: certwright/scoring/importing.py, docs/psychometrics.md); all or nothing.
``simulate`` adds seeded simulated sittings of a form, clearly labelled as such.
Refusals exit with status 2 and say what is wrong (with line numbers for a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.itembank.models import Form, FormKind
from certwright.scoring.services import responses_import, responses_simulate

INVALID_INPUT = 2
ACTOR = "cli"


def form_by_label(label: str) -> Form:
    """A form by id (``17``) or by test/kind/number (``A1/initial/1``)."""
    parts = label.split("/")
    form = None
    if label.isdigit():
        form = Form.objects.filter(pk=int(label)).first()
    elif len(parts) == 3 and parts[1] in FormKind.values and parts[2].isdigit():
        form = Form.objects.filter(
            test=parts[0].upper(), kind=parts[1], number=int(parts[2])
        ).first()
    if form is None:
        raise CommandError(
            f"no form {label!r}: give its id or TEST/KIND/NUMBER, e.g. A1/initial/1",
            returncode=INVALID_INPUT,
        )
    return form


class Command(BaseCommand):
    help = "Import or simulate response data for item analysis."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        read = actions.add_parser(
            "import",
            help="import a CSV of answers (all or nothing)",
            description=(
                "Import answers from a field test or an earlier delivery vendor: "
                "columns sitting,test,kind,form,item,choice[,taken_on], one row per "
                "answer (docs/psychometrics.md). Nothing is stored unless the whole "
                "file is right."
            ),
        )
        read.add_argument("file", type=Path)
        read.add_argument(
            "--source",
            help="where the data came from (default: the file's name)",
        )
        sim = actions.add_parser(
            "simulate",
            help="add seeded simulated sittings of a form",
            description=(
                "Simulate sittings of a form from the 2PL: the items' calibrated "
                "parameters, else their generating ones, else seeded defaults. The "
                "sittings are marked simulated everywhere they are shown."
            ),
        )
        sim.add_argument("--form", required=True, help="form id or TEST/KIND/NUMBER")
        sim.add_argument("--count", type=int, required=True, metavar="N")
        sim.add_argument("--seed", type=int, default=1)
        sim.add_argument("--source", default="", help="label (default: with the seed)")
        sim.add_argument(
            "--ability-mean",
            type=float,
            default=0.0,
            help="mean θ of the simulated group (default 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self._import(options["file"], options["source"])
            else:
                self._simulate(**options)
        except ValidationError as exc:
            raise CommandError(
                "\n".join(exc.messages), returncode=INVALID_INPUT
            ) from None

    def _import(self, path: Path, source: str | None) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"cannot read {path}: {exc}", returncode=INVALID_INPUT
            ) from None
        summary = responses_import(
            text=text, source=source or path.name, actor=ACTOR, file_name=path.name
        )
        for form, n in summary.forms.items():
            self.stdout.write(f"{form}: {n} sittings imported")

    def _simulate(self, **options: Any) -> None:
        form = form_by_label(options["form"])
        n = responses_simulate(
            form_id=form.pk,
            count=options["count"],
            seed=options["seed"],
            source=options["source"],
            ability_mean=options["ability_mean"],
            actor=ACTOR,
        )
        self.stdout.write(f"{form}: {n} simulated sittings added")
