#!/usr/bin/env python
"""Benchmark: the renewal app at scale (issue 12).

    .venv/bin/python bench/renewal.py                    # population made if missing
    .venv/bin/python bench/renewal.py --phases dispatch
    .venv/bin/python bench/renewal.py --quick            # smoke, 40k technicians

The population (PostgreSQL ``certwright_bench_renewal``, made when missing or of
another size; ``--regenerate`` forces it) is written straight to the tables with
COPY: ``--technicians`` technicians (400,000), each with one active renewal
subscription that began on the first of one of the last twelve months (spread
evenly), in one of six time zones from Honolulu to New York, taking part with two
or three of A1–A8 (1,000,000 subscribed certifications in all); the renewal pool,
36 operational items per test over the content areas of its blueprint; and every
question of the months before this one already dispatched (their history is what the
dispatch reads to cover the areas without repeats), with nothing waiting in the
current month. The month dispatched is the one after the latest history month,
at noon UTC on its first day (midnight has come in every time zone).

dispatch  ``renewal_dispatch(at=...)``, timed, from no question of the month: one
          question per subscribed certification and one e-mail per technician,
          queued as rows (``CERTWRIGHT_TASKS=database``: no worker runs). Then the
          same run again, timed: it must send nothing. Each run starts from the
          month's questions, e-mails, task rows and dispatch events deleted (untimed).

Targets: dispatch for 1,000,000 subscribed certifications ≤ 60 s; a second run of the
same month ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shlex
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_renewal"
TECHNICIANS = 400_000
QUICK_TECHNICIANS = 40_000
TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")
ITEMS_PER_TEST = 36
ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
)
SEED = 12
TARGETS = {"dispatch_s": 60.0, "again_s": 10.0}


def _month(day: dt.date, delta: int) -> dt.date:
    n = day.year * 12 + day.month - 1 + delta
    return dt.date(n // 12, n % 12 + 1, 1)


def population_count(url: str) -> int | None:
    """Subscriptions in the bench database, None if it is not there."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM renewal_subscription").fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row and row[0] else None


def django_setup(url: str) -> None:
    import verify

    verify.django_setup(url, tasks="database")


def population_make(url: str, technicians: int, month: dt.date) -> dict[str, Any]:
    """Recreate the database and write the population for dispatching ``month``."""
    from booking import database_prepare

    database_prepare("postgres", url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import transaction
    from recompute import rows_write

    from certwright.candidates.models import Technician
    from certwright.core.program import current_program
    from certwright.itembank.models import Item, ItemPool, ItemStatus, ItemVersion
    from certwright.renewal.models import (
        Question,
        QuestionStatus,
        SubscribedCertification,
        Subscription,
    )

    t0 = time.perf_counter()
    program = current_program()
    rng = random.Random(SEED)
    # The pool: 36 items per test, areas in proportion to the blueprint.
    pool: dict[str, list[tuple[int, int, str]]] = {}
    for test in TESTS:
        blueprint = program.tests[test].blueprint_on(month)
        assert blueprint is not None
        areas = [a.code for a in blueprint.areas]
        weights = [a.questions or 1 for a in blueprint.areas]
        total = sum(weights)
        codes: list[str] = []
        for code, weight in zip(areas, weights, strict=True):
            codes += [code] * max(2, round(ITEMS_PER_TEST * weight / total))
        items = Item.objects.bulk_create(
            Item(test=test, code=f"{test}-RB{n:03d}", pool=ItemPool.RENEWAL)
            for n in range(len(codes))
        )
        versions = ItemVersion.objects.bulk_create(
            ItemVersion(
                item=item,
                number=1,
                status=ItemStatus.OPERATIONAL,
                stem=f"Bench renewal stem {item.code}?",
                options=[f"Option {x}" for x in "ABCD"],
                key=n % 4,
                rationale="Bench rationale.",
                area=code,
                task="Bench task",
                written_by_label="bench",
                reviewed_by_label="bench",
            )
            for n, (item, code) in enumerate(zip(items, codes, strict=True))
        )
        pool[test] = [
            (i.pk, v.pk, v.area) for i, v in zip(items, versions, strict=True)
        ]
    # Technicians, subscriptions, subscribed certifications and their history.
    stamp = dt.datetime.now(dt.UTC)
    subscribed = 0
    history = 0
    chunk = 20_000
    for first in range(0, technicians, chunk):
        ids = range(first + 1, min(first + chunk, technicians) + 1)
        with transaction.atomic():
            rows_write(
                Technician,
                ("id", "certification_id", "name", "family_name", "email",
                 "created_at"),
                [
                    (i, f"RB{i:010d}", f"Bench Renewal {i}", "Renewal",
                     f"renewal{i}@example.com", stamp)
                    for i in ids
                ],
            )  # fmt: skip
            subs = []
            certs = []
            questions = []
            for i in ids:
                back = i % 12  # months of history: started back months ago
                starts = _month(month, -back)
                zone = ZONES[i % len(ZONES)]
                subs.append((i, i, starts, _month(starts, 12), zone, "active", stamp))
                tests = rng.sample(TESTS, 3 if i % 2 else 2)
                for test in tests:
                    subscribed += 1
                    cert_id = subscribed
                    certs.append((cert_id, i, i, test))
                    for n, item in enumerate(rng.sample(pool[test], back)):
                        history += 1
                        sent = dt.datetime.combine(
                            _month(starts, n), dt.time(12), tzinfo=dt.UTC
                        )
                        answered = n % 3 != 2
                        questions.append(
                            (
                                history, cert_id, i, test, sent.date(), 1,
                                item[0], item[1], item[2], sent,
                                sent + dt.timedelta(days=27),
                                sent if answered else None,
                                sent if answered else None,
                                n % 4 if answered else None,
                                (n % 2 == 0) if answered else None,
                                QuestionStatus.ANSWERED
                                if answered
                                else QuestionStatus.EXPIRED,
                            )
                        )  # fmt: skip
            rows_write(
                Subscription,
                ("id", "technician", "starts_on", "ends_on", "time_zone", "status",
                 "created_at"),
                subs,
            )  # fmt: skip
            rows_write(
                SubscribedCertification,
                ("id", "subscription", "technician", "test"),
                certs,
            )
            rows_write(
                Question,
                ("id", "subscribed", "technician", "test", "month", "seq", "item",
                 "item_version", "area", "dispatched_at", "answer_by", "opened_at",
                 "answered_at", "choice", "correct", "status"),
                questions,
            )  # fmt: skip
        print(
            f"population: {ids[-1]:,} technicians, {subscribed:,} certifications,"
            f" {history:,} past questions",
            file=sys.stderr,
            flush=True,
        )
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (Technician, Subscription, SubscribedCertification, Question):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
    return {
        "technicians": technicians,
        "subscribed": subscribed,
        "history": history,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def reset(month: dt.date) -> None:
    """No question of ``month`` yet (untimed)."""
    from django.db import connection

    from certwright.audit.models import Event
    from certwright.notifications.models import OutboundEmail
    from certwright.renewal.models import Question

    Question.objects.filter(month__gte=month).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {OutboundEmail._meta.db_table} CASCADE")
        cursor.execute("TRUNCATE django_tasks_database_dbtaskresult")
    Event.objects.filter(kind__startswith="renewal_dispatch").delete()


def latest_history_month() -> dt.date:
    from django.db.models import Max

    from certwright.renewal.models import Question

    latest = Question.objects.aggregate(m=Max("month"))["m"]
    assert latest is not None, "the population has no history"
    return latest


def phase_dispatch() -> dict[str, Any]:
    from certwright.renewal.dispatch import renewal_dispatch
    from certwright.renewal.models import Question, SubscribedCertification

    month = _month(latest_history_month(), 1)
    at = dt.datetime.combine(month, dt.time(12), tzinfo=dt.UTC)
    reset(month)
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        summary = renewal_dispatch(at=at, actor="bench")
        runs.append(
            {
                "seconds": round(time.perf_counter() - t0, 2),
                "summary": str(summary),
            }
        )
        print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    sent = Question.objects.filter(month=month).count()
    return {
        "month": month.isoformat(),
        "subscribed": SubscribedCertification.objects.count(),
        "questions_sent": sent,
        "first": runs[0],
        "again": runs[1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--technicians", type=int, default=TECHNICIANS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--phases", default="dispatch")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    url = args.postgres_url
    if args.quick:
        args.technicians = min(args.technicians, QUICK_TECHNICIANS)
        url += "_quick"
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "command": shlex.join([os.path.relpath(sys.executable, ROOT), *sys.argv]),
    }
    # The population's history ends the month before this one.
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    if args.regenerate or population_count(url) != args.technicians:
        report["population"] = population_make(
            url, args.technicians, _month(this_month, -1)
        )
    else:
        django_setup(url)
    import verify

    verify.analyze(url)
    phases = args.phases.split(",")
    if "dispatch" in phases:
        report["dispatch"] = phase_dispatch()
    report["peak_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    if "dispatch" in report:
        d = report["dispatch"]
        report["targets"] = {
            "dispatch ≤ 60 s": "met"
            if d["first"]["seconds"] <= TARGETS["dispatch_s"]
            else "MISSED",
            "second run ≤ 10 s": "met"
            if d["again"]["seconds"] <= TARGETS["again_s"]
            else "MISSED",
        }
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
