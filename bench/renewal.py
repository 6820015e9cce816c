#!/usr/bin/env python
"""Benchmark: the monthly renewal dispatch over 1,000,000 subscribed certifications
(about 400,000 technicians, issue 12).

    .venv/bin/python bench/renewal.py        # population made if missing
    .venv/bin/python bench/renewal.py --technicians 40000     # a tenth
    .venv/bin/python bench/renewal.py --json bench/.data/renewal_dispatch.json

The population lives in its own PostgreSQL database
(``certwright_bench_renewal_dispatch``,
made and migrated when missing): technicians with an address, one active
subscription each (time zones spread over America/New_York, America/Chicago,
America/Denver, America/Los_Angeles, Pacific/Honolulu), two or three subscribed
certifications each (A1, A2, A3; 2.5 on average), and a renewal pool of 40 items
per test. Rows are bulk inserted (untimed). Each run starts from no question sent:
questions, e-mails and queued tasks are truncated first (untimed). Then
``renewal_dispatch`` runs twice at the same moment, timed: the first sends every
question and e-mail, the second must send nothing. E-mails are queued as rows
(``CERTWRIGHT_TASKS=database``: no worker runs, nothing leaves the machine).

Targets (issue 12): first run ≤ 60 s, second run ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import verify  # noqa: E402 (bench/, beside this script: Django set-up)

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_renewal_dispatch"
TECHNICIANS = 400_000
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)
TESTS = ("A1", "A2", "A3")
STARTS = dt.date(2027, 1, 1)
AT = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)  # March 1st everywhere listed


def _database_ensure(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def population_make(technicians: int) -> None:
    """The bench's technicians, subscriptions and renewal pool (bulk, untimed)."""
    from django.db import connection

    from certwright.candidates.models import Technician
    from certwright.itembank.models import Item, ItemPool, ItemStatus, ItemVersion
    from certwright.renewal.models import SubscribedCertification, Subscription

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE renewal_question, renewal_subscribedcertification,"
            " renewal_subscription CASCADE"
        )
    Technician.objects.filter(certification_id__startswith="RB").delete()
    for test in TESTS:
        if Item.objects.filter(test=test, pool=ItemPool.RENEWAL).exists():
            continue
        for n in range(40):
            item = Item.objects.create(
                test=test, code=f"{test}-RB{n:03d}", pool=ItemPool.RENEWAL
            )
            ItemVersion.objects.create(
                item=item, number=1, status=ItemStatus.OPERATIONAL,
                stem=f"Stem {n}?", options=["a", "b", "c", "d"], key=n % 4,
                rationale="Because.", area="ABCDE"[n % 5], task="task",
                written_by_label="bench", reviewed_by_label="bench",
            )  # fmt: skip
    batch = 20_000
    for start in range(0, technicians, batch):
        made = Technician.objects.bulk_create(
            Technician(
                certification_id=f"RB{n:08d}",
                name=f"Bench Technician {n}",
                email=f"rb{n}@bench.example",
            )
            for n in range(start, min(start + batch, technicians))
        )
        subs = Subscription.objects.bulk_create(
            Subscription(
                technician_id=t.pk,
                starts_on=STARTS,
                ends_on=dt.date(2028, 1, 1),
                time_zone=ZONES[t.pk % len(ZONES)],
            )
            for t in made
        )
        SubscribedCertification.objects.bulk_create(
            SubscribedCertification(
                subscription_id=s.pk, technician_id=s.technician_id, test=test
            )
            for i, s in enumerate(subs)
            for test in TESTS[: 2 + (i % 2)]
        )
        print(f"  {start + len(made)} technicians", flush=True)


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE renewal_question, notifications_outboundemail CASCADE")
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")
        cursor.execute("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--technicians", type=int, default=TECHNICIANS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    url = args.postgres_url
    if args.technicians != TECHNICIANS:
        url += f"_{args.technicians}"
    _database_ensure(url)
    verify.django_setup(url, tasks="database")
    from certwright.renewal.dispatch import renewal_dispatch
    from certwright.renewal.models import SubscribedCertification, Subscription

    if Subscription.objects.count() != args.technicians:
        print(f"making {args.technicians} technicians", flush=True)
        population_make(args.technicians)
    subscribed = SubscribedCertification.objects.count()
    reset()
    report: dict[str, Any] = {
        "technicians": args.technicians,
        "subscribed_certifications": subscribed,
    }
    for label in ("first", "second"):
        began = time.perf_counter()
        summary = renewal_dispatch(at=AT, actor="bench")
        report[f"{label}_seconds"] = round(time.perf_counter() - began, 2)
        report[f"{label}_sent"] = summary.sent
        report[f"{label}_emails"] = summary.emails
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
