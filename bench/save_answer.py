#!/usr/bin/env python
"""Benchmark: saving exam answers through the whole HTTP stack at exam peak.

    .venv/bin/python bench/save_answer.py                      # PostgreSQL + SQLite
    .venv/bin/python bench/save_answer.py --database postgres --rate 500 --duration 60
    .venv/bin/python bench/save_answer.py --quick --database sqlite   # smoke, < 1 min
    .venv/bin/python bench/save_answer.py --storm 2000                # reconnect storm
    .venv/bin/python bench/save_answer.py --behind-nginx              # 1 vs 2 servers
    .venv/bin/python bench/save_answer.py --behind-nginx --quick      # smoke, < 2 min

For each database: a fresh benchmark database (PostgreSQL ``certwright_bench_saves``,
SQLite bench/.data/saves.sqlite3) is migrated and filled with a published 60-item
form and --candidates candidates, each signed in (a session row and a CSRF secret,
as ``force_login`` makes them) with a started exam launched on its workstation
(the proctor's launch code entered through services.attempt_launch; the seat token
it returns is sent as the ``certwright_seat_<id>`` cookie, as the browser does).
``gunicorn certwright.wsgi`` serves it on loopback, pinned to core 0 (master and
workers); the load generator, this process, is pinned to core 1. PostgreSQL's own
processes are not pinned.

The load is open loop: save i is due at start + i / rate whatever happened to the
saves before it, and its latency is measured from that due time, not from when a
connection was free to send it (no coordinated omission: a stalled server shows as
a queue of late saves, not as fewer, faster ones). Each save is the player's
``POST /exam/<id>/answers/`` with the candidate's cookies and X-CSRFToken, and the
save pass of the player's last state poll (X-Save-Pass, made here with the server's
key and renewed every 20 s; --no-save-pass sends none, so every save goes through
Django's middleware); the
candidates take turns (save i is candidate i mod N's next answer, seq + 1, to the
next item), over --connections keep-alive connections (an idle one the server has
closed is reopened and the save sent again, as a browser does). An error is any
answer but 200 and any failed exchange.

Phases: a warm-up (not counted), the sustained rate (--rate for --duration), then a
burst (--burst-rate for --burst-duration; 0 skips it). Afterwards the server is
stopped and every acknowledged save is looked up in the database: a save is lost if
the stored answer to its item has a lower seq, or the same seq with another choice.
Server CPU (gunicorn's processes, from /proc) and, on PostgreSQL, database CPU per
save are reported beside the latencies, with the load average (the machine is
shared: a high one makes the figures pessimistic).

Targets (issue 4, shared/reference/psychometrics.md §0): PostgreSQL, 500 saves/s
sustained with p99 <= 150 ms; burst 1,000/s with p99 <= 500 ms; zero errors and zero
lost acknowledged saves. SQLite is measured beside it.

--storm N (issue 13, exam-day capacity; PostgreSQL unless --database says
otherwise): the same setup, then N candidates whose network dropped mid-exam, each
with --queue answers waiting in the player's queue (the next questions, choices
at random, some flagged), reconnect at the same moment. Each sends its whole queue
as the player does, in one ``POST /exam/<id>/answers/batch/`` over its own
connection (--connections, default one per candidate), drops each acknowledged
answer and sends what is left again with the player's back-off (1 s doubling to
30 s, with jitter) until its queue is empty or --storm-limit seconds have passed.
A share of them (--replay) then sends the same batch again, as after a lost
acknowledgement: every answer must come back not applied. Reported: the time
until every queue is empty (and the spread of each candidate's), requests,
errors and resends, and, once the server is stopped, every acknowledged answer
looked up in the database (lost: a lower seq stored, or the same seq with another
choice) and the rows stored against the answers sent (nothing recorded twice).

--behind-nginx (issue 13; PostgreSQL): the same candidates and open-loop saves,
sent over HTTPS keep-alive connections to nginx serving deploy/nginx's site
(rendered by deploy/render_nginx.py from deploy/certwright.env.example, with this
run's ports, a self-signed certificate and CERTWRIGHT_APP_SERVERS), in front of
(a) one app server and (b) two, each run with certwright-web@.service's own
gunicorn flags (read from the unit) and the template's proxy settings. Both
stacks are up at once and each rate of --rates (--duration seconds each) goes to
one, then the other (the order alternating), so the shared machine's other load
falls on both alike. Workers per server (--split): the machine's cores shared
out (cores / servers: one server and two get the same workers in all), or the
template's CERTWRIGHT_WEB_WORKERS each. Nothing is pinned, as on a production
host. Per rate and set-up: achieved/s, latencies, errors, and CPU per save of the
app servers (all their gunicorn processes), nginx, PostgreSQL and the generator;
then each set-up's ceiling (highest rate held), the two-server / one-server
ratio, the ceiling with p99 <= 100 ms (the goal: 1,000 saves/s across the pair)
and every acknowledged save looked up in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_saves"
SQLITE_PATH = DATA / "saves.sqlite3"
HOST = "127.0.0.1"
FORM_ITEMS = 60
TARGETS = {
    "sustained": {"rate": 500.0, "p99_ms": 150.0},
    "burst": {"rate": 1000.0, "p99_ms": 500.0},
}

sys.path.insert(0, str(ROOT))

import openloop  # noqa: E402 (bench/, beside this script)
from openloop import (  # noqa: E402
    Check,
    CpuMeter,
    Phase,
    cpus_parse,
    postgres_pids,
    server_pids,
)

# =====================================================================================
# Setup (in the child, one database)
# =====================================================================================


def database_prepare(database: str, url: str | None) -> str:
    """Recreate the bench database, point Django at it and migrate; its URL."""
    from booking import database_prepare as prepare

    return prepare(database, url or POSTGRES_URL, sqlite_path=SQLITE_PATH)


@dataclass(frozen=True, slots=True)
class Candidate:
    attempt_id: int
    items: tuple[int, ...]
    headers: bytes  # Cookie and X-CSRFToken lines, CRLF-terminated
    user_id: int
    session_key: str


def form_make() -> Any:
    """A published A1 form of ``FORM_ITEMS`` operational items (75 minutes)."""
    from certwright.itembank.models import Form, FormItem, Item, ItemStatus, ItemVersion
    from certwright.itembank.services import form_publish

    items = Item.objects.bulk_create(
        Item(test="A1", code=f"A1-B{n:03d}") for n in range(1, FORM_ITEMS + 1)
    )
    areas = "ABCDEF"
    versions = ItemVersion.objects.bulk_create(
        ItemVersion(
            item=item,
            number=1,
            status=ItemStatus.OPERATIONAL,
            stem=f"Bench stem {n}: which reading shows the fault?",
            options=[f"Option {letter} of {n}" for letter in "ABCD"],
            key=n % 4,
            rationale=f"Because of reading {n}.",
            area=areas[n % len(areas)],
            task=f"Bench task {n}",
            written_by_label="bench writer",
            reviewed_by_label="bench reviewer",
        )
        for n, item in enumerate(items)
    )
    form = Form.objects.create(
        test="A1", kind="initial", blueprint_effective=dt.date(2026, 1, 1), minutes=75
    )
    FormItem.objects.bulk_create(
        FormItem(form=form, position=n, item_version=v, scored=True, area=v.area)
        for n, v in enumerate(versions, start=1)
    )
    return form_publish(form_id=form.pk, actor="bench")


def candidates_make(count: int) -> list[Candidate]:
    """``count`` candidates, each signed in with a started exam on one form, at a
    checked-in appointment (written in bulk: booking them one by one is the
    booking benchmark's business), launched on its workstation one by one with
    its launch code (services.attempt_launch: what the launch page does)."""
    from booking import centre_make
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from certwright.candidates.models import Technician
    from certwright.delivery.launch import attempt_launch
    from certwright.delivery.models import Attempt, AttemptStatus
    from certwright.itembank.models import FormItem
    from certwright.scheduling.models import (
        Appointment,
        AppointmentStatus,
        AppointmentTest,
    )
    from tests.delivery.live_server import SESSION_BACKEND, csrf_secret, seat_cookie

    form = form_make()
    items = tuple(
        FormItem.objects.filter(form=form)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench{n}@example.com", email=f"bench{n}@example.com",
             password=unusable)
        for n in range(count)
    )  # fmt: skip
    technicians = Technician.objects.bulk_create(
        Technician(
            certification_id=f"BS{n:010d}", name=f"Bench {n}", email=u.email, user=u
        )
        for n, u in enumerate(users)
    )
    centre = centre_make("bench-saves", seats=500)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            technician=t,
            centre=centre,
            starts_at=now - dt.timedelta(minutes=10),
            ends_at=now + dt.timedelta(hours=2),
            status=AppointmentStatus.CHECKED_IN,
            uid=f"bench-saves-{n}@certwright",
        )
        for n, t in enumerate(technicians)
    )
    seats = AppointmentTest.objects.bulk_create(
        AppointmentTest(
            appointment=a,
            order_line_id=n + 1,
            test="A1",
            kind="initial",
            minutes=75,
            must_take_by=now.date() + dt.timedelta(days=30),
        )
        for n, a in enumerate(appointments)
    )
    budget = form.minutes * 60
    attempts = Attempt.objects.bulk_create(
        Attempt(
            technician=a.technician,
            appointment=a,
            appointment_test=s,
            test="A1",
            kind="initial",
            form=form,
            status=AttemptStatus.IN_PROGRESS,
            authorised_at=now,
            authorised_by_label="bench",
            started_at=now,
            budget_seconds=budget,
            deadline=now + dt.timedelta(seconds=budget),
            # The code the proctor gives at the seat; no workstation holds it yet.
            launch_code=f"BENCH{n}",
        )
        for n, (a, s) in enumerate(zip(appointments, seats, strict=True))
    )
    # Each candidate's workstation enters the code: its seat token for the cookie.
    tokens = [
        attempt_launch(
            attempt_id=attempt.pk,
            code=attempt.launch_code,
            by=user,
            device_label="bench workstation",
        )[1]
        for attempt, user in zip(attempts, users, strict=True)
    ]
    store = SessionStore()
    keys = [get_random_string(32) for _ in users]
    Session.objects.bulk_create(
        Session(
            session_key=key,
            session_data=store.encode(
                {
                    SESSION_KEY: str(u.pk),
                    BACKEND_SESSION_KEY: SESSION_BACKEND,
                    HASH_SESSION_KEY: u.get_session_auth_hash(),
                }
            ),
            expire_date=now + dt.timedelta(days=1),
        )
        for key, u in zip(keys, users, strict=True)
    )
    out = []
    for key, attempt, token, user in zip(keys, attempts, tokens, users, strict=True):
        csrf = csrf_secret()
        seat = seat_cookie(attempt.pk, token)
        headers = (
            f"Cookie: sessionid={key}; csrftoken={csrf}; {seat}\r\n"
            f"X-CSRFToken: {csrf}\r\n"
        ).encode()
        out.append(Candidate(attempt.pk, items, headers, user.pk, key))
    return out


# How often the player's state poll renews its save pass, as this generator sees
# it: well inside the pass's 30 s.
PASS_RENEWED_S = 20.0


class Passes:
    """Each candidate's save pass (``X-Save-Pass``, certwright/delivery/
    save_pass.py), as the player holds it from its last state poll. The polls are
    not part of this load (a save's cost is what is measured): the generator makes
    the pass itself with the server's secret key, as the poll would, and renews it
    every PASS_RENEWED_S seconds. ``enabled`` False sends none: every save then
    goes through Django's middleware, as before the pass."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.held: dict[int, tuple[float, bytes]] = {}

    def header(self, candidate: Candidate) -> bytes:
        if not self.enabled:
            return b""
        moment = time.monotonic()
        held = self.held.get(candidate.attempt_id)
        if held is None or moment - held[0] > PASS_RENEWED_S:
            from certwright.delivery.save_pass import HEADER, save_pass_issue

            value = save_pass_issue(
                attempt_id=candidate.attempt_id,
                user_id=candidate.user_id,
                session_key=candidate.session_key,
            )
            held = (moment, f"{HEADER}: {value}\r\n".encode())
            self.held[candidate.attempt_id] = held
        return held[1]


# =====================================================================================
# The load generator
# =====================================================================================


@dataclass
class Ack:
    attempt_id: int
    item: int
    seq: int
    choice: int | None


class Load:
    """The candidates' saves, in turn, with per-candidate sequence numbers."""

    def __init__(
        self, port: int, candidates: list[Candidate], seed: int, *, passes: bool
    ) -> None:
        self.port = port
        self.candidates = candidates
        self.passes = Passes(passes)
        self.rng = random.Random(seed)
        self.next = 0
        self.seq = [0] * len(candidates)
        self.acks: list[Ack] = []
        self.host = f"Host: {HOST}:{port}\r\n".encode()

    def retarget(self, port: int, origin: str) -> None:
        """Send the saves to ``port`` (nginx's HTTPS one), from a page of
        ``origin``: a browser's fetch over HTTPS names it in Origin, which Django's
        CSRF check compares with CSRF_TRUSTED_ORIGINS on a secure request."""
        self.port = port
        self.host = f"Host: {HOST}:{port}\r\nOrigin: {origin}\r\n".encode()

    def request(self) -> tuple[Candidate, int, int | None, int, bytes]:
        """The next candidate's next save: (candidate, item, choice, seq, bytes)."""
        n = self.next % len(self.candidates)
        self.next += 1
        candidate = self.candidates[n]
        self.seq[n] += 1
        seq = self.seq[n]
        # Mostly the next question; sometimes back to change an earlier answer.
        items = candidate.items
        item = items[(seq - 1) % len(items)]
        if seq > 3 and self.rng.random() < 0.15:
            item = items[self.rng.randrange(min(seq - 1, len(items)))]
        choice = self.rng.choice((0, 1, 2, 3, 0, 1, 2, 3, None))
        flagged = "true" if self.rng.random() < 0.1 else "false"
        body = (
            f'{{"item": {item}, "choice": {"null" if choice is None else choice},'
            f' "flagged": {flagged}, "seq": {seq}}}'
        ).encode()
        data = b"".join(
            (
                f"POST /exam/{candidate.attempt_id}/answers/ HTTP/1.1\r\n".encode(),
                self.host,
                candidate.headers,
                self.passes.header(candidate),
                b"Content-Type: application/json\r\n",
                f"Content-Length: {len(body)}\r\n\r\n".encode(),
                body,
            )
        )
        return candidate, item, choice, seq, data

    async def phase(
        self,
        phase: Phase,
        connections: int,
        timeout: float,
        record: bool = True,
        ssl: ssl.SSLContext | None = None,
    ) -> None:
        """Send ``phase.rate`` saves a second for ``phase.duration`` seconds, each
        due at its own time; wait for the last answer."""

        def next_request() -> tuple[bytes, Check]:
            candidate, item, choice, seq, data = self.request()

            def check(status: int, body: bytes) -> str:
                if status != 200:
                    return f"HTTP {status}: {body[:160]!r}"
                # The ack carries the stored answer: this save's, or a newer one
                # of the same candidate's.
                answer = json.loads(body)
                stored = (answer["item"], answer["seq"], answer["choice"])
                wrong = stored[0] != item or stored[1] < seq
                if wrong or (stored[1] == seq and stored[2] != choice):
                    return f"wrong ack for seq {seq}: {answer}"
                if record:
                    self.acks.append(Ack(candidate.attempt_id, item, seq, choice))
                return ""

            return data, check

        await openloop.run(
            phase,
            self.port,
            next_request,
            connections=connections,
            timeout=timeout,
            ssl=ssl,
        )


# =====================================================================================
# The reconnect storm (--storm)
# =====================================================================================

MAX_BACKOFF_S = 30.0


@dataclass
class Storm:
    """N candidates' queues, sent at once as the player sends them after a
    reconnect: one batch request each, resent with back-off until empty."""

    port: int
    candidates: list[Candidate]
    queue_length: int
    seed: int
    replay: float
    acks: list[Ack] = field(default_factory=list)
    requests: int = 0
    resends: int = 0
    errors: int = 0
    replay_errors: int = 0
    replayed: int = 0
    error_samples: list[str] = field(default_factory=list)
    empty_after: list[float] = field(default_factory=list)
    unsent: int = 0
    elapsed: float = 0.0

    def queues(self) -> list[list[dict[str, Any]]]:
        """Each candidate's queue: the next ``queue_length`` questions, in order."""
        rng = random.Random(self.seed)
        out = []
        for candidate in self.candidates:
            items = candidate.items[: self.queue_length]
            out.append(
                [
                    {
                        "item": item,
                        "choice": rng.choice((0, 1, 2, 3, 0, 1, 2, 3, None)),
                        "flagged": rng.random() < 0.1,
                        "seq": seq,
                    }
                    for seq, item in enumerate(items, start=1)
                ]
            )
        return out

    def request(self, candidate: Candidate, queue: list[dict[str, Any]]) -> bytes:
        body = json.dumps({"answers": queue}).encode()
        return b"".join(
            (
                f"POST /exam/{candidate.attempt_id}/answers/batch/ HTTP/1.1\r\n"
                .encode(),
                f"Host: {HOST}:{self.port}\r\n".encode(),
                candidate.headers,
                b"Content-Type: application/json\r\n",
                f"Content-Length: {len(body)}\r\n\r\n".encode(),
                body,
            )
        )  # fmt: skip

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:200])

    async def exchange(
        self, conn: openloop.Connection, data: bytes, timeout: float
    ) -> tuple[int, bytes] | None:
        self.requests += 1
        try:
            try:
                return await asyncio.wait_for(conn.exchange(data), timeout)
            except openloop.StaleConnection:
                return await asyncio.wait_for(conn.exchange(data), timeout)
        except Exception as error:
            conn.close()
            self.error(f"{type(error).__name__}: {error}")
            return None

    async def candidate(
        self,
        candidate: Candidate,
        queue: list[dict[str, Any]],
        conns: asyncio.Queue[openloop.Connection],
        start: float,
        limit: float,
        timeout: float,
        rng: random.Random,
    ) -> None:
        loop = asyncio.get_running_loop()
        sent_first = list(queue)
        backoff = 0.0
        while queue and loop.time() - start < limit:
            conn = await conns.get()
            try:
                answer = await self.exchange(
                    conn, self.request(candidate, queue), timeout
                )
            finally:
                conns.put_nowait(conn)
            if answer is not None:
                status, body = answer
                if status != 200:
                    self.error(f"HTTP {status}: {body[:160]!r}")
                else:
                    queue[:] = self.acknowledged(candidate, queue, json.loads(body))
            if queue:
                self.resends += 1
                backoff = min(backoff * 2 if backoff else 1.0, MAX_BACKOFF_S)
                await asyncio.sleep(backoff + rng.random() * 0.25)
        if queue:
            self.unsent += 1
            return
        self.empty_after.append(loop.time() - start)
        if rng.random() < self.replay:
            # The acknowledgement was lost: the same batch again stores nothing.
            self.replayed += 1
            conn = await conns.get()
            try:
                answer = await self.exchange(
                    conn, self.request(candidate, sent_first), timeout
                )
            finally:
                conns.put_nowait(conn)
            acks = json.loads(answer[1])["acks"] if answer and answer[0] == 200 else []
            if len(acks) != len(sent_first) or any(
                not a["ok"] or a["applied"] for a in acks
            ):
                self.replay_errors += 1
                self.error(f"replay of a saved batch applied or failed: {acks[:2]}")

    def acknowledged(
        self, candidate: Candidate, queue: list[dict[str, Any]], body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Record each acknowledged answer; what is left to send again."""
        acks = body.get("acks", [])
        if len(acks) != len(queue):
            self.error(f"{len(acks)} acks for {len(queue)} answers")
            return queue
        left = []
        for entry, ack in zip(queue, acks, strict=True):
            if not ack.get("ok"):
                self.error(f"answer refused: {ack}")
                if ack.get("status") in (403, 409) or ack.get("status", 500) >= 500:
                    left.append(entry)
                continue
            # The ack carries the stored answer: this one, or a newer one.
            wrong = ack["item"] != entry["item"] or ack["seq"] < entry["seq"]
            other = ack["seq"] == entry["seq"] and ack["choice"] != entry["choice"]
            if wrong or other:
                self.error(f"wrong ack for {entry}: {ack}")
                continue
            self.acks.append(
                Ack(candidate.attempt_id, entry["item"], entry["seq"], entry["choice"])
            )
        return left

    async def run(self, connections: int, timeout: float, limit: float) -> None:
        loop = asyncio.get_running_loop()
        conns: asyncio.Queue[openloop.Connection] = asyncio.Queue()
        for _ in range(connections):
            conns.put_nowait(openloop.Connection(self.port))
        queues = self.queues()
        rng = random.Random(self.seed + 1)
        began = time.perf_counter()
        start = loop.time()
        try:
            await asyncio.gather(
                *(
                    self.candidate(c, q, conns, start, limit, timeout, rng)
                    for c, q in zip(self.candidates, queues, strict=True)
                )
            )
        finally:
            self.elapsed = time.perf_counter() - began
            while not conns.empty():
                conns.get_nowait().close()

    def row(self) -> dict[str, Any]:
        done = self.empty_after
        return {
            "queues": len(self.candidates),
            "answers_each": self.queue_length,
            "requests": self.requests,
            "resends": self.resends,
            "errors": self.errors,
            "unsent": self.unsent,
            "replayed": self.replayed,
            "replay_errors": self.replay_errors,
            "all_empty_s": round(max(done), 2) if done and not self.unsent else None,
            "p50_s": round(Phase.quantile(done, 0.5), 2),
            "p99_s": round(Phase.quantile(done, 0.99), 2),
            "elapsed_s": round(self.elapsed, 2),
            "error_samples": self.error_samples,
        }


def stored_rows(attempt_ids: list[int]) -> int:
    from certwright.delivery.models import Response

    return Response.objects.filter(attempt_id__in=attempt_ids).count()


# =====================================================================================
# Measuring the server's side
# =====================================================================================


# =====================================================================================
# The child: one database
# =====================================================================================


def lost_acks(acks: list[Ack]) -> tuple[int, int]:
    """(acknowledged saves not found in the database, rows checked)."""
    from certwright.delivery.models import Response

    attempts = {a.attempt_id for a in acks}
    stored = {
        (attempt_id, item): (seq, choice)
        for attempt_id, item, seq, choice in Response.objects.filter(
            attempt_id__in=attempts
        ).values_list("attempt_id", "form_item_id", "client_seq", "choice")
    }
    lost = 0
    for ack in acks:
        seq, choice = stored.get((ack.attempt_id, ack.item), (0, None))
        if seq < ack.seq or (seq == ack.seq and choice != ack.choice):
            lost += 1
    return lost, len(stored)


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    connection.close()
    return version


def server_start(args: argparse.Namespace, url: str) -> Any:
    """gunicorn on the bench database, pinned to --server-cpus, started; this
    process then pinned to --load-cpus."""
    from django.conf import settings

    from tests.delivery.live_server import Gunicorn

    DATA.mkdir(parents=True, exist_ok=True)
    log = DATA / f"gunicorn-saves-{args.database}.log"
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
            # Persistent connections, as docs/install.md runs PostgreSQL.
            "CERTWRIGHT_DB_CONN_MAX_AGE": "60",
        },
    )
    server.start()
    load_cpus = cpus_parse(args.load_cpus)
    if load_cpus:
        os.sched_setaffinity(0, load_cpus)
    return server


def storm_main(args: argparse.Namespace) -> dict[str, Any]:
    """The child of a --storm run: one database."""
    url = database_prepare(args.database, args.postgres_url)
    began = time.perf_counter()
    candidates = candidates_make(args.storm)
    setup_s = time.perf_counter() - began
    version = database_version()
    server = server_start(args, url)
    storm = Storm(
        server.port, candidates, args.queue, seed=args.seed, replay=args.replay
    )
    database_name = url.rsplit("/", 1)[1].split("?")[0]
    server_cpu = CpuMeter(lambda: server_pids(server))
    db_cpu = CpuMeter(
        lambda: postgres_pids(database_name) if args.database == "postgres" else []
    )
    print(
        f"[{args.database}] storm: {args.storm} queues of {args.queue} answers,"
        f" over {args.connections} connections ...",
        file=sys.stderr,
        flush=True,
    )
    try:
        asyncio.run(storm.run(args.connections, args.timeout, args.storm_limit))
    finally:
        server_cpu_s = server_cpu.stop()
        db_cpu_s = db_cpu.stop()
        loadavg = [round(x, 2) for x in os.getloadavg()]
        server.stop()
    row = storm.row()
    print(
        f"[{args.database}] storm: every queue empty after {row['all_empty_s']} s"
        f" (p50 {row['p50_s']} s, p99 {row['p99_s']} s), {row['requests']}"
        f" requests, {row['errors']} errors, {row['unsent']} queues not emptied,"
        f" load {loadavg}",
        file=sys.stderr,
        flush=True,
    )
    for sample in storm.error_samples:
        print(f"  {sample}", file=sys.stderr)
    lost, _rows = lost_acks(storm.acks)
    return {
        "database": args.database,
        "version": version,
        "setup_s": round(setup_s, 1),
        "server": " ".join(server.command()[3:]).replace(f":{server.port}", ":PORT"),
        "server_cpus": args.server_cpus,
        "load_cpus": args.load_cpus,
        "connections": args.connections,
        "storm": row,
        "server_cpu_s": round(server_cpu_s, 1),
        "db_cpu_s": round(db_cpu_s, 1),
        "loadavg": loadavg,
        "acks": len(storm.acks),
        "lost": lost,
        "answers_sent": args.storm * min(args.queue, FORM_ITEMS),
        "rows": stored_rows([c.attempt_id for c in candidates]),
    }


def child_main(args: argparse.Namespace) -> dict[str, Any]:
    url = database_prepare(args.database, args.postgres_url)
    began = time.perf_counter()
    candidates = candidates_make(args.candidates)
    setup_s = time.perf_counter() - began
    version = database_version()
    server = server_start(args, url)
    load = Load(server.port, candidates, seed=args.seed, passes=args.save_pass)
    phases: list[Phase] = []
    plan = [("warm-up", args.rate, args.warmup, False)]
    plan.append(("sustained", args.rate, args.duration, True))
    if args.burst_duration > 0:
        plan.append(("burst", args.burst_rate, args.burst_duration, True))
    database_name = url.rsplit("/", 1)[1].split("?")[0]

    def db_pids() -> list[int]:
        if args.database != "postgres":
            return []
        return postgres_pids(database_name)

    try:
        for name, rate, duration, counted in plan:
            phase = Phase(name, rate, duration)
            server_cpu = CpuMeter(lambda: server_pids(server))
            db_cpu = CpuMeter(db_pids)
            print(
                f"[{args.database}] {name}: {rate}/s for {duration} s ...",
                file=sys.stderr,
                flush=True,
            )
            asyncio.run(load.phase(phase, args.connections, args.timeout))
            phase.server_cpu_s = server_cpu.stop()
            phase.db_cpu_s = db_cpu.stop()
            phase.loadavg = [round(x, 2) for x in os.getloadavg()]
            if counted:
                phases.append(phase)
            row = phase.row()
            print(
                f"[{args.database}] {name}: {row['ok']} ok, {row['errors']} errors,"
                f" {row['achieved_per_s']}/s, p50 {row['p50_ms']} p99 {row['p99_ms']}"
                f" max {row['max_ms']} ms, server CPU"
                f" {row['server_cpu_ms_per_request']} ms/save ({row['server_cores']}"
                f" cores), load {phase.loadavg}",
                file=sys.stderr,
                flush=True,
            )
            for sample in phase.error_samples:
                print(f"  {sample}", file=sys.stderr)
    finally:
        server.stop()
    lost, rows = lost_acks(load.acks)
    return {
        "database": args.database,
        "version": version,
        "candidates": args.candidates,
        "setup_s": round(setup_s, 1),
        "server": " ".join(server.command()[3:]).replace(f":{server.port}", ":PORT"),
        "server_cpus": args.server_cpus,
        "load_cpus": args.load_cpus,
        "connections": args.connections,
        "acks": len(load.acks),
        "lost": lost,
        "rows": rows,
        "phases": [p.row() for p in phases],
    }


# =====================================================================================
# Behind nginx: one app server against two (--behind-nginx)
# =====================================================================================

UNIT = ROOT / "deploy" / "systemd" / "certwright-web@.service"
NGINX_SBIN = Path("/usr/sbin/nginx")  # not on a non-root PATH
GOAL = {"rate": 1000.0, "p99_ms": 100.0}  # issue 13, across the pair


def unit_gunicorn_args(bind: str, workers: int, threads: int) -> list[str]:
    """gunicorn's arguments as certwright-web@.service runs it (its ExecStart, the
    documented production flags), for ``bind`` with ``workers`` × ``threads``: read
    from the unit so the benchmark cannot drift from what production runs."""
    joined, inside = "", False
    for line in UNIT.read_text().splitlines():
        if line.startswith("ExecStart="):
            inside, line = True, line.removeprefix("ExecStart=")
        if inside:
            joined += " " + line.rstrip().removesuffix("\\")
            if not line.rstrip().endswith("\\"):
                break
    words = shlex.split(joined)[1:]  # [0]: the virtualenv's gunicorn
    values = {
        "${CERTWRIGHT_WEB_ADDRESS}:%i": bind,
        "${CERTWRIGHT_WEB_WORKERS}": str(workers),
        "${CERTWRIGHT_WEB_THREADS}": str(threads),
    }
    words = [values.get(word, word) for word in words]
    left = [word for word in words if "$" in word or "%" in word]
    if not words or left:
        raise RuntimeError(f"{UNIT.name}: ExecStart not understood ({left})")
    return words


def production_gunicorn(
    url: str, log: Path, workers: int, threads: int, site: str, multiproc: Path
) -> Any:
    """One app server as certwright-web@ runs it, behind nginx at ``site``: the
    unit's flags, the template's proxy settings (TLS ends at nginx, which says so in
    X-Forwarded-Proto), Prometheus' multiprocess directory of its own."""
    from django.conf import settings

    from tests.delivery.live_server import Gunicorn

    class UnitGunicorn(Gunicorn):
        def command(self) -> list[str]:
            bind = f"{HOST}:{self.port}"
            args = unit_gunicorn_args(bind, self.workers, self.threads)
            return [sys.executable, "-m", "gunicorn", *args]

    multiproc.mkdir(parents=True, exist_ok=True)
    return UnitGunicorn(
        database_url=url,
        secret_key=settings.SECRET_KEY,
        log=log,
        workers=workers,
        threads=threads,
        extra_env={
            # certwright.env.example's values, with this run's addresses.
            "CERTWRIGHT_SSL_REDIRECT": "1",
            "CERTWRIGHT_SITE_URL": site,
            "CERTWRIGHT_CSRF_TRUSTED_ORIGINS": site,
            "CERTWRIGHT_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "CERTWRIGHT_TRUSTED_PROXIES": "127.0.0.1/32",
            "CERTWRIGHT_DB_CONN_MAX_AGE": "60",
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        },
    )


def template_web_size() -> tuple[int, int]:
    """(workers, threads) per app server in deploy/certwright.env.example."""
    from tests.deploy.nginx import TEMPLATE_ENV, env_file_read

    env = env_file_read(TEMPLATE_ENV.read_text(encoding="utf-8"))
    return int(env["CERTWRIGHT_WEB_WORKERS"]), int(env["CERTWRIGHT_WEB_THREADS"])


def workers_per_server(args: argparse.Namespace, servers: int) -> int:
    """--split cores: the machine's cores shared out, so one server and two get the
    same number of worker processes in all (a gthread worker runs Python on one
    core at a time: more workers than cores only queue for them); --split
    template: each server as the environment template sizes it."""
    if args.split == "template":
        return template_web_size()[0]
    return max(1, len(os.sched_getaffinity(0)) // servers)


@dataclass
class Stack:
    """``servers`` app servers behind one nginx, as deploy/ runs them on one host."""

    servers: int
    workers: int
    threads: int
    apps: list[Any]
    nginx: Any
    site_url: str
    context: ssl.SSLContext
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.servers} server{'s' if self.servers > 1 else ''}"

    def start(self) -> None:
        for app in self.apps:
            app.log.unlink(missing_ok=True)
            app.start()
        self.nginx.start()

    def stop(self) -> None:
        self.nginx.stop()
        for app in self.apps:
            app.stop()

    def app_pids(self) -> list[int]:
        return [pid for app in self.apps for pid in server_pids(app)]

    def measure(
        self, args: argparse.Namespace, load: Load, phase: Phase, db_pids: Any
    ) -> dict[str, Any]:
        """One phase of saves through this nginx, and what each side spent."""
        load.retarget(self.nginx.https_port, origin=self.site_url)
        app_cpu = CpuMeter(self.app_pids)
        nginx_cpu = CpuMeter(self.nginx.pids)
        db_cpu = CpuMeter(db_pids)
        openloop.drive(
            load.phase(phase, args.connections, args.timeout, ssl=self.context)
        )
        phase.server_cpu_s = app_cpu.stop()
        nginx_s = nginx_cpu.stop()
        phase.db_cpu_s = db_cpu.stop()
        phase.loadavg = [round(x, 2) for x in os.getloadavg()]
        row = phase.row()
        row["nginx_cpu_ms_per_request"] = (
            round(1000 * nginx_s / phase.ok, 2) if phase.ok else 0
        )
        # The busiest app process's share: gunicorn's workers of one server take
        # connections from one listening socket, nginx's keep-alive ones included,
        # and nothing makes them take equal shares.
        busiest = max(
            (s - app_cpu.start.get(pid, 0.0) for pid, s in app_cpu.last.items()),
            default=0.0,
        )
        row["app_busiest_cores"] = round(busiest / phase.elapsed, 2)
        row["nginx_cores"] = round(nginx_s / phase.elapsed, 2)
        row["load_cores"] = round(phase.load_cpu_s / phase.elapsed, 2)
        row["db_cores"] = round(phase.db_cpu_s / phase.elapsed, 2)
        print(
            f"[{self.label}] {phase.name} {phase.rate:g}/s: {row['ok']} ok,"
            f" {row['errors']} errors, {row['achieved_per_s']}/s, p50"
            f" {row['p50_ms']} p99 {row['p99_ms']} ms; CPU ms/save: app"
            f" {row['server_cpu_ms_per_request']} ({row['server_cores']} cores,"
            f" busiest process {row['app_busiest_cores']}),"
            f" nginx {row['nginx_cpu_ms_per_request']}, db"
            f" {row['db_cpu_ms_per_request']}, generator"
            f" {row['load_cpu_ms_per_request']}; load {phase.loadavg}",
            file=sys.stderr,
            flush=True,
        )
        for sample in phase.error_samples:
            print(f"  {sample}", file=sys.stderr)
        return row

    def report(self) -> dict[str, Any]:
        command = self.apps[0].command()[3:]
        return {
            "servers": self.servers,
            "workers": self.workers,
            "threads": self.threads,
            "server": " ".join(command).replace(f":{self.apps[0].port}", ":PORT"),
            "phases": self.rows,
        }


def stack_make(args: argparse.Namespace, url: str, servers: int, work: Path) -> Stack:
    """``servers`` app servers (certwright-web@'s flags, workers by --split) and
    nginx with deploy/nginx's site rendered for them, on loopback; not started."""
    from tests.delivery.live_server import free_port
    from tests.deploy.nginx import TEMPLATE_ENV, Nginx, certificate_make, render_nginx

    workers = workers_per_server(args, servers)
    threads = template_web_size()[1]
    directory = work / f"servers-{servers}"
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = certificate_make(directory)
    https_port, http_port = free_port(), free_port()
    site_url = f"https://{HOST}:{https_port}"
    apps = [
        production_gunicorn(
            url,
            DATA / f"gunicorn-nginx-{servers}-{n}.log",
            workers,
            threads,
            site_url,
            directory / f"metrics-{n}",
        )
        for n in range(servers)
    ]
    site = render_nginx(
        TEMPLATE_ENV.read_text(encoding="utf-8"),
        CERTWRIGHT_SITE_URL=site_url,
        CERTWRIGHT_APP_SERVERS=",".join(f"{HOST}:{app.port}" for app in apps),
        CERTWRIGHT_NGINX_HTTPS_LISTEN=f"{HOST}:{https_port}",
        CERTWRIGHT_NGINX_HTTP_LISTEN=f"{HOST}:{http_port}",
        CERTWRIGHT_TLS_CERTIFICATE=str(cert),
        CERTWRIGHT_TLS_KEY=str(key),
        CERTWRIGHT_DATA_DIR=str(directory),
    )
    # One nginx worker per core, as Debian's nginx.conf ("auto") runs it.
    nginx = Nginx(
        directory / "nginx",
        site,
        https_port=https_port,
        http_port=http_port,
        worker_processes="auto",
    )
    context = ssl.create_default_context(cafile=str(cert))
    return Stack(servers, workers, threads, apps, nginx, site_url, context)


def nginx_main(args: argparse.Namespace) -> dict[str, Any]:
    """The child of a --behind-nginx run (PostgreSQL): the candidates made once;
    one app server behind nginx and two behind another, both up at once (the idle
    one costs nothing); each rate sent to one, then the other, so a neighbour's
    load on the shared machine falls on both alike; at the end every acknowledged
    save of both looked up in the database."""
    url = database_prepare("postgres", args.postgres_url)
    began = time.perf_counter()
    candidates = candidates_make(args.candidates)
    setup_s = time.perf_counter() - began
    print(f"[setup] {args.candidates} candidates in {setup_s:.1f} s", file=sys.stderr)
    version = database_version()
    database_name = url.rsplit("/", 1)[1].split("?")[0]
    DATA.mkdir(parents=True, exist_ok=True)
    # One generator for both: each candidate's seq goes on rising, so every save
    # is a new answer, not a replay of one the other stack stored.
    load = Load(0, candidates, seed=args.seed, passes=args.save_pass)

    def db_pids() -> list[int]:
        return postgres_pids(database_name)

    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as work:
        stacks = [stack_make(args, url, n, Path(work)) for n in (1, 2)]
        try:
            for stack in stacks:
                stack.start()
            for stack in stacks:  # not counted
                stack.measure(
                    args, load, Phase("warm-up", args.rates[0], args.warmup), db_pids
                )
            for number, rate in enumerate(args.rates):
                # Each goes first at every other rate: neither always meets the
                # database or the neighbours' load the other left behind.
                for stack in stacks[:: -1 if number % 2 else 1]:
                    time.sleep(1)  # the last phase's queues drained
                    phase = Phase("sustained", rate, args.duration)
                    stack.rows.append(stack.measure(args, load, phase, db_pids))
        finally:
            for stack in stacks:
                stack.stop()
    lost, rows = lost_acks(load.acks)
    return {
        "database": "postgres",
        "version": version,
        "candidates": args.candidates,
        "setup_s": round(setup_s, 1),
        "connections": args.connections,
        "split": args.split,
        "acks": len(load.acks),
        "lost": lost,
        "rows": rows,
        "setups": [stack.report() for stack in stacks],
    }


# =====================================================================================
# The parent: one child per database, the report
# =====================================================================================


def machine() -> dict[str, Any]:
    import sqlite3

    return {**openloop.machine(ROOT), "sqlite_module": sqlite3.sqlite_version}


def verdict(row: dict[str, Any], database: str) -> str:
    target = TARGETS.get(row["phase"])
    if database != "postgres" or target is None:
        return ""
    if row["rate"] < target["rate"]:
        return f"(target is at {target['rate']:g}/s)"
    ok = (
        row["p99_ms"] <= target["p99_ms"]
        and row["errors"] == 0
        and row["achieved_per_s"] >= 0.98 * row["rate"]
    )
    return "met" if ok else "**MISSED**"


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    head = (
        "| db | phase | offered/s | s | saves ok | errors | achieved/s | p50 ms |"
        " p95 ms | p99 ms | max ms | server CPU ms/save | server cores used |"
        " db CPU ms/save | load avg (1 min) | lost acks | target |"
    )
    lines = [head, "|" + "---|" * 17]
    for result in report["results"]:
        if "error" in result:
            lines.append(f"| {result['database']} | FAILED: {result['error']} |")
            continue
        for r in result["phases"]:
            lines.append(
                f"| {result['version']} | {r['phase']} | {r['rate']:g} |"
                f" {r['duration_s']:g} | {r['ok']} | {r['errors']} |"
                f" {r['achieved_per_s']} | {r['p50_ms']} | {r['p95_ms']} |"
                f" {r['p99_ms']} | {r['max_ms']} | {r['server_cpu_ms_per_request']} |"
                f" {r['server_cores']} |"
                f" {r['db_cpu_ms_per_request'] or '–'} | {r['loadavg'][0]} |"
                f" {result['lost']} of {result['acks']} |"
                f" {verdict(r, result['database'])} |"
            )
    first = next((r for r in report["results"] if "error" not in r), None)
    lines.append("")
    lines.append(
        f"{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM; Python"
        f" {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}; load"
        f" average at start {m['loadavg_start']}, at end {m['loadavg_end']}."
    )
    if first is not None:
        lines.append(
            f"Server: `gunicorn {first['server']}`"
            + f", on cores {first['server_cpus']}; load generator on cores"
            f" {first['load_cpus']}"
            + f"; {first['candidates']} candidates over {first['connections']}"
            " keep-alive connections. Latency from each save's due time (open loop)."
        )  # fmt: skip
    lines.append(f"Command: `{m['command']}`")
    return "\n".join(lines)


def storm_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    head = (
        "| db | queues × answers | connections | every queue empty s | p50 s |"
        " p99 s | requests (with replays) | resends | errors | queues not emptied |"
        " replayed (errors) | server CPU s | db CPU s | load avg (1 min) |"
        " lost acks | rows / answers sent |"
    )
    lines = [head, "|" + "---|" * 16]
    for result in report["results"]:
        if "error" in result:
            lines.append(f"| {result['database']} | FAILED: {result['error']} |")
            continue
        r = result["storm"]
        lines.append(
            f"| {result['version']} | {r['queues']} × {r['answers_each']} |"
            f" {result['connections']} | {r['all_empty_s']} | {r['p50_s']} |"
            f" {r['p99_s']} | {r['requests']} | {r['resends']} | {r['errors']} |"
            f" {r['unsent']} | {r['replayed']} ({r['replay_errors']}) |"
            f" {result['server_cpu_s']} | {result['db_cpu_s'] or '–'} |"
            f" {result['loadavg'][0]} | {result['lost']} of {result['acks']} |"
            f" {result['rows']} / {result['answers_sent']} |"
        )
    first = next((r for r in report["results"] if "error" not in r), None)
    lines.append("")
    lines.append(
        f"{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM; Python"
        f" {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}; load"
        f" average at start {m['loadavg_start']}, at end {m['loadavg_end']}."
    )
    if first is not None:
        lines.append(
            f"Server: `gunicorn {first['server']}`, on cores {first['server_cpus']};"
            f" load generator on cores {first['load_cpus']}. Every candidate"
            " reconnects at t = 0 and sends its queue in one batch request; times"
            " from t = 0 until its queue is empty."
        )
    lines.append(f"Command: `{m['command']}`")
    return "\n".join(lines)


def nginx_ceilings(setup: dict[str, Any]) -> tuple[float, float, float]:
    """(the most saves/s achieved at any rate without an error: the set-up's
    throughput, held or not; the highest offered rate held: achieved >= 98 % of
    it, no error; the highest held with p99 <= the goal's), 0 when none."""
    clean = [r for r in setup["phases"] if r["errors"] == 0]
    held = [r for r in clean if r["achieved_per_s"] >= 0.98 * r["rate"]]
    fast = [r for r in held if r["p99_ms"] <= GOAL["p99_ms"]]
    return (
        max((r["achieved_per_s"] for r in clean), default=0.0),
        max((r["rate"] for r in held), default=0.0),
        max((r["rate"] for r in fast), default=0.0),
    )


def nginx_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    head = (
        "| app servers × workers × threads | offered/s | s | saves ok | errors |"
        " achieved/s | p50 ms | p99 ms | max ms | app CPU ms/save (cores;"
        " busiest process) |"
        " nginx CPU ms/save (cores) | db CPU ms/save (cores) | generator CPU"
        " ms/save (cores) | all CPU ms/save | load avg (1 min) | goal |"
    )
    lines = [head, "|" + "---|" * 16]
    result = report["results"][0]
    if "error" in result:
        return f"FAILED: {result['error']}\nCommand: `{m['command']}`"
    for setup in result["setups"]:
        shape = f"{setup['servers']} × {setup['workers']} × {setup['threads']}"
        for r in setup["phases"]:
            total = sum(
                r[key]
                for key in (
                    "server_cpu_ms_per_request",
                    "nginx_cpu_ms_per_request",
                    "db_cpu_ms_per_request",
                    "load_cpu_ms_per_request",
                )
            )
            if r["rate"] < GOAL["rate"]:
                goal = ""
            else:
                met = (
                    r["p99_ms"] <= GOAL["p99_ms"]
                    and r["errors"] == 0
                    and r["achieved_per_s"] >= 0.98 * r["rate"]
                )
                goal = "met" if met else "**MISSED**"
            lines.append(
                f"| {shape} | {r['rate']:g} | {r['duration_s']:g} | {r['ok']} |"
                f" {r['errors']} | {r['achieved_per_s']} | {r['p50_ms']} |"
                f" {r['p99_ms']} | {r['max_ms']} |"
                f" {r['server_cpu_ms_per_request']} ({r['server_cores']};"
                f" {r['app_busiest_cores']}) |"
                f" {r['nginx_cpu_ms_per_request']} ({r['nginx_cores']}) |"
                f" {r['db_cpu_ms_per_request']} ({r['db_cores']}) |"
                f" {r['load_cpu_ms_per_request']} ({r['load_cores']}) |"
                f" {round(total, 2)} | {r['loadavg'][0]} | {goal} |"
            )
    one, two = result["setups"]
    (one_top, one_held, one_fast), (two_top, two_held, two_fast) = map(
        nginx_ceilings, (one, two)
    )
    ratio = f"{two_top / one_top:.2f}" if one_top else "–"
    held_ratio = f"{two_held / one_held:.2f}" if one_held else "–"
    lines.append("")
    lines.append(
        f"Throughput ceiling (most saves/s achieved at any rate, no error): one"
        f" server {one_top:g}/s, two {two_top:g}/s, **ratio {ratio}**. Highest"
        f" offered rate held (achieved >= 98 %, no error): one {one_held:g}/s, two"
        f" {two_held:g}/s (ratio {held_ratio}); with p99 <= {GOAL['p99_ms']:g} ms:"
        f" one {one_fast:g}/s, two {two_fast:g}/s. Goal ({GOAL['rate']:g}/s, p99 <="
        f" {GOAL['p99_ms']:g} ms across the pair):"
        f" {'met' if two_fast >= GOAL['rate'] else '**missed**'}. Lost acknowledged"
        f" saves: {result['lost']} of {result['acks']}."
    )
    lines.append("")
    lines.append(
        f"{m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM;"
        f" {result['version']}; Python {m['python']}, Django {m['django']}, gunicorn"
        f" {m['gunicorn']}, {m['nginx']}; load average at start {m['loadavg_start']},"
        f" at end {m['loadavg_end']}."
    )
    lines.append(
        f"App servers: `gunicorn {one['server']}` (certwright-web@.service's"
        f" ExecStart), workers per server by --split {result['split']}; nginx with"
        " deploy/nginx's site (rendered by deploy/render_nginx.py, one worker per"
        f" core), TLS on loopback; {result['candidates']} candidates over"
        f" {result['connections']} keep-alive HTTPS connections to nginx; nothing"
        " pinned. Latency from each save's due time (open loop); CPU from /proc."
    )
    lines.append(f"Command: `{m['command']}`")
    return "\n".join(lines)


def nginx_version() -> str:
    from tests.deploy.nginx import NGINX

    if NGINX is None:
        return "nginx not installed"
    done = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False)
    return done.stderr.strip().removeprefix("nginx version: ")


def storm_failed(result: dict[str, Any]) -> bool:
    if "error" in result:
        return True
    storm = result["storm"]
    return bool(
        result["lost"]
        or storm["errors"]
        or storm["unsent"]
        or result["rows"] != result["answers_sent"]
    )


def rates_parse(text: str) -> list[float]:
    try:
        rates = [float(r) for r in text.split(",") if r.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected 300,500,...") from None
    if not rates or any(r <= 0 for r in rates):
        raise argparse.ArgumentTypeError(f"{text!r}: expected rates above 0")
    return rates


def child_argv(args: argparse.Namespace, database: str, out: Path) -> list[str]:
    """The child's command line: this run's settings, one database."""
    argv = [
        "--database", database, "--child-out", str(out),
        "--rate", str(args.rate), "--duration", str(args.duration),
        "--warmup", str(args.warmup), "--burst-rate", str(args.burst_rate),
        "--burst-duration", str(args.burst_duration),
        "--candidates", str(args.candidates), "--connections", str(args.connections),
        "--timeout", str(args.timeout), "--workers", str(args.workers),
        "--worker-class", args.worker_class, "--threads", str(args.threads),
        "--seed", str(args.seed),
    ]  # fmt: skip
    if not args.save_pass:
        argv.append("--no-save-pass")
    if args.behind_nginx:
        argv += ["--behind-nginx", "--rates", ",".join(f"{r:g}" for r in args.rates)]
        argv += ["--split", args.split]
    if args.storm:
        argv += ["--storm", str(args.storm), "--queue", str(args.queue)]
        argv += ["--replay", str(args.replay), "--storm-limit", str(args.storm_limit)]
    if args.postgres_url:
        argv += ["--postgres-url", args.postgres_url]
    argv += ["--server-cpus", args.server_cpus, "--load-cpus", args.load_cpus]
    return argv


def run_child(database: str, args: argparse.Namespace) -> Any:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    command = [sys.executable, str(Path(__file__).resolve())]
    command += child_argv(args, database, out)
    proc = subprocess.run(command, cwd=ROOT, check=False)
    if proc.returncode != 0 or not out.exists() or not out.stat().st_size:
        out.unlink(missing_ok=True)
        return {"database": database, "error": f"exit {proc.returncode}"}
    result = json.loads(out.read_text())
    out.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres", "both"),
        help="default: both; postgres with --storm",
    )
    parser.add_argument("--postgres-url", help=f"default {POSTGRES_URL}")
    parser.add_argument("--rate", type=float, default=500, help="saves per second")
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds (default 60; each rate's with --behind-nginx: 15)",
    )
    parser.add_argument("--warmup", type=float, default=5, help="seconds, not counted")
    parser.add_argument("--burst-rate", type=float, default=1000)
    parser.add_argument(
        "--burst-duration", type=float, default=30, help="seconds; 0: no burst"
    )
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument(
        "--connections", type=int, help="default 128; with --storm one per candidate"
    )
    parser.add_argument(
        "--timeout", type=float, help="per request, seconds (default 10; storm 60)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--worker-class", choices=("sync", "gthread"), default="gthread"
    )
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--server-cpus",
        default="0",
        help="cores gunicorn (master and workers) is pinned to: '0', '0,1' or"
        " 'all' (not pinned)",
    )
    parser.add_argument(
        "--load-cpus", default="1", help="cores the load generator is pinned to"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 10 s sustained, 2 s warm-up, 500 candidates, no burst",
    )
    parser.add_argument(
        "--storm",
        type=int,
        nargs="?",
        const=2000,
        default=0,
        metavar="N",
        help="reconnect storm instead of the rate phases: N candidates (default"
        " 2000) send their queued answers at once, one batch each",
    )
    parser.add_argument(
        "--queue", type=int, default=8, help="storm: answers in each candidate's queue"
    )
    parser.add_argument(
        "--replay",
        type=float,
        default=0.1,
        help="storm: share of candidates that send their saved batch again",
    )
    parser.add_argument(
        "--storm-limit",
        type=float,
        default=300,
        help="storm: seconds after which a queue not yet empty counts as failed",
    )
    parser.add_argument(
        "--behind-nginx",
        action="store_true",
        help="PostgreSQL only: one app server behind nginx against two, at each of"
        " --rates, as deploy/ runs them (TLS, certwright-web@'s gunicorn flags)",
    )
    parser.add_argument(
        "--rates",
        type=rates_parse,
        default=[300.0, 500.0, 700.0, 1000.0],
        help="--behind-nginx: saves per second, comma-separated (default"
        " 300,500,700,1000)",
    )
    parser.add_argument(
        "--split",
        choices=("cores", "template"),
        default="cores",
        help="--behind-nginx: gunicorn workers per app server: the cores shared"
        " out (cores / servers, the same in all for one server and two), or"
        " CERTWRIGHT_WEB_WORKERS of deploy/certwright.env.example each",
    )
    parser.add_argument(
        "--save-pass",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="send each save with the player's save pass, answered before Django's"
        " middleware (--no-save-pass: every save through Django, as before it)",
    )
    parser.add_argument("--json", type=Path, help="also write every number here")
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.storm < 0 or args.queue < 1 or not 0 <= args.replay <= 1:
        parser.error("--storm must be >= 0, --queue >= 1, --replay from 0 to 1")
    if args.behind_nginx and (args.storm or args.database not in (None, "postgres")):
        parser.error("--behind-nginx runs on PostgreSQL, without --storm")
    if args.behind_nginx and shutil.which("nginx") is None and not NGINX_SBIN.exists():
        parser.error("--behind-nginx needs nginx (Debian: apt-get install nginx-light)")
    if args.database is None:
        args.database = "postgres" if args.storm or args.behind_nginx else "both"
    if args.duration is None:
        args.duration = 15 if args.behind_nginx else 60
    if args.connections is None:
        # A browser per candidate, each on its own connection.
        args.connections = args.storm if args.storm else 128
    if args.timeout is None:
        args.timeout = 60 if args.storm else 10
    if args.quick:
        args.duration, args.warmup, args.burst_duration = 10, 2, 0
        args.candidates = min(args.candidates, 500)
        if args.behind_nginx:
            args.duration, args.rates = 5, args.rates[:1]
            args.candidates = min(args.candidates, 200)
    if args.child_out:
        if args.behind_nginx:
            result = nginx_main(args)
        else:
            result = storm_main(args) if args.storm else child_main(args)
        args.child_out.write_text(json.dumps(result))
        return 0
    report: dict[str, Any] = {"machine": machine(), "results": []}
    databases = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    for database in databases:
        report["results"].append(run_child(database, args))
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.behind_nginx:
        report["machine"]["nginx"] = nginx_version()
        text = nginx_markdown(report)
    else:
        text = storm_markdown(report) if args.storm else markdown(report)
    print(text)
    if args.json:
        report["markdown"] = text
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    if args.behind_nginx:
        # Errors past the ceiling are what is measured; a lost save is a failure.
        failed = any("error" in r or r["lost"] for r in report["results"])
    elif args.storm:
        failed = any(storm_failed(r) for r in report["results"])
    else:
        failed = any(
            "error" in r or r["lost"] or any(p["errors"] for p in r["phases"])
            for r in report["results"]
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
