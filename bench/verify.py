#!/usr/bin/env python
"""Benchmark: public verification and the revocation status list under load.

    .venv/bin/python bench/verify.py                     # population made if missing
    .venv/bin/python bench/verify.py --rates 500,1000,1500 --status-rates 2000,3000
    .venv/bin/python bench/verify.py --quick             # smoke, 20k technicians

The population is bench/recompute.py's (seeded, 300,000 technicians, ~750k derived
certification rows), made by running that script's ``generate`` and ``full`` phases
into the PostgreSQL database ``certwright_bench_verify`` when it is not there yet
(``--regenerate`` forces it; about 4 minutes). Then, in this process: a signing key,
and signed credentials issued for a few hundred technicians (so the status list
exists and has allocated entries, some revoked), and the lookup sample: technicians
with at least one certification, with their certification ID and family name.

``gunicorn certwright.wsgi`` serves the platform as docs/install.md runs it in
production (gthread workers, persistent PostgreSQL connections). The load generator
plays the proxy in front of it: each lookup names its client in ``X-Real-IP``, one of
``--clients`` addresses (10,000), as nginx does for employers' systems, and the
server trusts 127.0.0.1 as that proxy; the per-client limit is raised so that no
phase meets it (each client still looks up far more often than any employer's
system would), and every lookup is counted. The server is pinned to core 0 and the load
generator, this process, to core 1 (``--server-cpus``/``--load-cpus``); PostgreSQL is
not pinned.

Two loads, each open loop (bench/openloop.py: request i is due at start + i / rate and
its latency runs from that due time, so a saturated server shows as late requests):

lookups      ``GET /api/verify/{certification_id}?last_name=...``: 90 % genuine
             (200 with the technician's answer), 5 % a wrong last name and 5 % an
             unknown certification ID (404 ``no_match``; anything else is an error).
             One phase per rate in ``--rates``; the ceiling reported is the highest
             rate sustained (≥ 98 % achieved, no errors) with p99 ≤ 50 ms.
status list  ``GET /credentials/status/1`` with the ``If-None-Match`` of the list's
             current ETag (304 expected; 200 or anything else is an error), as a
             verifier revalidating its cached copy does. One phase per rate in
             ``--status-rates``.

floor        ``GET /api/health`` (Django's middleware, django-ninja, one ``SELECT 1``):
             the least any API request through the same stack costs, for scale.
             One phase per rate in ``--floor-rates``.

Targets (issue 11): lookups ≥ 1,000/s with p99 ≤ 50 ms; status list revalidation
≥ 3,000 answers/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_verify"
TECHNICIANS = 300_000
QUICK_TECHNICIANS = 20_000
PASSPHRASE = "bench-only-signing-passphrase"
TARGETS = {"lookup": {"rate": 1000.0, "p99_ms": 50.0}, "status": {"rate": 3000.0}}

sys.path.insert(0, str(ROOT))

import openloop  # noqa: E402 (bench/, beside this script)
from openloop import Check, CpuMeter, Phase, cpus_parse, postgres_pids, server_pids  # noqa: E402

# =====================================================================================
# The population
# =====================================================================================


def population_count(url: str) -> int | None:
    """Technicians with derived state in the bench database, None if it is not
    there (or not migrated, or never recomputed)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE derived_version > 0)"
                " FROM candidates_technician"
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None or row[0] == 0 or row[1] == 0:
        return None
    return int(row[0])


def population_make(url: str, technicians: int) -> None:
    """bench/recompute.py's seeded population, facts and derived state."""
    command = [
        sys.executable, str(ROOT / "bench" / "recompute.py"),
        "--database", "postgres", "--postgres-url", url,
        "--technicians", str(technicians),
        "--phases", "generate,full", "--workers", "2",
    ]  # fmt: skip
    print(f"population: {shlex.join(command)}", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def analyze(url: str) -> None:
    """Fresh planner statistics (untimed), as autovacuum keeps them in production:
    a database just loaded has none, and its plans would be a freshly loaded one's."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def django_setup(url: str, *, tasks: str = "immediate") -> None:
    """Point Django at the bench database and migrate. ``tasks``: the task backend
    (``database`` queues work as rows that no worker runs)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("CERTWRIGHT_SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("CERTWRIGHT_SSL_REDIRECT", "0")
    os.environ["CERTWRIGHT_TASKS"] = tasks
    os.environ["CERTWRIGHT_EMAIL_BACKEND"] = "locmem"
    os.environ["CERTWRIGHT_LOG_LEVEL"] = "error"
    os.environ["CERTWRIGHT_SIGNING_PASSPHRASE"] = PASSPHRASE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass(frozen=True, slots=True)
class Person:
    certification_id: str
    family_name: str


def credentials_prepare(issued: int, revoked: int) -> None:
    """A signing key (the bench's own passphrase) and credentials issued for
    ``issued`` certified technicians, ``revoked`` of them revoked in the status list
    afterwards: the list a verifier revalidates exists, with entries and set bits."""
    from certwright.badges.keys import signing_key_active, signing_key_create
    from certwright.badges.models import IssuedCredential
    from certwright.badges.services import (
        credentials_revoke,
        technician_credentials_issue,
    )
    from certwright.core.clock import today
    from certwright.credentials.selectors import certifications_current

    if signing_key_active() is None:
        signing_key_create(actor="bench")
    have = IssuedCredential.objects.values("technician").distinct().count()
    if have >= issued:
        return
    ids = (
        certifications_current(on=today())
        .values_list("technician_id", flat=True)
        .distinct()
        .order_by("technician_id")[:issued]
    )
    for tid in ids:
        technician_credentials_issue(technician_id=tid, actor="bench")
    from django.db import transaction

    with transaction.atomic():
        some = list(
            IssuedCredential.objects.filter(revoked_at__isnull=True).order_by("id")[
                :revoked
            ]
        )
        credentials_revoke(some, reason="bench", actor="bench")


def people(count: int, seed: int) -> list[Person]:
    """``count`` technicians with at least one certification in force, at random."""
    from certwright.candidates.models import Technician
    from certwright.core.clock import today
    from certwright.credentials.selectors import certifications_current

    ids = list(
        certifications_current(on=today())
        .values_list("technician_id", flat=True)
        .distinct()
    )
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return [
        Person(c, f)
        for c, f in Technician.objects.filter(pk__in=chosen).values_list(
            "certification_id", "family_name"
        )
    ]


# =====================================================================================
# The loads
# =====================================================================================


class Lookups:
    """Public lookups: mostly genuine, some wrong names and unknown IDs."""

    def __init__(
        self,
        port: int,
        sample: list[Person],
        seed: int,
        clients: int,
        known: set[str],
    ) -> None:
        self.sample = sample
        self.known = known
        self.rng = random.Random(seed)
        self.host = f"Host: 127.0.0.1:{port}\r\n".encode()
        self.port = port
        # The employers' systems, as the proxy in front names them (X-Real-IP;
        # the server trusts 127.0.0.1 as that proxy): each is counted on its own
        # row, as in production, rather than every lookup on 127.0.0.1's.
        self.clients = [
            f"X-Real-IP: 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\r\n".encode()
            for i in range(clients)
        ]

    def next_request(self) -> tuple[bytes, Check]:
        person = self.sample[self.rng.randrange(len(self.sample))]
        draw = self.rng.random()
        cid, name, genuine = person.certification_id, person.family_name, True
        if draw < 0.05:
            name, genuine = name + "x", False
        elif draw < 0.10:
            # A well-formed ID of nobody: the last characters changed (checked
            # against every ID: "…ZZZ" can be somebody's, a Walker's once).
            cid, genuine = (
                next(
                    c
                    for c in (cid[:-3] + t for t in ("ZZZ", "ZZY", "ZYZ", "YZZ"))
                    if c not in self.known
                ),
                False,
            )
        path = (
            f"/api/verify/{urllib.parse.quote(cid)}"
            f"?last_name={urllib.parse.quote(name)}"
        )
        client = self.clients[self.rng.randrange(len(self.clients))]
        data = f"GET {path} HTTP/1.1\r\n".encode() + self.host + client + b"\r\n"

        def check(status: int, body: bytes) -> str:
            if genuine:
                if status != 200:
                    return f"genuine: HTTP {status}: {body[:160]!r}"
                if json.loads(body)["certification_id"] != person.certification_id:
                    return f"answer for another technician: {body[:160]!r}"
                return ""
            if status != 404 or b"no_match" not in body:
                return f"miss: HTTP {status}: {body[:160]!r}"
            return ""

        return data, check


class Revalidations:
    """A verifier revalidating its cached status list."""

    def __init__(self, port: int, etag: str) -> None:
        self.data = (
            f"GET /credentials/status/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"If-None-Match: {etag}\r\n\r\n"
        ).encode()

    def next_request(self) -> tuple[bytes, Check]:
        def check(status: int, body: bytes) -> str:
            return "" if status == 304 else f"HTTP {status}: {body[:120]!r}"

        return self.data, check


class Health:
    """The floor: ``GET /api/health``, the least an API request through the same
    stack costs (Django's middleware, django-ninja, one ``SELECT 1``)."""

    def __init__(self, port: int) -> None:
        self.data = f"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"

    def next_request(self) -> tuple[bytes, Check]:
        def check(status: int, body: bytes) -> str:
            return "" if status == 200 else f"HTTP {status}: {body[:120]!r}"

        return self.data.encode(), check


def status_etag(port: int) -> str:
    """The list's current ETag, from one plain GET (and a check that it is signed)."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/credentials/status/1") as r:
        body = json.loads(r.read())
        assert "BitstringStatusListCredential" in body["type"], body
        return str(r.headers["ETag"])


# =====================================================================================
# The run
# =====================================================================================


def sustained(row: dict[str, Any]) -> bool:
    return row["errors"] == 0 and row["achieved_per_s"] >= 0.98 * row["rate"]


def run_phases(
    kind: str,
    rates: list[float],
    args: argparse.Namespace,
    server: Any,
    database: str,
    next_request: Any,
) -> list[dict[str, Any]]:
    rows = []
    warm = Phase(f"{kind} warm-up", rates[0], args.warmup)
    openloop.drive(
        openloop.run(
            warm, server.port, next_request, connections=args.connections,
            timeout=args.timeout,
        )
    )  # fmt: skip
    for rate in rates:
        phase = Phase(kind, rate, args.duration)
        server_cpu = CpuMeter(lambda: server_pids(server))
        db_cpu = CpuMeter(lambda: postgres_pids(database))
        openloop.drive(
            openloop.run(
                phase, server.port, next_request, connections=args.connections,
                timeout=args.timeout,
            )
        )  # fmt: skip
        phase.server_cpu_s = server_cpu.stop()
        phase.db_cpu_s = db_cpu.stop()
        phase.loadavg = [round(x, 2) for x in os.getloadavg()]
        row = phase.row()
        rows.append(row)
        print(
            f"{kind} {rate:g}/s: {row['ok']} ok, {row['errors']} errors,"
            f" {row['achieved_per_s']}/s, p50 {row['p50_ms']} p99 {row['p99_ms']}"
            f" max {row['max_ms']} ms, server {row['server_cpu_ms_per_request']}"
            f" ms CPU/request ({row['server_cores']} cores), db"
            f" {row['db_cpu_ms_per_request']} ms, generator"
            f" {row['load_cpu_ms_per_request']} ms, load {phase.loadavg}",
            file=sys.stderr,
            flush=True,
        )
        for sample in phase.error_samples:
            print(f"  {sample}", file=sys.stderr)
        # Let the queue drain before the next rate.
        time.sleep(2)
    return rows


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "| load | offered/s | s | ok | errors | achieved/s | p50 ms | p95 ms | p99 ms |"
        " max ms | server CPU ms/request | server cores | db CPU ms/request |"
        " generator CPU ms/request | load avg |",
        "|" + "---|" * 15,
    ]
    for r in report["lookup"] + report["floor"] + report["status"]:
        lines.append(
            f"| {r['phase']} | {r['rate']:g} | {r['duration_s']:g} | {r['ok']} |"
            f" {r['errors']} | {r['achieved_per_s']} | {r['p50_ms']} | {r['p95_ms']} |"
            f" {r['p99_ms']} | {r['max_ms']} | {r['server_cpu_ms_per_request']} |"
            f" {r['server_cores']} | {r['db_cpu_ms_per_request']} |"
            f" {r.get('load_cpu_ms_per_request', '')} | {r['loadavg'][0]} |"
        )
    lines += [
        "",
        f"Lookup ceiling (sustained, no errors, p99 ≤ 50 ms): "
        f"**{report['lookup_ceiling']:g}/s** (target ≥ 1,000/s: "
        f"{'met' if report['lookup_ceiling'] >= 1000 else 'MISSED'}). "
        f"Floor, /api/health with p99 ≤ 50 ms: **{report['floor_ceiling']:g}/s**. "
        f"Status list revalidation, highest rate sustained: "
        f"**{report['status_ceiling']:g}/s** (target ≥ 3,000/s: "
        f"{'met' if report['status_ceiling'] >= 3000 else 'MISSED'}).",
        "",
        f"{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory']}; Python"
        f" {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']},"
        f" {report['database']}; {report['technicians']:,} technicians,"
        f" {report['certifications']:,} certification rows; sample of"
        f" {report['sample']:,} technicians; load average at start"
        f" {m['loadavg_start']}, at end {m['loadavg_end']}.",
        f"Server: `gunicorn {report['server']}` on cores {report['server_cpus']};"
        f" load generator on cores {report['load_cpus']},"
        f" {report['connections']} keep-alive connections, lookups from"
        f" {report.get('clients', 1):,} client addresses (X-Real-IP).",
        f"Command: `{m['command']}`",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--technicians", type=int, default=TECHNICIANS)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rates", default="200,300,400,500,750,1000")
    parser.add_argument("--status-rates", default="1000,2000,3000,4000,5000")
    parser.add_argument(
        "--floor-rates", default="250,500,1000", help="/api/health; '' skips it"
    )
    parser.add_argument("--duration", type=float, default=20, help="s per rate")
    parser.add_argument("--warmup", type=float, default=5, help="s, not counted")
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--clients",
        type=int,
        default=10_000,
        help="client addresses the lookups come from (X-Real-IP); 1: all one",
    )
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--worker-class", choices=("sync", "gthread"), default="gthread"
    )
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--load-cpus", default="1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="smoke run, < 2 min")
    parser.add_argument("--json", type=Path, help="also write every number here")
    args = parser.parse_args(argv)
    url = args.postgres_url
    if args.quick:
        args.technicians = min(args.technicians, QUICK_TECHNICIANS)
        url = args.postgres_url + "_quick"
        args.rates, args.status_rates, args.duration, args.warmup = "200", "500", 5, 1
        args.floor_rates = "200"
    report: dict[str, Any] = {"machine": openloop.machine(ROOT)}
    have = population_count(url)
    if args.regenerate or have != args.technicians:
        population_make(url, args.technicians)
    analyze(url)
    django_setup(url)
    from django.conf import settings
    from django.db import connection

    from certwright.credentials.models import Certification
    from tests.delivery.live_server import Gunicorn

    credentials_prepare(issued=300, revoked=20)
    sample = people(args.sample, args.seed)
    from certwright.candidates.models import Technician

    known = set(Technician.objects.values_list("certification_id", flat=True))
    report["technicians"] = population_count(url)
    report["certifications"] = Certification.objects.count()
    report["sample"] = len(sample)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        report["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
    connection.close()
    DATA.mkdir(parents=True, exist_ok=True)
    log = DATA / "gunicorn-verify.log"
    log.unlink(missing_ok=True)
    server = Gunicorn(
        database_url=url,
        secret_key=settings.SECRET_KEY,
        log=log,
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
        cpus=cpus_parse(args.server_cpus),
        extra_env={
            "CERTWRIGHT_LOG_LEVEL": "error",
            "CERTWRIGHT_DB_CONN_MAX_AGE": "60",
            "CERTWRIGHT_SIGNING_PASSPHRASE": PASSPHRASE,
            # The load generator plays the proxy (X-Real-IP) for --clients
            # clients, each far more often than any employer's system would
            # look up: the limit is raised so that no phase meets it. Each
            # lookup is still counted, per client.
            "CERTWRIGHT_TRUSTED_PROXIES": "127.0.0.1/32",
            "CERTWRIGHT_VERIFY_LOOKUP_LIMIT": str(10**9),
        },
    )
    server.start()
    load_cpus = cpus_parse(args.load_cpus)
    if load_cpus:
        os.sched_setaffinity(0, load_cpus)
    database = url.rsplit("/", 1)[1].split("?")[0]
    rates = [float(r) for r in args.rates.split(",")]
    status_rates = [float(r) for r in args.status_rates.split(",") if r]
    try:
        lookups = Lookups(server.port, sample, args.seed, args.clients, known)
        report["lookup"] = run_phases(
            "lookup", rates, args, server, database, lookups.next_request
        )
        floor_rates = [float(r) for r in args.floor_rates.split(",") if r]
        report["floor"] = (
            run_phases(
                "floor (/api/health)", floor_rates, args, server, database,
                Health(server.port).next_request,
            )
            if floor_rates
            else []
        )  # fmt: skip
        report["status"] = (
            run_phases(
                "status list", status_rates, args, server, database,
                Revalidations(server.port, status_etag(server.port)).next_request,
            )
            if status_rates
            else []
        )  # fmt: skip
    finally:
        server.stop()
    report["lookup_ceiling"] = max(
        (r["rate"] for r in report["lookup"] if sustained(r) and r["p99_ms"] <= 50),
        default=0,
    )
    report["floor_ceiling"] = max(
        (r["rate"] for r in report["floor"] if sustained(r) and r["p99_ms"] <= 50),
        default=0,
    )
    report["status_ceiling"] = max(
        (r["rate"] for r in report["status"] if sustained(r)), default=0
    )
    report["server"] = " ".join(server.command()[3:]).replace(
        f":{server.port}", ":PORT"
    )
    report["server_cpus"], report["load_cpus"] = args.server_cpus, args.load_cpus
    report["connections"] = args.connections
    report["clients"] = args.clients
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    text = markdown(report)
    print(text)
    if args.json:
        report["markdown"] = text
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
