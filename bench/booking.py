#!/usr/bin/env python
"""Benchmark: booking seats under contention, 50 concurrent clients.

    .venv/bin/python bench/booking.py                        # PostgreSQL, all scenarios
    .venv/bin/python bench/booking.py --database sqlite      # the same on SQLite
    .venv/bin/python bench/booking.py --clients 20 --attempts 5 --quick

Each client is a thread with its own database connection, talking to the database
over loopback; the clients are spread over --processes forked processes (default
10), as a server runs several workers, so they do not all queue on one GIL. Every
attempt books one purchased test for a fresh candidate through ``appointment_book``
(the whole service: order-line checks, the appointment and its tests, commerce's line
update, seven seat-block UPDATEs, the audit event and the confirmation e-mail queued
as a row), so the latency is what a booking costs end to end, minus HTTP. On a small
machine the Python side is a large part of what is measured.

Scenarios (all at one centre, appointments of 105 minutes = 7 seat blocks):

serial   the baseline: one client booking alone (what one booking costs).
hot      every attempt starts within the same hour of the same day on a centre
         with enough seats for all: every transaction updates the same rows, so
         bookings queue on the row locks one after another (the worst case).
spread   starts drawn at random over a week of opening hours, 10 seats: bookings
         overlap partly; as the week fills, more answers are "full".
full     the issue's test as a benchmark: rounds of all clients booking the same
         start on a 10-seat centre (10 succeed, the rest are told "full").

The database is the bench's own (``certwright_bench_booking`` on PostgreSQL,
bench/.data/booking.sqlite3 on SQLite), recreated on every run. Output: one markdown
table (for BENCHMARKS.md) and, with --json, the raw numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_booking"
SQLITE_PATH = DATA / "booking.sqlite3"

sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    scenario: str
    database: str
    clients: int
    seats: int
    attempts: int
    booked: int = 0
    full: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def row(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "database": self.database,
            "clients": self.clients,
            "seats": self.seats,
            "attempts": self.attempts,
            "booked": self.booked,
            "full": self.full,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "bookings_per_s": round(self.booked / self.seconds, 1)
            if self.seconds
            else 0,
            "attempts_per_s": round(self.attempts / self.seconds, 1)
            if self.seconds
            else 0,
            "p50_ms": round(self.quantile(0.50), 1),
            "p95_ms": round(self.quantile(0.95), 1),
            "p99_ms": round(self.quantile(0.99), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1)
            if self.latencies_ms
            else 0,
        }


# --- setup ---------------------------------------------------------------------------


def database_prepare(
    database: str, url: str | None, sqlite_path: Path = SQLITE_PATH
) -> str:
    """Recreate the bench database and point Django at it; returns the URL.
    (bench/save_answer.py uses it too, with its own databases.)"""
    if database == "postgres":
        import psycopg

        url = url or POSTGRES_URL
        name = url.rsplit("/", 1)[1].split("?")[0]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        DATA.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "bench-only-not-secret")
    # Debug is off (as in production), so the site address is required.
    os.environ.setdefault("CERTWRIGHT_SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("CERTWRIGHT_SSL_REDIRECT", "0")
    # The confirmation e-mail is queued as a task row, as in production; no worker
    # runs here, so nothing is sent.
    os.environ["CERTWRIGHT_TASKS"] = "database"
    os.environ["CERTWRIGHT_EMAIL_BACKEND"] = "locmem"
    os.environ["CERTWRIGHT_LOG_LEVEL"] = "error"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def centre_make(code: str, seats: int) -> Any:
    from certwright.scheduling.models import OpeningHours, TestCentre

    centre = TestCentre.objects.create(
        code=code,
        name=f"Bench {code}",
        address_line1="1 Loopback Way",
        city="Localhost",
        region="IL",
        postal_code="60601",
        time_zone="America/Chicago",
        seats=seats,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(centre=centre, weekday=d, opens=dt.time(8), closes=dt.time(18))
        for d in range(6)
    )
    return centre


def lines_make(n: int, tag: str) -> list[tuple[int, int]]:
    """``n`` candidates with one purchased A1 each: (technician id, line id)."""
    from certwright.candidates.models import Technician
    from certwright.commerce.models import Order, OrderLine

    today = dt.datetime.now(dt.UTC).date()
    technicians = Technician.objects.bulk_create(
        Technician(
            certification_id=f"B{tag[:3].upper()}{i:09d}",
            name=f"Bench {tag} {i}",
            email=f"{tag}{i}@bench.example",
        )
        for i in range(n)
    )
    orders = Order.objects.bulk_create(
        Order(
            technician=t,
            idempotency_key=uuid.uuid4(),
            order_date=today,
            currency="USD",
            fee_period_start=today,
            registration_cents=3400,
            tests_list_cents=5400,
            subtotal_cents=8800,
            total_cents=8800,
            provider="manual",
            payment_status="paid",
        )
        for t in technicians
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            technician=o.technician,
            test="A1",
            kind="initial",
            fee_class="standard",
            list_cents=5400,
            charged_cents=5400,
            must_take_by=today + dt.timedelta(days=90),
        )
        for o in orders
    )
    return [(line.technician_id, line.pk) for line in lines]


def open_days(n: int, days_ahead: int = 10) -> list[dt.date]:
    """``n`` distinct days the bench centres are open (Monday to Saturday)."""
    found: list[dt.date] = []
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)
    while len(found) < n:
        if day.weekday() < 6:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def next_weekday(days_ahead: int) -> dt.date:
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# --- running -------------------------------------------------------------------------


Job = tuple[int, int, dt.datetime, int]  # technician, line, start, centre


def _client(todo: list[Job], barrier: Any) -> list[tuple[str, float]]:
    """One client: its bookings one after another; (outcome, milliseconds) each."""
    from django.db import connections

    from certwright.scheduling.services import SlotFull, appointment_book

    done: list[tuple[str, float]] = []
    try:
        connections["default"].ensure_connection()
        barrier.wait(timeout=300)
        for technician_id, line_id, start, centre_id in todo:
            began = time.perf_counter()
            outcome = "booked"
            try:
                appointment_book(
                    technician_id=technician_id,
                    centre_id=centre_id,
                    starts_at=start,
                    order_line_ids=[line_id],
                    actor="bench",
                )
            except SlotFull:
                outcome = "full"
            except Exception as error:
                outcome = f"error: {error!r}"[:300]
            done.append((outcome, (time.perf_counter() - began) * 1000))
    finally:
        connections.close_all()
    return done


def _threads(groups: list[list[Job]], barrier: Any) -> list[tuple[str, float]]:
    """Run each group as a client thread; everything they answered."""
    answers: list[tuple[str, float]] = []
    lock = threading.Lock()

    def run(todo: list[Job]) -> None:
        found = _client(todo, barrier)
        with lock:
            answers.extend(found)

    threads = [threading.Thread(target=run, args=(todo,)) for todo in groups]
    # No cyclic garbage collection while the clients run: it may free one thread's
    # SQLite cursor in another thread, which then waits on that connection's mutex
    # holding the GIL (stalls of a whole busy timeout). Collected once they are done.
    gc.disable()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=900)
    finally:
        gc.enable()
        gc.collect()
    return answers


def _process(groups: list[list[Job]], barrier: Any, queue: Any) -> None:
    queue.put(_threads(groups, barrier))


def run_clients(result: Result, jobs: list[list[Job]], processes: int) -> None:
    """Run one client per list of jobs, spread over ``processes`` processes (forked
    after setup, so each opens its own connections) as threads, all released at
    once; fills ``result``."""
    import multiprocessing

    from django.db import connections

    processes = max(1, min(processes, len(jobs)))
    if processes == 1:
        barrier: Any = threading.Barrier(len(jobs) + 1)
        answers: list[tuple[str, float]] = []
        runner = threading.Thread(
            target=lambda: answers.extend(_threads(jobs, barrier))
        )
        runner.start()
        barrier.wait(timeout=300)
        began = time.perf_counter()
        runner.join(timeout=900)
        result.seconds = time.perf_counter() - began
    else:
        # Forked children must not share the parent's connection.
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(len(jobs) + 1)
        queue = ctx.Queue()
        children = [
            ctx.Process(target=_process, args=(jobs[p::processes], barrier, queue))
            for p in range(processes)
        ]
        for child in children:
            child.start()
        barrier.wait(timeout=300)
        began = time.perf_counter()
        answers = []
        for _ in children:
            answers.extend(queue.get(timeout=900))
        result.seconds = time.perf_counter() - began
        for child in children:
            child.join(timeout=60)
    for outcome, ms in answers:
        result.latencies_ms.append(ms)
        if outcome == "booked":
            result.booked += 1
        elif outcome == "full":
            result.full += 1
        else:
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(outcome)


def warm_up() -> None:
    """One booking and its cancellation in this process before the clients start
    (or fork): the program is loaded and validated, the templates compiled, once."""
    from certwright.scheduling.services import appointment_book, appointment_cancel

    centre = centre_make("warm", seats=1)
    ((technician_id, line_id),) = lines_make(1, "warm")
    appointment = appointment_book(
        technician_id=technician_id,
        centre_id=centre.pk,
        starts_at=local_start(centre, next_weekday(10), 9, 0),
        order_line_ids=[line_id],
        actor="bench",
    )
    appointment_cancel(appointment_id=appointment.pk, actor="bench")


def check_no_overbooking() -> None:
    from django.db.models import F

    from certwright.scheduling.models import SeatBlock

    over = SeatBlock.objects.filter(booked__gt=F("seats")).count()
    if over:
        raise SystemExit(f"OVERBOOKED: {over} seat blocks hold more than their seats")


def local_start(centre: Any, day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=centre.tz)


def scenario_hot(database: str, clients: int, attempts: int, processes: int) -> Result:
    """Every booking of a day starts between 09:00 and 09:45 on a centre with a seat
    for each, so all of them update the same rows; a new day every 500 bookings
    (the most seats a centre has)."""
    total = clients * attempts
    centre = centre_make("hot", seats=min(500, total))
    days = open_days(-(-total // 500))
    pool = lines_make(total, "hot")
    rng = random.Random(1)
    jobs = [
        [
            (
                t,
                li,
                local_start(centre, days[i // 500], 9, rng.choice((0, 15, 30, 45))),
                centre.pk,
            )
            for i, (t, li) in enumerate(pool)
            if i % clients == c
        ]
        for c in range(clients)
    ]
    result = Result("hot", database, clients, centre.seats, total)
    run_clients(result, jobs, processes)
    return result


def scenario_serial(
    database: str, clients: int, attempts: int, processes: int
) -> Result:
    """The baseline: one client, no contention, the same bookings one by one."""
    total = attempts * 5
    centre = centre_make("serial", seats=500)
    days = open_days(-(-total // 500))
    pool = lines_make(total, "serial")
    jobs = [
        [
            (t, li, local_start(centre, days[i // 500], 10, 0), centre.pk)
            for i, (t, li) in enumerate(pool)
        ]
    ]
    result = Result("serial", database, 1, centre.seats, total)
    run_clients(result, jobs, 1)
    return result


def scenario_spread(
    database: str, clients: int, attempts: int, processes: int
) -> Result:
    total = clients * attempts
    centre = centre_make("spread", seats=10)
    days = [next_weekday(10) + dt.timedelta(days=d) for d in range(7)]
    days = [d for d in days if d.weekday() < 6]
    # Starts from 08:00 to 16:15, the last that ends by 18:00.
    starts = [
        local_start(centre, d, 8 + q // 4, 15 * (q % 4))
        for d in days
        for q in range(34)
    ]
    pool = lines_make(total, "spread")
    rng = random.Random(2)
    jobs = [
        [(t, li, rng.choice(starts), centre.pk) for t, li in pool[c::clients]]
        for c in range(clients)
    ]
    result = Result("spread", database, clients, centre.seats, total)
    run_clients(result, jobs, processes)
    return result


def scenario_full(database: str, clients: int, rounds: int, processes: int) -> Result:
    """Round r: every client books the same start on day r (10 seats)."""
    centre = centre_make("full", seats=10)
    pool = lines_make(clients * rounds, "full")
    day = next_weekday(10)
    round_days: list[dt.date] = []
    while len(round_days) < rounds:
        if day.weekday() < 6:
            round_days.append(day)
        day += dt.timedelta(days=1)
    result = Result("full", database, clients, centre.seats, clients * rounds)
    for r, d in enumerate(round_days):
        chunk = pool[r * clients : (r + 1) * clients]
        start = local_start(centre, d, 10, 0)
        jobs = [[(t, li, start, centre.pk)] for t, li in chunk]
        part = Result("full", database, clients, centre.seats, clients)
        run_clients(part, jobs, processes)
        result.booked += part.booked
        result.full += part.full
        result.errors += part.errors
        result.seconds += part.seconds
        result.latencies_ms += part.latencies_ms
        result.error_samples += part.error_samples
        if part.booked != centre.seats:
            result.error_samples.append(
                f"round {r}: {part.booked} booked, expected {centre.seats}"
            )
    return result


SCENARIOS: dict[str, Callable[..., Result]] = {
    "serial": scenario_serial,
    "hot": scenario_hot,
    "spread": scenario_spread,
    "full": scenario_full,
}


def environment() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return {
        "database": version,
        "python": platform.python_version(),
        "cpus": str(os.cpu_count()),
        "machine": platform.machine(),
    }


def markdown(rows: list[dict[str, Any]], env: dict[str, str]) -> str:
    head = (
        "| scenario | db | clients | seats | attempts | booked | full | errors |"
        " bookings/s | attempts/s | p50 ms | p95 ms | p99 ms |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['database']} | {r['clients']} | {r['seats']} |"
            f" {r['attempts']} | {r['booked']} | {r['full']} | {r['errors']} |"
            f" {r['bookings_per_s']} | {r['attempts_per_s']} | {r['p50_ms']} |"
            f" {r['p95_ms']} | {r['p99_ms']} |"
        )
    lines.append("")
    lines.append(
        f"{env['database']}, Python {env['python']}, {env['cpus']} CPUs"
        f" ({env['machine']}); {env['clients']}, over loopback."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=("postgres", "sqlite"), default="postgres"
    )
    parser.add_argument("--url", help=f"PostgreSQL URL (default {POSTGRES_URL})")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--attempts", type=int, default=20, help="bookings per client (hot, spread)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="rounds of 'full'")
    parser.add_argument(
        "--scenario", action="append", choices=tuple(SCENARIOS), dest="scenarios"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=10,
        help="client processes (the clients are spread over them as threads), as"
        " a server runs several workers; 1: all threads in this process",
    )
    parser.add_argument("--quick", action="store_true", help="5 attempts, 3 rounds")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 100:
        parser.error("--clients must be between 1 and 100 (one connection each)")
    if args.quick:
        args.attempts, args.rounds = 5, 3
    database_prepare(args.database, args.url)
    env = environment()
    warm_up()
    env["clients"] = (
        f"{args.clients} clients as threads in {max(1, args.processes)} process(es)"
    )
    rows = []
    for name in args.scenarios or list(SCENARIOS):
        if name == "full":
            result = SCENARIOS[name](
                args.database, args.clients, args.rounds, args.processes
            )
        else:
            result = SCENARIOS[name](
                args.database, args.clients, args.attempts, args.processes
            )
        check_no_overbooking()
        rows.append(result.row())
        print(
            f"{name}: {result.booked} booked, {result.full} full, {result.errors}"
            f" errors in {result.seconds:.1f}s",
            file=sys.stderr,
        )
        for sample in result.error_samples:
            print(f"  {sample}", file=sys.stderr)
    print(markdown(rows, env))
    if args.json:
        args.json.write_text(
            json.dumps({"environment": env, "results": rows}, indent=2) + "\n"
        )
    failed = any(r["errors"] for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
