#!/usr/bin/env python
"""Benchmark: the daily expiry-reminder sweep over 300,000 technicians (issue 12).

    .venv/bin/python bench/reminders.py                 # population made if missing
    .venv/bin/python bench/reminders.py --days 7 --json bench/.data/reminders.json
    .venv/bin/python bench/reminders.py --quick         # smoke, 20k technicians

The population is bench/verify.py's (bench/recompute.py's seeded 300,000 technicians
with their derived certifications, in the PostgreSQL database
``certwright_bench_verify``, made when missing). Each run starts from no reminder
sent: the ``ExpiryReminder`` rows, the e-mails they queued and their events are
deleted first (untimed). Then, for each of ``--days`` consecutive days from
``--start`` (default today), ``expiry_reminders_send(on=day)`` runs twice, timed: the
first run sends what is due that day (the first day also records the older rungs
never sent as skipped), the second must send nothing. E-mails are queued as rows
(``CERTWRIGHT_TASKS=database``: no worker runs, nothing leaves the machine).

Target (issue 12): the sweep over 300,000 technicians ≤ 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shlex
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import verify  # noqa: E402 (bench/, beside this script: the population)


def reset() -> dict[str, int]:
    """No reminder sent yet: the bench's own rows out (untimed)."""
    from django.db import connection

    from certwright.audit.models import Event
    from certwright.notifications.models import OutboundEmail
    from certwright.reminders.models import ExpiryReminder

    with connection.cursor() as cursor:
        for model in (ExpiryReminder, OutboundEmail):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    deleted, _ = Event.objects.filter(kind__startswith="expiry_reminder").delete()
    return {"events_deleted": deleted}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres-url", default=verify.POSTGRES_URL)
    parser.add_argument("--technicians", type=int, default=verify.TECHNICIANS)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    url = args.postgres_url
    if args.quick:
        args.technicians = min(args.technicians, verify.QUICK_TECHNICIANS)
        url += "_quick"
    if verify.population_count(url) != args.technicians:
        verify.population_make(url, args.technicians)
    verify.analyze(url)
    verify.django_setup(url, tasks="database")
    from certwright.core.clock import today
    from certwright.credentials.models import Certification
    from certwright.reminders.models import ExpiryReminder
    from certwright.reminders.services import expiry_reminders_send

    start = args.start or today()
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "technicians": verify.population_count(url),
        "certifications": Certification.objects.count(),
        "reset": reset(),
        "days": [],
        "command": shlex.join([os.path.relpath(sys.executable, ROOT), *sys.argv]),
    }
    for n in range(args.days):
        day = start + dt.timedelta(days=n)
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            result = expiry_reminders_send(on=day)
            runs.append(
                {
                    "seconds": round(time.perf_counter() - t0, 2),
                    "sent": result.sent,
                    "skipped": result.skipped,
                }
            )
        row = {"day": day.isoformat(), "first": runs[0], "again": runs[1]}
        report["days"].append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    report["rows"] = ExpiryReminder.objects.count()
    report["peak_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    worst = max(
        max(d["first"]["seconds"], d["again"]["seconds"]) for d in report["days"]
    )
    report["target"] = "met" if worst <= 30 else "MISSED"
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
