"""``certwright demo load [--technicians N] [--seed S]``: demo data.

Loads eleven technicians covering every certification state (dates relative to today),
and optionally a seeded population of N technicians for load testing; then each app's
demo data, in the order they depend on each other. Running it again adds nothing
that is already there.

Each app loads its own demo data (its ``demo.py``); only this command, above every
app, knows them all.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from certwright.accounts.demo import demo_load as accounts_demo
from certwright.badges.demo import demo_load as badges_demo
from certwright.commerce.demo import demo_load as commerce_demo
from certwright.credentials.demo import PERSONAS, demo_load
from certwright.credentials.management.commands.recompute import positive
from certwright.itembank.demo import demo_load as items_demo
from certwright.proctoring.demo import demo_load as exam_day_demo
from certwright.scheduling.demo import candidate_story
from certwright.scheduling.demo import demo_load as scheduling_demo
from certwright.scoring.demo import demo_load as scoring_demo
from certwright.shops.demo import demo_load as shops_demo
from certwright.verification.demo import demo_load as verification_demo


class Command(BaseCommand):
    help = "Demo data for trying and load-testing Certwright."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        load = actions.add_parser(
            "load",
            help="load the demo technicians (idempotent)",
            description=(
                "Load eleven demo technicians covering every certification state; with "
                "--technicians N also a seeded population of N technicians, derived "
                "with one bulk recompute. Running it again adds nothing."
            ),
        )
        load.add_argument(
            "--technicians",
            type=positive,
            default=0,
            metavar="N",
            help="also load a seeded population of N technicians",
        )
        load.add_argument("--seed", type=int, default=1, help="population seed")
        load.add_argument(
            "--no-derive",
            action="store_true",
            help="leave the population's certifications underived "
            "(for timing `certwright recompute --stale` alone)",
        )
        load.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "load":
            return
        size = options["technicians"]
        with tqdm(
            total=size,
            unit=" technicians",
            unit_scale=True,
            disable=options["no_progress"] or not size,
            desc="population",
        ) as bar:
            report = demo_load(
                technicians=size,
                seed=options["seed"],
                derive=not options["no_derive"],
                progress=bar.update,
            )
        stories = {p.slug: p for p in PERSONAS}
        for slug in report.personas_created:
            self.stdout.write(f"created {stories[slug].name}: {stories[slug].story}")
        if report.personas_present:
            self.stdout.write(
                f"{len(report.personas_present)} demo technicians were already loaded"
            )
        if size:
            self.stdout.write(
                f"population: {report.population_created} technicians added "
                f"({report.facts_created} facts), {report.population_total} in all"
            )
        self._load_journey()
        self._load_scoring()
        self.stdout.write(badges_demo())

    def _load_scoring(self) -> None:
        """Simulated field-test sittings of A1 initial form 1, analysed
        (certwright/scoring/demo.py)."""

        scoring = scoring_demo()
        if scoring.sittings_added:
            self.stdout.write(
                f"{scoring.form}: {scoring.sittings_added} simulated field-test "
                "sittings for the item analysis"
            )
        if scoring.run_id is not None:
            self.stdout.write(
                f"item analysis of {scoring.form}: run #{scoring.run_id} "
                f"{scoring.run_status} (/scoring/)"
            )
        for problem in scoring.problems:
            self.stderr.write(f"scoring: {problem}")

    def _load_journey(self) -> None:
        """Accounts, the shop and its vouchers, an order and test centres, in the
        order they depend on each other (scheduling looks up the demo proctor)."""

        accounts = accounts_demo()
        for note in accounts.notes:
            self.stderr.write(f"accounts: {note}")
        # The item bank first: only a test with a published form is sold.
        self._load_items()
        commerce = commerce_demo()
        scheduling = scheduling_demo()
        shops = shops_demo()
        self.stdout.write("demo accounts (sign in at /accounts/login/):")
        for account in accounts.accounts:
            self.stdout.write(
                f"  {account.email:<24} {account.password:<18} {account.description}"
            )
        if commerce.voucher_codes:
            self.stdout.write(
                f"shop {commerce.shop}: {len(commerce.voucher_codes)} unused vouchers, "
                f"e.g. {commerce.voucher_codes[0]}"
            )
        if shops.level:
            self.stdout.write(
                f"shop finder: {shops.shop} recognised ({shops.level}) with "
                f"{', '.join(shops.employed)}; /shops/?q=62701"
            )
        centres = [*scheduling.centres_created, *scheduling.centres_present]
        self.stdout.write(f"test centres: {', '.join(centres)}")
        if share_path := verification_demo():
            self.stdout.write(f"the demo candidate's share link: {share_path}")
        self._load_exam_day()

    def _load_items(self) -> None:
        """The sample item bank and its published A1-A8 forms (itembank/demo.py)."""

        items = items_demo()
        if items.imported is not None:
            self.stdout.write(
                f"sample item bank: {len(items.imported.created)} items added, "
                f"{items.imported.unchanged} already there"
            )
        for form in items.forms_published:
            self.stdout.write(f"published {form}")
        for problem in items.problems:
            self.stderr.write(f"item bank: {problem}")

    def _load_exam_day(self) -> None:
        """Priya's initial A1 appointment today at the proctor's centre
        (certwright/proctoring/demo.py)."""

        day = exam_day_demo()
        self._candidate_story()
        if day.appointment_id is None:
            self.stderr.write(f"exam day: {day.note}")
            return
        assert day.starts_at is not None
        if day.status not in ("booked", "checked_in"):
            self.stdout.write(
                f"exam today: candidate@example.com's A1 at {day.centre} is "
                f"{day.status} (start from a new database to replay the exam day)"
            )
            return
        self.stdout.write(
            f"exam today: candidate@example.com sits A1 at {day.centre} from "
            f"{day.starts_at:%H:%M} ({day.starts_at.tzinfo})"
            f"{', a walk-in' if day.walk_in else ''}; "
            "proctor@example.com checks her in at /proctor/"
        )

    def _candidate_story(self) -> None:
        """The rest of the demo candidate's story, as the database has it: her
        other appointments and the tests she bought and has not booked."""

        for line in candidate_story():
            self.stdout.write(line)
