"""``certwright forms assemble|publish|retire|show``: exam forms.

``assemble`` builds a draft form to the blueprint in force (HiGHS, see
certwright/itembank/form_building.py); ``publish`` freezes it with its number, cut
score and raw-to-scaled table; ``show`` lists forms or one form's items. Refusals
(an infeasible blueprint, a form already published) exit with status 2.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certwright.core.clock import today
from certwright.itembank.models import Form, FormKind
from certwright.itembank.selectors import form_items, form_list
from certwright.itembank.services import (
    ItemBankError,
    form_publish,
    form_retire,
    item_viewed,
)

INVALID_INPUT = 2
ACTOR = "cli"


class Command(BaseCommand):
    help = "Assemble, publish, retire and show exam forms."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        build = actions.add_parser(
            "assemble",
            help="assemble a draft form to the blueprint",
            description=(
                "Assemble a draft form: the blueprint's scored items per content "
                "area and its pretest items (none on recert and practice forms), "
                "enemies apart, exposure limited. Prints the form id."
            ),
        )
        build.add_argument("--test", required=True)
        build.add_argument("--kind", choices=FormKind.values, default="initial")
        build.add_argument(
            "--day", type=dt.date.fromisoformat, help="blueprint date (default today)"
        )
        build.add_argument("--seed", type=int, default=0)
        build.add_argument(
            "--max-exposure",
            type=int,
            help="an item may be on at most this many live forms (this one included)",
        )
        build.add_argument(
            "--publish", action="store_true", help="publish the form at once"
        )
        publish = actions.add_parser("publish", help="publish a draft form")
        publish.add_argument("form_id", type=int)
        retire = actions.add_parser("retire", help="retire a published form")
        retire.add_argument("form_id", type=int)
        retire.add_argument("--reason", default="")
        show = actions.add_parser(
            "show", help="list forms, or one form's items (no keys without --keys)"
        )
        show.add_argument("form_id", type=int, nargs="?")
        show.add_argument("--test")
        show.add_argument(
            "--keys", action="store_true", help="also print each item's key"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(**options)
        except ItemBankError as exc:
            raise CommandError(exc.message, returncode=INVALID_INPUT) from None

    def _assemble(
        self,
        *,
        test: str,
        kind: str,
        day: dt.date | None,
        seed: int,
        max_exposure: int | None,
        publish: bool,
        **_: Any,
    ) -> None:
        from certwright.itembank.form_building import form_assemble

        form = form_assemble(
            test=test,
            kind=kind,
            day=day or today(),
            seed=seed,
            max_exposure=max_exposure,
            actor=ACTOR,
        )
        scored = form.items.filter(scored=True).count()
        self.stdout.write(
            f"form {form.pk}: {form}, {scored} scored + "
            f"{form.items.count() - scored} pretest items, {form.minutes} minutes "
            f"(solved in {form.assembly['seconds']} s)"
        )
        if publish:
            self._publish(form_id=form.pk)

    def _publish(self, *, form_id: int, **_: Any) -> None:
        form = form_publish(form_id=form_id, actor=ACTOR)
        table = form.scale or [0]
        self.stdout.write(
            f"form {form.pk} published as {form}: cut score {form.cut_score}, "
            f"scaled {table[0]}-{table[-1]}"
        )

    def _retire(self, *, form_id: int, reason: str, **_: Any) -> None:
        form = form_retire(form_id=form_id, actor=ACTOR, reason=reason)
        self.stdout.write(f"form {form.pk} ({form}) retired")

    def _show(
        self, *, form_id: int | None, test: str | None, keys: bool, **_: Any
    ) -> None:
        if form_id is None:
            for form in form_list(test=test):
                self.stdout.write(
                    f"{form.pk:>6}  {form!s:<28} {form.status:<10} "
                    f"{getattr(form, 'n_items', 0):>3} items "
                    f"({getattr(form, 'n_scored', 0)} scored)  "
                    f"{form.minutes} min  cut {form.cut_score or '-'}"
                )
            return
        one = Form.objects.filter(pk=form_id).first()
        if one is None:
            raise ItemBankError("missing", f"No form {form_id}.")
        self.stdout.write(
            f"{one} ({one.status}), blueprint {one.blueprint_effective}, "
            f"{one.minutes} minutes, cut score {one.cut_score or '-'}"
        )
        for row in form_items(one.pk):
            version = row.item_version
            key = ""
            if keys:
                # Keys are secret: who printed them is recorded, item by item.
                item_viewed(
                    item_id=version.item_id, actor=ACTOR, where="cli", key_shown=True
                )
                key = f"  key {version.key_letter}"
            self.stdout.write(
                f"{row.position:>3}  {version!s:<16} area {row.area:<3} "
                f"{'scored ' if row.scored else 'pretest'}{key}"
            )
