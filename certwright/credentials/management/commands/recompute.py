"""``certwright recompute``: bring derived certifications and titles up to date.

certwright recompute --all [--restart]   every technician (resumes an unfinished run)
certwright recompute --due               the daily sweep: expiries due, stale rows
certwright recompute --due --enqueue     the same sweep, handed to the task queue
certwright recompute --all --enqueue     a run planned here, done by the task workers
certwright recompute --stale             technicians with facts not yet derived
certwright recompute CW-XXXXXXXXX ...    the named technicians
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.credentials.models import RecomputeScope
from certwright.credentials.recompute import (
    DEFAULT_CHUNK_SIZE,
    recompute_run_continue,
    recompute_run_remaining,
    recompute_run_start,
    technicians_recompute,
)
from certwright.credentials.tasks import recompute_due_task, recompute_run_drain_task

INVALID_INPUT = 2
ACTOR = "cli"
DEFAULT_WORKERS = max(1, min(os.cpu_count() or 1, 4))
# Tasks sharing an enqueued run: enough for a few workers; extra ones find nothing
# left and end at once.
DEFAULT_TASKS = 4


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (YYYY-MM-DD)"
        ) from None


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


class Command(BaseCommand):
    help = "Recompute derived certifications and titles from the stored facts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "technicians",
            nargs="*",
            metavar="TECH_ID",
            help="certification IDs (or database ids) of technicians to recompute",
        )
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="every technician")
        which.add_argument(
            "--due",
            action="store_true",
            help="technicians whose state changes by today (the daily sweep), "
            "and any left stale",
        )
        which.add_argument(
            "--stale", action="store_true", help="technicians with underived facts"
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="abandon an unfinished run instead of resuming it",
        )
        parser.add_argument(
            "--as-of", type=iso_date, metavar="DATE", help="the day (default: today)"
        )
        parser.add_argument(
            "--chunk-size",
            type=positive,
            default=DEFAULT_CHUNK_SIZE,
            help=f"technicians per transaction (default {DEFAULT_CHUNK_SIZE})",
        )
        parser.add_argument(
            "--workers",
            type=positive,
            default=DEFAULT_WORKERS,
            help="processes evaluating chunks in parallel for --all/--due/--stale "
            f"(default {DEFAULT_WORKERS}: one per core, at most 4)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the work to the task queue instead of doing it here: --due "
            "as one task; --all or --stale planned here and done in chunks by "
            "--tasks workers at once",
        )
        parser.add_argument(
            "--tasks",
            type=positive,
            default=DEFAULT_TASKS,
            help="with --enqueue and --all or --stale: how many tasks share the run "
            f"(default {DEFAULT_TASKS}; at least the number of task workers)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[str] = options["technicians"]
        scope = (
            RecomputeScope.ALL
            if options["all"]
            else RecomputeScope.DUE
            if options["due"]
            else RecomputeScope.STALE
            if options["stale"]
            else None
        )
        if scope is None and not ids:
            raise CommandError(
                "name technicians, or use --all, --due or --stale",
                returncode=INVALID_INPUT,
            )
        if scope is not None and ids:
            raise CommandError(
                f"--{scope} recomputes a set of its own; leave out the technician IDs",
                returncode=INVALID_INPUT,
            )
        if options["enqueue"]:
            if scope is None:
                raise CommandError(
                    "--enqueue goes with --all, --due or --stale",
                    returncode=INVALID_INPUT,
                )
            if scope != RecomputeScope.DUE:
                self.enqueue_run(scope, options)
                return
            as_of = options["as_of"]
            result = recompute_due_task.enqueue(
                as_of=as_of.isoformat() if as_of else None
            )
            self.stdout.write(f"recompute --due enqueued ({result.id})")
            return
        if ids:
            self.recompute_named(ids, options["as_of"], options["chunk_size"])
        else:
            assert scope is not None
            self.recompute_run(scope, options)

    def recompute_named(
        self, given: list[str], as_of: dt.date | None, chunk_size: int
    ) -> None:
        by_cid: dict[str, str] = {}
        by_pk: dict[int, str] = {}
        for text in given:
            if text.isdigit():
                by_pk[int(text)] = text
            elif (cid := certification_id_normalize(text)) is not None:
                by_cid[cid] = text
            else:
                raise CommandError(
                    f"{text!r} is not a certification ID", returncode=INVALID_INPUT
                )
        found = dict(
            Technician.objects.filter(certification_id__in=by_cid).values_list(
                "certification_id", "id"
            )
        )
        pks = set(Technician.objects.filter(pk__in=by_pk).values_list("id", flat=True))
        unknown = [t for c, t in by_cid.items() if c not in found]
        unknown += [t for p, t in by_pk.items() if p not in pks]
        if unknown:
            raise CommandError(
                f"no technician with ID {', '.join(unknown)}", returncode=INVALID_INPUT
            )
        result = technicians_recompute(
            technician_ids=[*found.values(), *pks],
            as_of=as_of,
            chunk_size=chunk_size,
            actor=ACTOR,
        )
        self.stdout.write(
            f"recomputed {result.processed} technicians, {result.changed} changed"
        )

    def enqueue_run(self, scope: str, options: dict[str, Any]) -> None:
        """Plan the run here (or take the unfinished one) and enqueue the tasks that
        drain it: the workers share its chunks, and one killed mid-chunk loses
        nothing (recompute_run_drain)."""
        run = recompute_run_start(
            as_of=options["as_of"] or today(),
            scope=scope,
            chunk_size=options["chunk_size"],
            restart=options["restart"],
            actor=ACTOR,
        )
        remaining = recompute_run_remaining(run)
        for _ in range(options["tasks"]):
            recompute_run_drain_task.enqueue(run_id=run.pk)
        self.stdout.write(
            f"run {run.pk} ({scope} as of {run.as_of.isoformat()}): "
            f"{remaining} technicians enqueued for {options['tasks']} tasks"
        )

    def recompute_run(self, scope: str, options: dict[str, Any]) -> None:
        run = recompute_run_start(
            as_of=options["as_of"] or today(),
            scope=scope,
            chunk_size=options["chunk_size"],
            restart=options["restart"],
            actor=ACTOR,
        )
        if run.processed:
            self.stdout.write(
                f"resuming run {run.pk} (as of {run.as_of.isoformat()}) after "
                f"technician {run.last_technician_id}: {run.processed} done "
                "(--restart starts over)"
            )
        # tqdm's monitor thread would make recompute_run_continue refuse to fork its
        # workers (it forks only while no other thread runs): the bar needs none.
        tqdm.monitor_interval = 0
        bar = tqdm(
            total=recompute_run_remaining(run),
            unit=" technicians",
            unit_scale=True,
            disable=options["no_progress"],
            desc=f"recompute {scope}",
        )
        with bar:
            run = recompute_run_continue(
                run, workers=options["workers"], progress=bar.update, actor=ACTOR
            )
        elapsed = (
            (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        )
        self.stdout.write(
            f"run {run.pk}: {run.processed} technicians as of {run.as_of.isoformat()}, "
            f"{run.changed} changed ({elapsed:.1f} s since the run began)"
        )
