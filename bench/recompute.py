#!/usr/bin/env python
"""Benchmark: recomputing certifications and titles for a realistic population.

    .venv/bin/python bench/recompute.py                      # 300k, SQLite + PostgreSQL
    .venv/bin/python bench/recompute.py --quick --database sqlite   # CI smoke, < 1 min
    .venv/bin/python bench/recompute.py --skip-generate --database postgres
    .venv/bin/python bench/recompute.py --json out.json --profile

For each database the script runs these phases, each in a fresh Python process so
that the peak memory (``ru_maxrss``) is that phase's own:

generate  a seeded population (300k technicians, ~1.6M test results, ~0.45M
          experience records, renewal credits, a few revocations) written straight
          into the fact tables: executemany on SQLite, COPY on PostgreSQL, one
          transaction per ~50k rows. Python generation and database writes are
          timed apart.
reset     (not timed) empties the derived tables and the audit log and marks every
          technician stale, so the cold recompute always starts from the same state.
full      ``certifications_recompute_all`` from empty derived tables: every
          certification and title is inserted, with its audit event.
warm      the same again with nothing new: reads, evaluates, diffs, writes nothing.
single    ``result_record`` of a new result for a few hundred technicians, then the
          ``technician_recompute`` its task runs (timed alone), then a no-op
          recompute; median / p95 of each.
rules     the pure rules core, ``rules.evaluate(program, facts, as_of,
          explain=False)`` over every technician's facts already in memory, and in
          the same process a naive per-technician ORM loop (ORM queries for the
          facts, evaluate, ``update_or_create`` the derived rows) on a sample,
          extrapolated to the whole population.
profile   (``--profile`` only) a cold full recompute with per-stage timers, and with
          ``--cprofile`` one more under cProfile (bench/.data/profile-<db>.txt).

Everything lives in the bench's own databases: bench/.data/bench.sqlite3 and the
PostgreSQL database ``certwright_bench`` (``--postgres-url``). The population is
generated as of a fixed day (POPULATION_DAY) and the bulk phases evaluate as of that
day, so a given seed gives the same work on any date; the single-technician phase
records its result today and recomputes as the task does (as of today).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import inspect
import json
import os
import platform
import random
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any

from certwright.candidates.ids import PREFIX, check_character

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
SQLITE_PATH = DATA / "bench.sqlite3"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench"
# A smoke run keeps to its own databases, so it never clobbers a full population.
QUICK_SQLITE_PATH = DATA / "bench-quick.sqlite3"

POPULATION_DAY = dt.date(2026, 11, 1)
AS_OF = POPULATION_DAY
DEFAULT_TECHNICIANS = 300_000
QUICK_TECHNICIANS = 20_000
# Rows written per transaction while loading.
FLUSH_ROWS = 50_000
ACTOR = "bench"
SINGLE_SOURCE = "bench:single"

TARGET_FULL_S = 60.0
TARGET_SINGLE_MS = 5.0
TARGET_PEAK_MB = 2048.0

PHASES = ("generate", "full", "warm", "single", "rules", "profile")
DEFAULT_PHASES = ("generate", "full", "warm", "single", "rules")


# =====================================================================================
# The population
# =====================================================================================

_D = dt.date.toordinal
CAREER_FIRST = _D(dt.date(1995, 1, 1))
CAREER_LAST = _D(dt.date(2025, 12, 31))
DAY = _D(POPULATION_DAY)
YEAR = 365
VALIDITY = 1826  # five years in days, near enough for scheduling recertification

A_TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")
# (test, weight): how often a technician of each kind picks the test.
AUTO_POOL = (
    ("A5", 16), ("A4", 14), ("A1", 11), ("A8", 11), ("A6", 10), ("A7", 10),
    ("A3", 7), ("A2", 6), ("G1", 9), ("A9", 3),
)  # fmt: skip
TRUCK_POOL = (
    ("T2", 12), ("T4", 12), ("T8", 10), ("T6", 9), ("T5", 8), ("T3", 6), ("T7", 6),
    ("T1", 5), ("A5", 4), ("A8", 3),
)  # fmt: skip
COLLISION_POOL = (("B2", 12), ("B3", 10), ("B4", 8), ("B5", 8), ("B6", 5))
SCHOOL_BUS_POOL = tuple((f"S{i}", 10 - i) for i in range(1, 8))
TRANSIT_BUS_POOL = tuple((f"H{i}", 10 - i) for i in range(1, 9))
OTHER_POOL = (
    ("C1", 8), ("P2", 8), ("P1", 3), ("P4", 2), ("X1", 3), ("F1", 1), ("E1", 2),
    ("E2", 1), ("E3", 1), ("G1", 4),
)  # fmt: skip
# (kind, weight, pool, master title's tests or ())
PROFILES = (
    ("auto", 78, AUTO_POOL, A_TESTS),
    ("truck", 8, TRUCK_POOL, ("T2", "T3", "T4", "T5", "T6", "T7", "T8")),
    ("collision", 7, COLLISION_POOL, ("B2", "B3", "B4", "B5")),
    ("school-bus", 2, SCHOOL_BUS_POOL, ("S1", "S2", "S3", "S4", "S5", "S6")),
    ("transit-bus", 2, TRANSIT_BUS_POOL, ("H1", "H3", "H4", "H5", "H6", "H7", "H8")),
    ("other", 3, OTHER_POOL, ()),
)
# random.choices with cumulative weights skips re-adding them on every call.
PROFILE_CUM = list(accumulate(p[1] for p in PROFILES))
POOL_CUM = {
    id(pool): list(accumulate(w for _, w in pool)) for _, _, pool, _ in PROFILES
}
# How many different tests a technician attempts, beyond a master's set.
TEST_COUNTS = (1, 2, 3, 4, 5)
TEST_COUNT_CUM = list(accumulate((40, 26, 16, 10, 8)))
ONE_TO_THREE = (1, 2, 3)
ONE_TO_THREE_CUM = list(accumulate((60, 30, 10)))

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph",
    "Jessica", "Thomas", "Sarah", "Carlos", "Maria", "Jose", "Ana", "Luis", "Sofia",
    "Wei", "Mei", "Ahmed", "Fatima", "Olu", "Ngozi", "Ivan", "Olga", "Raj", "Priya",
    "Kenji", "Yuki", "Diego", "Lucia", "Tomasz", "Agnieszka",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill",
    "Flores",
)  # fmt: skip
EMPLOYERS = (
    "Main Street Auto", "County Fleet Services", "Northside Dealer Group",
    "Quick Lube & Tune", "Interstate Freight", "Harbor Marine & Auto",
    "Metro Transit Authority", "Valley Collision Center", "Lakeside Tire & Brake",
    "Summit Motors",
)  # fmt: skip
REVOCATION_REASONS = (
    "test-centre misconduct confirmed on review",
    "credential misrepresented to an employer",
    "identity check failed after the test",
)

# Crockford base32 IDs in the format of certwright.candidates.ids: i -> i * STRIDE
# mod the ID space is a bijection (STRIDE is odd and not a multiple of 31), so the
# population's IDs look random but never collide.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FIRST_CHARS = _ALPHABET.replace("9", "")
_ID_SPACE = len(_FIRST_CHARS) * len(_ALPHABET) ** 7
_STRIDE = 0x2545F491


def certification_id(i: int, seed: int) -> str:
    value = (i * _STRIDE + seed * 104_729) % _ID_SPACE
    chars = []
    for _ in range(7):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    body = _FIRST_CHARS[value] + "".join(reversed(chars))
    return PREFIX + body + check_character(body)


def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


class Population:
    """A seeded stream of technicians with their facts, as rows ready to insert.

    One random stream for the whole population, so technician i is the same for a
    given seed whatever the size asked for (a quick run is a prefix of a full one).
    Dates are ISO strings (both SQLite and PostgreSQL's COPY take them as they are);
    rows carry explicit primary keys so nothing is read back while loading.
    """

    def __init__(self, seed: int, created_at: Any):
        self.seed = seed
        self.rng = random.Random(seed)
        self.created_at = created_at
        self.ids = {"experience": 0, "result": 0, "credit": 0, "revocation": 0}

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def technician(self, i: int) -> tuple[Any, ...]:
        """(technician row, experience rows, result rows, credit rows, revocation
        rows) for technician number i (its primary key is i + 1)."""
        rng = self.rng
        tid = i + 1
        created = self.created_at
        start = rng.randint(CAREER_FIRST, CAREER_LAST)
        # About one in six has left the trade; their records end and they stop
        # testing.
        end: int | None = None
        if DAY - start > 2 * YEAR and rng.random() < 0.17:
            end = rng.randint(start + YEAR, DAY - 30)
        last = end if end is not None else DAY

        experience = self._experience(tid, start, end, last)
        results, passed = self._results(tid, start, last)
        credits = self._credits(tid, passed, end)
        revocations = self._revocations(tid, passed)

        first, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        facts = len(experience) + len(results) + len(credits) + len(revocations)
        tech = (
            tid,
            certification_id(i, self.seed),
            f"{first} {family}",
            family,  # family_name: what the public lookup asks for (bench/verify.py)
            f"{first.lower()}.{family.lower()}.{tid}@example.com",
            created,
            None,  # user
            None,  # next_change_on
            facts,  # facts_version
            0,  # derived_version: stale until the first recompute
        )
        return tech, experience, results, credits, revocations

    def _experience(
        self, tid: int, start: int, end: int | None, last: int
    ) -> list[tuple[Any, ...]]:
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        created = self.created_at

        def add(kind: str, s: int, e: int | None, employer: str) -> None:
            approved = rng.random() < 0.9
            rows.append(
                (
                    self._id("experience"),
                    tid,
                    kind,
                    employer,
                    "student" if kind in ("degree", "training") else "technician",
                    _iso(s),
                    _iso(e) if e is not None else None,
                    kind in ("degree", "training") or rng.random() < 0.9,  # full time
                    approved,
                    None,  # approved_by
                    created if approved else None,  # approved_at
                    "",  # note
                    created,
                )
            )

        if rng.random() < 0.05:  # a two-year degree just before the career
            degree_end = start - rng.randint(0, 120)
            add("degree", degree_end - 2 * YEAR, degree_end, "Community College")
        elif rng.random() < 0.02:  # vocational training
            training_end = start - rng.randint(0, 60)
            add("training", training_end - rng.randint(120, 360), training_end, "")
        n = rng.choices(ONE_TO_THREE, cum_weights=ONE_TO_THREE_CUM)[0]
        cuts = sorted(rng.randint(start, last) for _ in range(n - 1))
        bounds = [start, *cuts, last]
        for k in range(n):
            s = bounds[k] + (rng.randint(0, 90) if k else 0)  # a gap between jobs
            e: int | None = bounds[k + 1]
            if k == n - 1 and end is None:
                e = None  # the current job
            elif e is not None and e < s:
                e = s
            kind = "apprenticeship" if k == 0 and rng.random() < 0.25 else "employment"
            add(kind, s, e, rng.choice(EMPLOYERS))
        return rows

    def _results(
        self, tid: int, start: int, last: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[str, int]]]:
        """Test results, and (test, first pass day) of each test passed."""
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        passed: list[tuple[str, int]] = []
        if rng.random() < 0.12:  # registered, never tested (yet)
            return rows, passed
        _, _, pool, master = rng.choices(PROFILES, cum_weights=PROFILE_CUM)[0]
        tests: set[str] = set()
        if master and rng.random() < 0.14:
            tests.update(master)
        names = [t for t, _ in pool]
        cum = POOL_CUM[id(pool)]
        want = rng.choices(TEST_COUNTS, cum_weights=TEST_COUNT_CUM)[0] + len(tests)
        while len(tests) < min(want, len(names)):
            tests.add(rng.choices(names, cum_weights=cum)[0])
        if pool is AUTO_POOL and last - start > 5 * YEAR and rng.random() < 0.05:
            tests.add("L1")  # advanced level, for experienced technicians
        recertifier = rng.random() < 0.6
        span = max(last - start, 1)
        created = self.created_at

        def add(test: str, day: int, kind: str, outcome: str) -> None:
            rows.append(
                (
                    self._id("result"),
                    tid,
                    test,
                    _iso(day),
                    kind,
                    outcome,
                    "provider",
                    None,  # external_id
                    created,
                )
            )

        for test in sorted(tests):
            # Tests come early in a career more often than late.
            day = start + int(span * rng.random() ** 1.6)
            pass_day: int | None = None
            for _attempt in range(4):
                if day > last:
                    break
                roll = rng.random()
                if roll < 0.035:
                    add(test, day, "initial", "no_show")
                elif roll < 0.37:
                    add(test, day, "initial", "fail")
                else:
                    add(test, day, "initial", "pass")
                    pass_day = day
                    break
                if rng.random() < 0.15:
                    break  # gave up on this test
                day += rng.randint(31, 240)
            if pass_day is None:
                continue
            passed.append((test, pass_day))
            # Recertification: every five years, mostly in the months before expiry,
            # sometimes after it lapsed; some stop recertifying a test.
            due = pass_day + VALIDITY
            while recertifier and rng.random() < 0.8:
                if rng.random() < 0.8:
                    day = due - rng.randint(0, 180)
                else:
                    day = due + rng.randint(0, 700)
                if day > last:
                    break
                if rng.random() < 0.2:
                    add(test, day, "recert", "fail")
                    day += rng.randint(31, 120)
                    if day > last:
                        break
                add(test, day, "recert", "pass")
                due = day + VALIDITY
        return rows, passed

    def _credits(
        self, tid: int, passed: list[tuple[str, int]], end: int | None
    ) -> list[tuple[Any, ...]]:
        """Renewal-app answers: about one A-series holder in ten subscribes."""
        rng = self.rng
        a_passes = [(t, d) for t, d in passed if t.startswith("A")]
        if end is not None or not a_passes or rng.random() >= 0.10:
            return []
        rows: list[tuple[Any, ...]] = []
        n = min(
            len(a_passes), rng.choices(ONE_TO_THREE, cum_weights=ONE_TO_THREE_CUM)[0]
        )
        first_pass = min(d for _, d in a_passes)
        latest = dt.date.fromordinal(DAY)
        months = rng.randint(4, 16)
        # The subscription began months ago (the whole window after a pass).
        begin = latest.year * 12 + latest.month - 1 - months
        for test, passed_on in rng.sample(a_passes, n):
            for m in range(begin, begin + months):
                year, month = divmod(m, 12)
                day = _D(dt.date(year, month + 1, 1)) + rng.randint(0, 27)
                if day <= max(passed_on, first_pass) or day > DAY:
                    continue
                if rng.random() < 0.85:  # answered correctly
                    rows.append(
                        (
                            self._id("credit"),
                            tid,
                            test,
                            _iso(day),
                            "renewal-app",
                            self.created_at,
                        )
                    )
        return rows

    def _revocations(
        self, tid: int, passed: list[tuple[str, int]]
    ) -> list[tuple[Any, ...]]:
        rng = self.rng
        if not passed or rng.random() >= 0.001:
            return []
        test, passed_on = rng.choice(passed)
        day = rng.randint(passed_on, DAY)
        return [
            (
                self._id("revocation"),
                tid,
                "" if rng.random() < 0.1 else test,
                _iso(day),
                rng.choice(REVOCATION_REASONS),
                None,  # by
                self.created_at,
            )
        ]


# Field names in the order Population writes them.
TECH_FIELDS = (
    "id", "certification_id", "name", "family_name", "email", "created_at", "user",
    "next_change_on", "facts_version", "derived_version",
)  # fmt: skip
EXPERIENCE_FIELDS = (
    "id", "technician", "kind", "employer", "role", "start", "end", "full_time",
    "approved", "approved_by", "approved_at", "note", "created_at",
)  # fmt: skip
RESULT_FIELDS = (
    "id", "technician", "test", "date", "kind", "outcome", "source", "external_id",
    "created_at",
)  # fmt: skip
CREDIT_FIELDS = ("id", "technician", "test", "date", "source", "created_at")
REVOCATION_FIELDS = ("id", "technician", "test", "date", "reason", "by", "created_at")


# =====================================================================================
# Child-process helpers (Django is imported only in the phase processes)
# =====================================================================================


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")
    import django

    django.setup()


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def peak_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child (a
    recompute worker), in MB; ``peak_mb`` is the larger of the two."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_mb": round(max(own, children), 1),
        "peak_self_mb": round(own, 1),
        "peak_children_mb": round(children, 1),
    }


def cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """How many CPUs the machine kept busy in between (every process, the database
    server and other people's work included)."""
    total = after[1] - before[1]
    if total <= 0:
        return None
    return round((after[0] - before[0]) / total * (os.cpu_count() or 1), 2)


def progress_bar(total: int, desc: str) -> Any:
    from tqdm import tqdm

    # No monitor thread: the recompute forks its workers only while no other
    # thread runs (credentials.recompute._can_fork).
    tqdm.monitor_interval = 0
    return tqdm(
        total=total, desc=desc, unit="tech", unit_scale=True, mininterval=2.0,
        file=sys.stderr, leave=True,
    )  # fmt: skip


def supported(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The keyword arguments ``fn`` accepts (the recompute API may still move)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


def table_sql(model: Any, fields: tuple[str, ...]) -> tuple[str, str, list[Any]]:
    """(quoted table, quoted columns, defaults of the model's other columns): a field
    added to a model later is filled with its default instead of breaking the load."""
    from django.db import connection

    qn = connection.ops.quote_name
    opts = model._meta
    columns = [qn(opts.get_field(f).column) for f in fields]
    extra: list[Any] = []
    for f in opts.concrete_fields:
        if f.name in fields or f.attname in fields:
            continue
        columns.append(qn(f.column))
        extra.append(f.get_db_prep_save(f.get_default(), connection))
    return qn(opts.db_table), ", ".join(columns), extra


def rows_write(
    model: Any, fields: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows (in ``fields`` order) inside the caller's transaction."""
    if not rows:
        return
    from django.db import connection

    table, columns, extra = table_sql(model, fields)
    if extra:
        tail = tuple(extra)
        rows = [row + tail for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(rows[0]))
            raw = cursor.cursor  # sqlite3's own cursor: ? placeholders, no rewriting
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def settle() -> None:
    """Untimed housekeeping before a measured phase: fresh planner statistics and,
    on PostgreSQL, no dead rows left for autovacuum to chew on mid-measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def table_counts() -> dict[str, int]:
    from certwright.audit.models import Event
    from certwright.candidates.models import ExperienceRecord, Technician
    from certwright.credentials.models import (
        Certification,
        RenewalCredit,
        Revocation,
        TestResult,
        TitleHolding,
    )

    models = {
        "technicians": Technician,
        "results": TestResult,
        "experience": ExperienceRecord,
        "credits": RenewalCredit,
        "revocations": Revocation,
        "certifications": Certification,
        "titles": TitleHolding,
        "events": Event,
    }
    return {name: m.objects.count() for name, m in models.items()}


def db_versions() -> dict[str, str]:
    from django.db import connection

    out = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting in (
                "server_version", "shared_buffers", "work_mem", "synchronous_commit",
                "max_wal_size",
            ):  # fmt: skip
                cursor.execute(f"SHOW {setting}")
                out[setting] = cursor.fetchone()[0]
        else:
            cursor.execute("select sqlite_version()")
            out["server_version"] = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            out["journal_mode"] = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            out["synchronous"] = str(cursor.fetchone()[0])
    return out


def timings_ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
    }


# =====================================================================================
# Phases (each runs in its own process)
# =====================================================================================


def postgres_recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def phase_generate(args: argparse.Namespace) -> dict[str, Any]:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        postgres_recreate(url)
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = url.removeprefix("sqlite:///")
            Path(path + suffix).unlink(missing_ok=True)
    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from certwright.candidates.models import ExperienceRecord, Technician
    from certwright.credentials.models import RenewalCredit, Revocation, TestResult

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - t0

    created_at = connection.ops.adapt_datetimefield_value(
        dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
    )
    population = Population(args.seed, created_at)
    tables = (
        (Technician, TECH_FIELDS),
        (ExperienceRecord, EXPERIENCE_FIELDS),
        (TestResult, RESULT_FIELDS),
        (RenewalCredit, CREDIT_FIELDS),
        (Revocation, REVOCATION_FIELDS),
    )
    pending: list[list[tuple[Any, ...]]] = [[] for _ in tables]
    generate_s = write_s = 0.0
    transactions = 0

    def flush() -> None:
        nonlocal write_s, transactions
        started = time.perf_counter()
        with transaction.atomic():
            for (model, fields), rows in zip(tables, pending, strict=True):
                rows_write(model, fields, rows)
                rows.clear()
        write_s += time.perf_counter() - started
        transactions += 1

    bar = progress_bar(args.technicians, "generate")
    started = time.perf_counter()
    size = 0
    block = 1000
    for first in range(0, args.technicians, block):
        t = time.perf_counter()
        for i in range(first, min(first + block, args.technicians)):
            for rows, part in zip(pending, population.technician(i), strict=True):
                if isinstance(part, tuple):
                    rows.append(part)
                    size += 1
                else:
                    rows.extend(part)
                    size += len(part)
        generate_s += time.perf_counter() - t
        if size >= FLUSH_ROWS:
            flush()
            size = 0
        bar.update(min(block, args.technicians - first))
    flush()
    bar.close()
    load_s = time.perf_counter() - started

    t = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Explicit ids were copied in: move each identity past them.
            for model, _ in tables:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    settle()
    analyze_s = time.perf_counter() - t
    counts = table_counts()
    facts = sum(counts[k] for k in ("results", "experience", "credits", "revocations"))
    return {
        "migrate_s": round(migrate_s, 2),
        "generate_s": round(generate_s, 2),
        "write_s": round(write_s, 2),
        "load_s": round(load_s, 2),
        "analyze_s": round(analyze_s, 2),
        "transactions": transactions,
        "rows_per_s": round((facts + counts["technicians"]) / load_s),
        "counts": counts,
        "facts": facts,
    }


def phase_reset(args: argparse.Namespace) -> dict[str, Any]:
    """Back to "facts only": no derived rows, no events, every technician stale."""
    django_setup()
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db import connection, transaction

    from certwright.candidates.models import Technician
    from certwright.credentials.models import TestResult

    # Children before parents (SQLite deletes in this order); models that do not
    # exist (yet) are skipped.
    names = (
        "credentials.Certification", "credentials.TitleHolding",
        "credentials.RecomputeChunk", "credentials.RecomputeRun", "audit.Event",
        "django_tasks_db.DBTaskResult",
    )  # fmt: skip
    tables = []
    for name in names:
        with contextlib.suppress(LookupError):
            model = apps.get_model(name)
            tables.append(connection.ops.quote_name(model._meta.db_table))
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        TestResult.objects.filter(source=SINGLE_SOURCE).delete()
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        fresh: dict[str, Any] = {"derived_version": 0, "next_change_on": None}
        with contextlib.suppress(FieldDoesNotExist):
            Technician._meta.get_field("derived_changes")
            fresh["derived_changes"] = 0
        Technician.objects.exclude(**fresh).update(**fresh)
    settle()
    return {"reset_s": round(time.perf_counter() - t0, 2), "counts": table_counts()}


def _full(args: argparse.Namespace, label: str, workers: int = 1) -> dict[str, Any]:
    from certwright.candidates.models import Technician
    from certwright.credentials.recompute import certifications_recompute_all

    settle()
    before = table_counts()
    total = Technician.objects.count()
    bar = progress_bar(total, label)
    kwargs = supported(
        certifications_recompute_all,
        as_of=AS_OF,
        restart=True,
        workers=workers,
        progress=bar.update,
        actor=ACTOR,
    )
    if workers > 1 and "workers" not in kwargs:
        raise SystemExit("certifications_recompute_all takes no workers argument")
    gc.collect()
    j0 = cpu_jiffies()
    t0, c0 = time.perf_counter(), time.process_time()
    run = certifications_recompute_all(**kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    machine_busy = busy_cores(j0, cpu_jiffies())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    bar.close()
    after = table_counts()
    processed = getattr(run, "processed", total)
    return {
        "workers": workers,
        "wall_s": round(wall, 2),
        # This process only; worker processes' CPU is in workers_cpu_s.
        "client_cpu_s": round(cpu, 2),
        "workers_cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "machine_busy_cores": machine_busy,
        "technicians": processed,
        "changed": getattr(run, "changed", None),
        "per_s": round(processed / wall),
        "chunk_size": getattr(run, "chunk_size", None),
        "written": {
            k: after[k] - before[k] for k in ("certifications", "titles", "events")
        },
        "counts": after,
    }


def phase_full(args: argparse.Namespace) -> dict[str, Any]:
    django_setup()
    return _full(args, f"recompute cold, {args.workers} worker(s)", args.workers)


def phase_warm(args: argparse.Namespace) -> dict[str, Any]:
    django_setup()
    return _full(args, f"recompute warm, {args.workers} worker(s)", args.workers)


def phase_single(args: argparse.Namespace) -> dict[str, Any]:
    """A new result for one technician, then the recompute its task runs."""
    django_setup()
    from certwright.candidates.models import Technician
    from certwright.core.clock import today
    from certwright.credentials.recompute import technician_recompute
    from certwright.credentials.services import result_record

    settle()
    total = Technician.objects.count()
    rng = random.Random(args.seed + 1)
    warmup = 10
    ids = rng.sample(range(1, total + 1), min(total, args.single + warmup))
    tests = [t for t, _ in AUTO_POOL]
    record_s: list[float] = []
    recompute_s: list[float] = []
    noop_s: list[float] = []
    changed = 0
    day = today()
    for n, tid in enumerate(ids):
        t0 = time.perf_counter()
        result_record(
            technician_id=tid,
            test=rng.choice(tests),
            date=day,
            kind="initial",
            outcome="pass" if rng.random() < 0.64 else "fail",
            source=SINGLE_SOURCE,
            actor=ACTOR,
        )
        t1 = time.perf_counter()
        # What the enqueued task runs (certwright.credentials.tasks).
        did_change = technician_recompute(technician_id=tid)
        t2 = time.perf_counter()
        technician_recompute(technician_id=tid)
        t3 = time.perf_counter()
        if n < warmup:
            continue
        record_s.append(t1 - t0)
        recompute_s.append(t2 - t1)
        noop_s.append(t3 - t2)
        changed += bool(did_change)
    return {
        "recompute": timings_ms(recompute_s),
        "record": timings_ms(record_s),
        "noop_recompute": timings_ms(noop_s),
        "changed": changed,
        "as_of": day.isoformat(),
    }


def _naive_facts(tid: int) -> Any:
    """A technician's facts the obvious way: one ORM query per fact table."""
    from certwright import rules
    from certwright.candidates.models import ExperienceRecord
    from certwright.credentials.models import RenewalCredit, Revocation, TestResult

    return rules.Facts(
        results=tuple(
            rules.TestResult(r.test, r.date, r.kind, r.outcome, f"result:{r.pk}")
            for r in TestResult.objects.filter(technician_id=tid)
        ),
        experience=tuple(
            rules.Experience(
                e.kind, e.start, e.end, e.full_time, e.approved, f"experience:{e.pk}"
            )
            for e in ExperienceRecord.objects.filter(technician_id=tid)
        ),
        renewal_credits=tuple(
            rules.RenewalCredit(c.test, c.date, f"credit:{c.pk}")
            for c in RenewalCredit.objects.filter(technician_id=tid)
        ),
        revocations=tuple(
            rules.Revocation(v.test or None, v.date, v.reason, f"revocation:{v.pk}")
            for v in Revocation.objects.filter(technician_id=tid)
        ),
    )


def naive_recompute(tid: int, program: Any, as_of: dt.date) -> None:
    """The per-technician ORM loop the set-based recompute replaces."""
    from certwright import rules
    from certwright.candidates.models import Technician
    from certwright.credentials.models import Certification, TitleHolding

    evaluation = rules.evaluate(program, _naive_facts(tid), as_of, explain=False)
    for test, state in evaluation.certifications.items():
        Certification.objects.update_or_create(
            technician_id=tid,
            test=test,
            defaults={
                "status": state.status,
                "passed_on": state.passed_on,
                "certified_on": state.certified_on,
                "expires_on": state.expires_on,
                "computed_as_of": as_of,
                "program_digest": program.digest,
            },
        )
    for title_id, title in evaluation.titles.items():
        if title.since is None:
            continue
        TitleHolding.objects.update_or_create(
            technician_id=tid,
            title_id=title_id,
            defaults={
                "held": title.held,
                "since": title.since,
                "until": title.until,
                "computed_as_of": as_of,
            },
        )
    Technician.objects.filter(pk=tid).update(next_change_on=evaluation.next_change_on)


def phase_rules(args: argparse.Namespace) -> dict[str, Any]:
    django_setup()
    from certwright import rules
    from certwright.candidates.models import Technician
    from certwright.core.program import current_program
    from certwright.credentials.selectors import technicians_facts

    settle()
    program = current_program()
    total = Technician.objects.count()

    # Every technician's facts in memory, read set-based (timed apart).
    t0 = time.perf_counter()
    all_facts: list[Any] = []
    for lo in range(1, total + 1, 5000):
        chunk = technicians_facts(list(range(lo, min(lo + 5000, total + 1))))
        all_facts.extend(chunk.values())
    load_s = time.perf_counter() - t0
    facts_rss = peak_mb()["peak_self_mb"]

    gc.collect()
    t0 = time.perf_counter()
    for facts in all_facts:
        rules.evaluate(program, facts, AS_OF, explain=False)
    core_s = time.perf_counter() - t0
    # The same with the cyclic GC frozen: how much of the core's time is the
    # collector walking the facts held in memory (skipped by a smoke run).
    core_frozen_s = None
    if not args.quick:
        gc.freeze()
        t0 = time.perf_counter()
        for facts in all_facts:
            rules.evaluate(program, facts, AS_OF, explain=False)
        core_frozen_s = round(time.perf_counter() - t0, 2)
        gc.unfreeze()
    del all_facts
    gc.collect()

    rng = random.Random(args.seed + 2)
    sample = rng.sample(range(1, total + 1), min(total, args.naive))
    for tid in sample[:20]:  # warm-up: imports, prepared caches
        naive_recompute(tid, program, AS_OF)
    t0 = time.perf_counter()
    for tid in sample:
        naive_recompute(tid, program, AS_OF)
    naive_s = time.perf_counter() - t0
    naive_rate = len(sample) / naive_s
    return {
        "technicians": total,
        "facts_load_s": round(load_s, 2),
        "facts_in_memory_rss_mb": facts_rss,
        "core_s": round(core_s, 2),
        "core_per_s": round(total / core_s),
        "core_us_per_technician": round(core_s / total * 1e6, 1),
        "core_gc_frozen_s": core_frozen_s,
        "naive_sample": len(sample),
        "naive_s": round(naive_s, 2),
        "naive_per_s": round(naive_rate, 1),
        "naive_extrapolated_s": round(total / naive_rate),
        "naive_extrapolated_300k_s": round(DEFAULT_TECHNICIANS / naive_rate),
    }


_STAGES = (
    ("_locked", "lock technicians (SELECT ... FOR UPDATE)"),
    ("technicians_facts", "read facts"),
    ("technicians_derived", "read derived rows"),
    ("evaluate", "rules.evaluate"),
    ("_diff_technician", "diff + event drafts"),
    ("rows_delete", "write: delete"),
    ("rows_update", "write: update"),
    ("rows_insert", "write: insert"),
    ("events_record_bulk", "write: events"),
)


def _timed(fn: Callable[..., Any], bucket: list[float]) -> Callable[..., Any]:
    def wrapper(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            bucket[0] += time.perf_counter() - t

    return wrapper


def phase_profile(args: argparse.Namespace) -> dict[str, Any]:
    """Where a cold full recompute spends its time: per-stage timers, then cProfile."""
    django_setup()
    import cProfile
    import pstats

    from certwright.credentials import recompute

    out: dict[str, Any] = {}
    totals: dict[str, list[float]] = {}
    originals: list[tuple[Any, str, Any]] = []
    for name, _ in _STAGES:
        target = recompute.rules if name == "evaluate" else recompute
        fn = getattr(target, name, None)
        if fn is None:
            continue
        bucket = totals.setdefault(name, [0.0])
        # Only the recompute module's own references are replaced, so the events'
        # rows_insert (called from audit.services) counts as events, not inserts.
        originals.append((target, name, fn))
        setattr(target, name, _timed(fn, bucket))
    phase_reset(args)
    result = _full(args, "recompute (cold, stage timers)")
    for target, name, fn in originals:
        setattr(target, name, fn)
    stages = {name: round(totals[name][0], 2) for name, _ in _STAGES if name in totals}
    stages["other (commit, run bookkeeping, loop)"] = round(
        result["wall_s"] - sum(stages.values()), 2
    )
    out["stages_wall_s"] = result["wall_s"]
    out["stages"] = stages

    if not args.cprofile:
        return out
    phase_reset(args)
    profiler = cProfile.Profile()
    profiler.enable()
    result = _full(args, "recompute (cold, cProfile)")
    profiler.disable()
    out["cprofile_wall_s"] = result["wall_s"]
    path = DATA / f"profile-{vendor()}.txt"
    with path.open("w") as fh:
        stats = pstats.Stats(profiler, stream=fh)
        stats.strip_dirs().sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(35)
    out["cprofile_file"] = str(path.relative_to(ROOT))
    return out


PHASE_FUNCS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "generate": phase_generate,
    "reset": phase_reset,
    "full": phase_full,
    "warm": phase_warm,
    "single": phase_single,
    "rules": phase_rules,
    "profile": phase_profile,
}


def child_main(args: argparse.Namespace) -> None:
    if args.child_phase != "generate":
        # A reused population gets the migrations added since it was generated.
        django_setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    result = PHASE_FUNCS[args.child_phase](args)
    result["process_s"] = round(time.perf_counter() - started, 2)
    result.update(peak_mb())
    with contextlib.suppress(Exception):
        result["db"] = db_versions()
    Path(args.child_out).write_text(json.dumps(result, default=str))


# =====================================================================================
# The parent: runs the phases, prints the report
# =====================================================================================


def run_phase(
    phase: str, database: str, args: argparse.Namespace, url: str, workers: int = 1
) -> dict[str, Any]:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = "certwright.settings"
    env.setdefault("CERTWRIGHT_SECRET_KEY", "bench-only-not-secret")
    # Debug is off (as in production), so the site address is required.
    env.setdefault("CERTWRIGHT_SITE_URL", "http://127.0.0.1:8000")
    env.setdefault("CERTWRIGHT_SSL_REDIRECT", "0")
    # DEBUG keeps every query in memory: never in a benchmark.
    env["CERTWRIGHT_DEBUG"] = "0"
    # Recording a result enqueues its recompute in the task table (the default
    # backend), so the single phase times the recompute on its own.
    env["CERTWRIGHT_TASKS"] = "database"
    env.setdefault("CERTWRIGHT_LOG_LEVEL", "warning")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    cmd = [
        sys.executable, str(Path(__file__).resolve()),
        "--child-phase", phase, "--child-out", str(out),
        "--technicians", str(args.technicians), "--seed", str(args.seed),
        "--single", str(args.single), "--naive", str(args.naive),
        "--workers", str(workers), *(["--cprofile"] if args.cprofile else []),
        *(["--quick"] if args.quick else []),
    ]  # fmt: skip
    phase = f"{phase} ({workers} workers)" if workers > 1 else phase
    print(f"[{database}] {phase} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, check=False)
    if proc.returncode != 0:
        out.unlink(missing_ok=True)
        # Keep going: one failed phase should not throw away an hour of numbers.
        print(
            f"[{database}] phase {phase} FAILED (exit {proc.returncode})",
            file=sys.stderr,
        )
        return {"error": f"exit {proc.returncode}"}
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    result["phase_process_wall_s"] = round(time.perf_counter() - started, 2)
    line = summary_line(phase.split()[0], result)
    print(f"[{database}] {phase}: {line}", file=sys.stderr)
    return result


def summary_line(phase: str, r: dict[str, Any]) -> str:
    if phase == "generate":
        return (
            f"{r['counts']['technicians']} technicians, {r['facts']} facts: "
            f"generate {r['generate_s']}s + write {r['write_s']}s, "
            f"peak {r['peak_mb']} MB"
        )
    if phase in ("full", "warm"):
        return (
            f"{r['wall_s']}s wall, {r['per_s']}/s, client CPU {r['client_cpu_s']}s, "
            f"peak {r['peak_mb']} MB, written {r['written']}"
        )
    if phase == "single":
        return (
            f"recompute median {r['recompute']['median_ms']} ms, p95 "
            f"{r['recompute']['p95_ms']} ms"
        )
    if phase == "rules":
        return (
            f"core {r['core_per_s']}/s ({r['core_s']}s), naive ORM "
            f"{r['naive_per_s']}/s -> {r['naive_extrapolated_300k_s']}s for 300k"
        )
    if phase == "profile":
        return json.dumps(r.get("stages"))
    return json.dumps({k: v for k, v in r.items() if k != "db"})


def meta_path(url: str) -> Path:
    """Where the population of the database at ``url`` is described."""
    digest = hashlib.sha1(url.encode()).hexdigest()[:10]
    return DATA / f"population-{digest}.json"


def machine() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(
                cmd, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import sqlite3

    import django

    return {
        "date": run("date", "-I"),
        "nproc": run("nproc"),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite_module": sqlite3.sqlite_version,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "command": shlex.join([os.path.relpath(sys.executable, ROOT), *sys.argv]),
    }


def fmt_s(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds:,.0f} s ({seconds / 60:.1f} min)"
    return f"{seconds:,.1f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    dbs = [d for d in ("sqlite", "postgres") if d in report["databases"]]
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    lines = [
        f"Machine: {m['date']}, {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM; "
        f"Python {m['python']}, Django {m['django']}, "
        + ", ".join(
            f"{names[d]} {report['databases'][d].get('db', {}).get('server_version')}"
            for d in dbs
        )
        + f"; load average at start {m['loadavg_start']}, "
        f"at end {m.get('loadavg_end')}.",
        "",
        f"Command: `{m['command']}`",
        "",
        f"Population (seed {report['seed']}, as of {AS_OF}): "
        + ", ".join(
            f"{v:,} {k}"
            for k, v in report.get("population", {}).items()
            if k in ("technicians", "results", "experience", "credits", "revocations")
        )
        + ".",
        "",
        "| | " + " | ".join(names[d] for d in dbs) + " | target |",
        "|---|" + "---|" * len(dbs) + "---|",
    ]

    def row(
        label: str, cell: Callable[[dict[str, Any]], str], target: str = ""
    ) -> None:
        cells = []
        for d in dbs:
            try:
                cells.append(cell(report["databases"][d]))
            except (KeyError, TypeError):
                cells.append("–")
        if any(c != "–" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row(
        "Generate population (Python)",
        lambda r: fmt_s(r["generate"]["generate_s"]),
    )
    row(
        "Write population (one transaction / ~50k rows)",
        lambda r: (
            f"{fmt_s(r['generate']['write_s'])} "
            f"({r['generate']['rows_per_s']:,} rows/s incl. generation)"
        ),
    )
    row("Generate phase peak memory", lambda r: f"{r['generate']['peak_mb']:,.0f} MB")
    workers_seen: list[str] = []
    for d in dbs:
        for w in report["databases"][d].get("full", {}) | report["databases"][d].get(
            "warm", {}
        ):
            if w not in workers_seen:
                workers_seen.append(w)

    def mem(x: dict[str, Any]) -> str:
        if x.get("peak_children_mb"):
            return (
                f"{x['peak_self_mb']:,.0f} MB + {x['workers']} × "
                f"≤ {x['peak_children_mb']:,.0f} MB"
            )
        return f"{x['peak_mb']:,.0f} MB"

    def cpu(x: dict[str, Any]) -> str:
        text = f"{x['client_cpu_s']:.1f} s"
        if x.get("workers_cpu_s"):
            text = f"{x['client_cpu_s']:.1f} + {x['workers_cpu_s']:.1f} s (workers)"
        if x.get("machine_busy_cores") is not None:
            text += f", machine busy {x['machine_busy_cores']:.1f} CPUs"
        return text

    for w in workers_seen:
        n = f"{w} worker" + ("s" if w != "1" else "")
        row(
            f"**Full recompute, cold, {n}** (every row and event written)",
            lambda r, w=w: (
                f"**{fmt_s(r['full'][w]['wall_s'])}**, {r['full'][w]['per_s']:,} tech/s"
            ),
            f"≤ {TARGET_FULL_S:.0f} s",
        )
        row(
            "… Python CPU, whole machine busy / peak memory",
            lambda r, w=w: f"{cpu(r['full'][w])} / {mem(r['full'][w])}",
            f"≤ {TARGET_PEAK_MB:,.0f} MB",
        )
    row(
        "… rows written (certifications / titles / events)",
        lambda r: (
            f"{r['full'][workers_seen[0]]['written']['certifications']:,} / "
            f"{r['full'][workers_seen[0]]['written']['titles']:,} / "
            f"{r['full'][workers_seen[0]]['written']['events']:,}"
        ),
    )
    for w in workers_seen:
        n = f"{w} worker" + ("s" if w != "1" else "")
        row(
            f"**Full recompute, warm, {n}** (nothing new: no writes)",
            lambda r, w=w: (
                f"**{fmt_s(r['warm'][w]['wall_s'])}**, {r['warm'][w]['per_s']:,} tech/s"
            ),
            f"≤ {TARGET_FULL_S:.0f} s",
        )
        row(
            "… Python CPU, whole machine busy / peak memory",
            lambda r, w=w: f"{cpu(r['warm'][w])} / {mem(r['warm'][w])}",
            f"≤ {TARGET_PEAK_MB:,.0f} MB",
        )
    row(
        "**Single technician recompute after a new result** (median / p95)",
        lambda r: (
            f"**{r['single']['recompute']['median_ms']:.2f} ms** / "
            f"{r['single']['recompute']['p95_ms']:.2f} ms "
            f"(n={r['single']['recompute']['n']})"
        ),
        f"median ≤ {TARGET_SINGLE_MS:.0f} ms",
    )
    row(
        "… `result_record` itself (median / p95)",
        lambda r: (
            f"{r['single']['record']['median_ms']:.2f} ms / "
            f"{r['single']['record']['p95_ms']:.2f} ms"
        ),
    )
    row(
        "… recompute with nothing new (median / p95)",
        lambda r: (
            f"{r['single']['noop_recompute']['median_ms']:.2f} ms / "
            f"{r['single']['noop_recompute']['p95_ms']:.2f} ms"
        ),
    )
    row(
        "Rules core alone, facts in memory (`explain=False`)",
        lambda r: (
            f"{r['rules']['core_per_s']:,} tech/s "
            f"({r['rules']['core_us_per_technician']} µs each; "
            f"{fmt_s(r['rules']['core_s'])} for all)"
        ),
    )
    row(
        "… same with the cyclic GC frozen",
        lambda r: fmt_s(r["rules"]["core_gc_frozen_s"]),
    )
    row(
        "… set-based fact load for all / RSS with all facts in memory",
        lambda r: (
            f"{fmt_s(r['rules']['facts_load_s'])} / "
            f"{r['rules']['facts_in_memory_rss_mb']:,.0f} MB"
        ),
    )
    row(
        "Naive per-technician ORM loop",
        lambda r: (
            f"{r['rules']['naive_per_s']:,} tech/s "
            f"(sample {r['rules']['naive_sample']:,})"
        ),
    )
    row(
        "… extrapolated to 300,000 technicians",
        lambda r: fmt_s(r["rules"]["naive_extrapolated_300k_s"]),
    )
    row(
        "… set-based cold recompute (1 worker) is faster by",
        lambda r: (
            f"{r['rules']['naive_extrapolated_s'] / r['full']['1']['wall_s']:.0f}×"
        ),
    )
    if any("profile" in report["databases"][d] for d in dbs):
        lines += ["", "Cold full recompute by stage (wall seconds, stage timers):", ""]
        lines.append("| stage | " + " | ".join(names[d] for d in dbs) + " |")
        lines.append("|---|" + "---|" * len(dbs))
        labels = dict(_STAGES)
        keys: list[str] = []
        for d in dbs:
            for k in report["databases"][d].get("profile", {}).get("stages", {}):
                if k not in keys:
                    keys.append(k)
        for k in keys:
            cells = [
                str(
                    report["databases"][d]
                    .get("profile", {})
                    .get("stages", {})
                    .get(k, "–")
                )
                for d in dbs
            ]
            lines.append(f"| {labels.get(k, k)} | " + " | ".join(cells) + " |")
        lines.append(
            "| total (run with timers) | "
            + " | ".join(
                str(report["databases"][d].get("profile", {}).get("stages_wall_s", "–"))
                for d in dbs
            )
            + " |"
        )
    lines += ["", "Targets:", ""]
    for d in dbs:
        r = report["databases"][d]
        checks = []
        for w, x in sorted(r.get("full", {}).items()):
            if "wall_s" not in x:
                continue
            warm = r.get("warm", {}).get(w, {})
            also = f", {warm['wall_s']:.1f} s warm" if "wall_s" in warm else ""
            checks.append(
                f"full recompute ≤ {TARGET_FULL_S:.0f} s with {w} worker(s): "
                f"{verdict(x['wall_s'] <= TARGET_FULL_S)} ({x['wall_s']:.1f} s cold"
                f"{also})"
            )
        with contextlib.suppress(KeyError):
            checks.append(
                f"single ≤ {TARGET_SINGLE_MS:.0f} ms median: "
                f"{verdict(r['single']['recompute']['median_ms'] <= TARGET_SINGLE_MS)}"
                f" ({r['single']['recompute']['median_ms']:.2f} ms)"
            )
        peaks = [
            x["peak_mb"]
            for p in ("full", "warm")
            for x in r.get(p, {}).values()
            if "peak_mb" in x
        ]
        peaks += [r["single"]["peak_mb"]] if "peak_mb" in r.get("single", {}) else []
        if peaks:
            checks.append(
                f"peak memory ≤ {TARGET_PEAK_MB:,.0f} MB: "
                f"{verdict(max(peaks) <= TARGET_PEAK_MB)} ({max(peaks):,.0f} MB)"
            )
        lines.append(f"- {names[d]}: " + "; ".join(checks))
    if report["technicians"] != DEFAULT_TECHNICIANS:
        lines += [
            "",
            f"(A {report['technicians']:,}-technician run: the targets are for "
            f"{DEFAULT_TECHNICIANS:,}.)",
        ]
    return "\n".join(lines)


def parent_main(args: argparse.Namespace) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    sqlite_path = (ROOT / args.sqlite_path).resolve()
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    urls = {"sqlite": f"sqlite:///{sqlite_path}", "postgres": args.postgres_url}
    phases = [p for p in PHASES if p in args.phases]
    if args.skip_generate and "generate" in phases:
        phases.remove("generate")
    report: dict[str, Any] = {
        "machine": machine(),
        "seed": args.seed,
        "technicians": args.technicians,
        "as_of": AS_OF.isoformat(),
        "databases": {},
    }
    for database in databases:
        url = urls[database]
        results: dict[str, Any] = {}
        report["databases"][database] = results
        if "generate" in phases:
            results["generate"] = run_phase("generate", database, args, url)
            if "error" in results["generate"]:
                continue
            meta_path(url).write_text(
                json.dumps(
                    {
                        "technicians": args.technicians,
                        "seed": args.seed,
                        "url": url,
                        "generate": results["generate"],
                    },
                    indent=1,
                )
            )
        else:
            meta_file = meta_path(url)
            if not meta_file.exists():
                raise SystemExit(
                    f"no {database} population to reuse: run without --skip-generate"
                )
            meta = json.loads(meta_file.read_text())
            if (meta["technicians"], meta["seed"]) != (args.technicians, args.seed):
                raise SystemExit(
                    f"the {database} population has {meta['technicians']} technicians "
                    f"(seed {meta['seed']}), not {args.technicians} (seed {args.seed}):"
                    " run without --skip-generate"
                )
            results["generate"] = meta["generate"]
        report.setdefault("population", results["generate"]["counts"])
        # Cold then warm for each worker count; the last leaves the derived state
        # that the single phase starts from.
        for workers in args.workers:
            if "full" in phases:
                run_phase("reset", database, args, url)
                results.setdefault("full", {})[str(workers)] = run_phase(
                    "full", database, args, url, workers
                )
            if "warm" in phases:
                results.setdefault("warm", {})[str(workers)] = run_phase(
                    "warm", database, args, url, workers
                )
        for phase in ("single", "rules", "profile"):
            if phase in phases:
                results[phase] = run_phase(phase, database, args, url)
                if args.json:  # so far, in case a long run is interrupted
                    Path(args.json).write_text(
                        json.dumps(report, indent=1, default=str)
                    )
        results["db"] = next(
            (r["db"] for r in results.values() if isinstance(r, dict) and "db" in r),
            {},
        )
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    text = markdown(report)
    report["markdown"] = text
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--technicians", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database", choices=("sqlite", "postgres", "both"), default="both"
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="reuse the population from the last run of the same size and seed",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_TECHNICIANS:,} technicians, small samples",
    )
    parser.add_argument("--json", metavar="PATH", help="write every number here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="add the profile phase (a cold recompute with per-stage timers)",
    )
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="with --profile, also a cold recompute under cProfile "
        "(bench/.data/profile-<db>.txt; slow)",
    )
    parser.add_argument(
        "--phases",
        default=",".join(DEFAULT_PHASES),
        help=f"comma-separated subset of {', '.join(PHASES)}",
    )
    parser.add_argument(
        "--single", type=int, default=None, help="technicians in the single phase"
    )
    parser.add_argument(
        "--naive", type=int, default=None, help="sample of the naive ORM loop"
    )
    parser.add_argument(
        "--workers",
        default=None,
        help="worker counts to run the full recompute with, comma-separated "
        "(default 1,2; --quick: 1)",
    )
    parser.add_argument(
        "--postgres-url",
        help=f"default {POSTGRES_URL} (with --quick: {POSTGRES_URL}_quick)",
    )
    parser.add_argument(
        "--sqlite-path",
        help=f"default {SQLITE_PATH.relative_to(ROOT)} "
        f"(with --quick: {QUICK_SQLITE_PATH.relative_to(ROOT)})",
    )
    parser.add_argument("--child-phase", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.technicians is None:
        args.technicians = QUICK_TECHNICIANS if args.quick else DEFAULT_TECHNICIANS
    if args.single is None:
        args.single = 60 if args.quick else 300
    if args.naive is None:
        args.naive = 200 if args.quick else 3000
    if args.workers is None:
        args.workers = "1" if args.quick else "1,2"
    if args.sqlite_path is None:
        args.sqlite_path = str(QUICK_SQLITE_PATH if args.quick else SQLITE_PATH)
    if args.postgres_url is None:
        args.postgres_url = POSTGRES_URL + ("_quick" if args.quick else "")
    if args.child_phase:
        args.workers = int(args.workers)
        child_main(args)
        return
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if args.profile and "profile" not in args.phases:
        args.phases.append("profile")
    parent_main(args)


if __name__ == "__main__":
    main()
