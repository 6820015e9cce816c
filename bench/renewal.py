#!/usr/bin/env python
"""Benchmark: the monthly renewal dispatch over 1,000,000 subscribed certifications
(about 400,000 technicians, issue 12).

    .venv/bin/python bench/renewal.py        # population made if missing
    .venv/bin/python bench/renewal.py --technicians 40000     # a tenth
    .venv/bin/python bench/renewal.py --quick       # smoke, 20,000 technicians
    .venv/bin/python bench/renewal.py --quick --profile /tmp/dispatch.prof
    .venv/bin/python bench/renewal.py --quick --phases answer --answer-duration 10
    .venv/bin/python bench/renewal.py --technicians 5000 --phases answer-profile
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

The ``answer`` phase (``--phases dispatch,answer``, the default; ``--phases answer``
alone): answering through ``gunicorn certwright.wsgi`` as deploy/'s unit runs an app
server (``--workers 3 --worker-class gthread --threads 4``, the environment
template's; ``--worker-class sync`` for docs/install.md's plain command), with
persistent database connections and the database task backend (a recompute an answer
enqueues is a row no worker runs). Its setup (untimed): no question sent, the
subscriptions of the first ``--answerers`` technicians moved to cover today,
``renewal_dispatch`` at the real now (the server keeps the real time), and each of
those technicians signed in (a user, a session row and a CSRF secret, as
bench/save_answer.py makes them). Then an open-loop load (bench/openloop.py): each
technician opens their first question (``POST /renewal/questions/<id>/open/``),
then, in the next phases, answers it (``POST .../answer/``, a random choice A–D,
about a quarter right; ``--right-share 0.8``: four in five right, as technicians
who studied would) —
each phase a warm-up (not counted) and ``--answer-duration`` seconds at
``--answer-rate`` requests a second. An error is any answer but the page's redirect.
``--journey`` adds the browser's other requests, each in its own phase at the same
rate: the question's page before the opening, after it (the question and its
answer form) and after the answer (the result); an error there is any answer but
200. Afterwards every acknowledged answer is looked up: the question answered with
the choice sent, one answer event, and one renewal credit exactly when the choice
was right (``recorded_once`` counts those that are not).

The ``answer-profile`` phase (in this process, no gunicorn, no load generator):
the same set-up, then ``--profile-answers`` technicians open and answer through
Django's WSGI handler one after the other, each request's SQL statements counted
and its CPU time measured: the cost of one answer, which the machine's load
changes far less than a throughput run (``--profile FILE``: cProfile of the
answers).

Targets (issue 12): first run ≤ 60 s, second run ≤ 10 s; answering ≥ 300 answers/s
with p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openloop  # noqa: E402 (bench/, beside this script)
import verify  # noqa: E402 (bench/, beside this script: Django set-up)
from openloop import Check, CpuMeter, Phase, cpus_parse, postgres_pids  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/certwright_bench_renewal_dispatch"
TECHNICIANS = 400_000
QUICK_TECHNICIANS = 20_000
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)
TESTS = ("A1", "A2", "A3")
STARTS = dt.date(2027, 1, 1)
ENDS = dt.date(2028, 1, 1)
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
                ends_on=ENDS,
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
    """No question sent, every subscription at the bench's dates (an answer phase
    moves some to today)."""
    from django.db import connection

    from certwright.renewal.models import Subscription

    Subscription.objects.exclude(starts_on=STARTS, ends_on=ENDS).update(
        starts_on=STARTS, ends_on=ENDS
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE renewal_question, notifications_outboundemail CASCADE")
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")
        cursor.execute("ANALYZE")


def dispatch_phase(
    report: dict[str, Any], profile: Path | None, workers: int = 1
) -> None:
    """``renewal_dispatch`` twice at ``AT`` with ``workers`` processes, timed (the
    first run profiled into ``profile`` when given: this process only)."""
    from certwright.renewal.dispatch import renewal_dispatch

    reset()
    for label in ("first", "second"):
        profiler = cProfile.Profile() if profile and label == "first" else None
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        summary = renewal_dispatch(at=AT, actor="bench", workers=workers)
        if profiler is not None:
            profiler.disable()
        report[f"{label}_seconds"] = round(time.perf_counter() - began, 2)
        if profiler is not None:
            profiler.dump_stats(profile)
        report[f"{label}_sent"] = summary.sent
        report[f"{label}_emails"] = summary.emails


# =====================================================================================
# The answer phase: gunicorn, open loop
# =====================================================================================


def answerers_make(count: int) -> list[tuple[int, int, int, bytes, str]]:
    """The first ``count`` technicians, each with a question dispatched now and
    signed in: (technician id, question id, key, Cookie and X-CSRFToken lines, the
    answer pass the question's page gives once it is opened, made here with the
    server's key as the page would make it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils.crypto import get_random_string

    from certwright.candidates.models import Technician
    from certwright.core.clock import now
    from certwright.renewal.answer_pass import answer_pass_issue
    from certwright.renewal.dispatch import renewal_dispatch
    from certwright.renewal.models import Question, Subscription
    from certwright.rules import dates
    from tests.delivery.live_server import SESSION_BACKEND, csrf_secret

    reset()
    technicians = list(
        Technician.objects.filter(certification_id__startswith="RB").order_by("pk")[
            :count
        ]
    )
    ids = [t.pk for t in technicians]
    moment = now()
    # Started two months ago, so that today is a month like any other.
    starts = dates.add_months(moment.date().replace(day=1), -2)
    Subscription.objects.filter(technician_id__in=ids).update(
        starts_on=starts, ends_on=dates.add_months(starts, 12)
    )
    summary = renewal_dispatch(at=moment, actor="bench")
    print(
        f"  dispatched {summary.sent} question(s) now to {summary.technicians}"
        " technician(s)",
        flush=True,
    )
    first: dict[int, tuple[int, int]] = {}
    for tid, qid, key in (
        Question.objects.filter(technician_id__in=ids)
        .order_by("technician_id", "test", "seq")
        .values_list("technician_id", "id", "item_version__key")
    ):
        first.setdefault(tid, (qid, key))
    unusable = make_password(None)
    missing = [t for t in technicians if t.user_id is None]
    users = User.objects.bulk_create(
        User(username=t.email, email=t.email, password=unusable) for t in missing
    )
    for t, u in zip(missing, users, strict=True):
        t.user = u
    Technician.objects.bulk_update(missing, ["user"], batch_size=2000)
    by_id = User.objects.in_bulk([t.user_id for t in technicians])
    store = SessionStore()
    expire = moment + dt.timedelta(days=1)
    out = []
    sessions = []
    for t in technicians:
        if t.pk not in first:
            continue
        user = by_id[t.user_id]
        key = get_random_string(32)
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: SESSION_BACKEND,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expire,
            )
        )
        csrf = csrf_secret()
        headers = (
            f"Cookie: sessionid={key}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
        ).encode()
        question_id, answer_key = first[t.pk]
        granted = answer_pass_issue(
            question_id=question_id,
            technician_id=t.pk,
            user_id=user.pk,
            username=user.get_username(),
            session_key=key,
        )
        out.append((t.pk, question_id, answer_key, headers, granted))
    Session.objects.bulk_create(sessions, batch_size=2000)
    return out


def answer_body(choice: int, granted: str) -> bytes:
    """The answer form as the question's page posts it (with its answer pass, when
    there is one)."""
    body = f"choice={'ABCD'[choice]}"
    if granted:
        body += f"&answer_pass={granted}"
    return body.encode()


def choice_draw(rng: random.Random, key: int, right_share: float | None) -> int:
    """The technician's choice: any of the four at random (``right_share`` None:
    a quarter right), or the key with probability ``right_share`` and one of the
    three others otherwise. Real technicians get most right, and a right answer
    records a credit: about twice the statements of a wrong one."""
    if right_share is None:
        return rng.randrange(4)
    if rng.random() < right_share:
        return key
    return rng.choice([c for c in range(4) if c != key])


# A technician's answer, request by request, as the browser makes them: the
# question's page, its opening (POST, redirect), the page with the question and its
# answer form, the answer (POST, redirect) and the page with the result.
JOURNEY = ("page", "open", "question page", "answer", "result page")
PAGES = frozenset({"page", "question page", "result page"})


class AnswerLoad:
    """The technicians in turn: each opens its question, later answers it."""

    def __init__(
        self,
        port: int,
        answerers: list[tuple[int, int, int, bytes, str]],
        seed: int,
        *,
        passes: bool = True,
        right_share: float | None = None,
    ) -> None:
        self.port = port
        self.answerers = answerers
        self.passes = passes
        self.right_share = right_share
        self.rng = random.Random(seed)
        self.host = f"Host: 127.0.0.1:{port}\r\n".encode()
        self.next = dict.fromkeys(JOURNEY, 0)
        # question id -> (the choice acknowledged, its key)
        self.acks: dict[int, tuple[int, int]] = {}

    def request(self, step: str) -> tuple[bytes, Check]:
        n = self.next[step]
        self.next[step] += 1
        if n >= len(self.answerers):
            raise RuntimeError(
                f"more {step} requests than technicians: raise --answerers"
            )
        _tid, question_id, key, headers, granted = self.answerers[n]
        choice = (
            choice_draw(self.rng, key, self.right_share) if step == "answer" else -1
        )
        if step in PAGES:
            # The question's page as the browser loads it: before the opening,
            # after it (the question and its form), after the answer (the result).
            data = b"".join(
                (
                    f"GET /renewal/questions/{question_id}/ HTTP/1.1\r\n".encode(),
                    self.host,
                    headers,
                    b"\r\n",
                )
            )
            expected = 200
        else:
            body = (
                answer_body(choice, granted if self.passes else "")
                if step == "answer"
                else b""
            )
            data = b"".join(
                (
                    f"POST /renewal/questions/{question_id}/{step}/"
                    " HTTP/1.1\r\n".encode(),
                    self.host,
                    headers,
                    b"Content-Type: application/x-www-form-urlencoded\r\n",
                    f"Content-Length: {len(body)}\r\n\r\n".encode(),
                    body,
                )
            )
            expected = 302

        def check(status: int, answer: bytes) -> str:
            # The page redirects to the question (its result) once recorded; the
            # Location header is not kept by openloop, the status is.
            if status != expected:
                return f"{step} {question_id}: HTTP {status}: {answer[:160]!r}"
            if step == "answer":
                self.acks[question_id] = (choice, key)
            return ""

        return data, check


def answers_check(acks: dict[int, tuple[int, int]]) -> dict[str, int]:
    """Each acknowledged answer recorded once: the question answered with the
    choice sent, one answer event, one credit exactly when right."""
    from collections import Counter

    from certwright.audit.models import Event, EventKind
    from certwright.credentials.models import RenewalCredit
    from certwright.renewal.models import Question, QuestionStatus

    ids = list(acks)
    stored = {
        pk: (choice, status, credit)
        for pk, choice, status, credit in Question.objects.filter(
            pk__in=ids
        ).values_list("pk", "choice", "status", "credit_id")
    }
    events = Counter(
        Event.objects.filter(
            kind=EventKind.RENEWAL_QUESTION_ANSWERED,
            subject__in=[f"renewal_question:{pk}" for pk in ids],
        ).values_list("subject", flat=True)
    )
    credits = Counter(
        RenewalCredit.objects.filter(
            source__in=[f"renewal_question:{pk}" for pk in ids]
        ).values_list("source", flat=True)
    )
    wrong = 0
    for pk, (choice, key) in acks.items():
        subject = f"renewal_question:{pk}"
        got = stored.get(pk)
        right = choice == key
        if (
            got is None
            or got[0] != choice
            or got[1] != QuestionStatus.ANSWERED
            or (got[2] is not None) != right
            or events[subject] != 1
            or credits[subject] != (1 if right else 0)
        ):
            wrong += 1
    return {
        "answers_acknowledged": len(acks),
        "not_recorded_once": wrong,
        "credits": sum(credits.values()),
    }


def answer_phase(args: argparse.Namespace, url: str, report: dict[str, Any]) -> None:
    """Opening and answering through gunicorn, open loop (see the module doc)."""
    from django.conf import settings
    from django.db import connection

    from tests.delivery.live_server import Gunicorn

    per_phase = int(args.answer_rate * (args.answer_warmup + args.answer_duration))
    answerers = answerers_make(args.answerers or per_phase)
    if len(answerers) < per_phase:
        raise SystemExit(
            f"{len(answerers)} technicians with a question, {per_phase} needed"
        )
    connection.close()
    # The population and the answerers made, this process's objects are kept out
    # of the collector's full collections, which took about 200 ms each here: a
    # pause of the load generator is measured as the server's latency.
    gc.collect()
    gc.freeze()
    log = Path("/tmp") / f"gunicorn-renewal-{os.getpid()}.log"
    server = Gunicorn(
        database_url=url,
        secret_key=settings.SECRET_KEY,
        log=log,
        # As deploy/'s unit runs an app server (certwright-web@.service with the
        # template's CERTWRIGHT_WEB_WORKERS and _THREADS): gthread workers, the
        # app loaded once; --worker-class sync --workers 3 is docs/install.md's.
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
        preload=args.worker_class == "gthread",
        cpus=cpus_parse(args.server_cpus),
        extra_env={
            "CERTWRIGHT_LOG_LEVEL": "error",
            "CERTWRIGHT_DB_CONN_MAX_AGE": "60",
            "CERTWRIGHT_TASKS": "database",
        },
    )
    server.start()
    load_cpus = cpus_parse(args.load_cpus)
    if load_cpus:
        os.sched_setaffinity(0, load_cpus)
    load = AnswerLoad(
        server.port,
        answerers,
        seed=1,
        passes=args.answer_pass,
        right_share=args.right_share,
    )
    database = url.rsplit("/", 1)[1]
    rows = []
    try:
        for step in JOURNEY if args.journey else ("open", "answer"):
            for name, duration, counted in (
                (f"{step} warm-up", args.answer_warmup, False),
                (step, args.answer_duration, True),
            ):
                phase = Phase(name, args.answer_rate, duration)
                server_cpu = CpuMeter(lambda: openloop.server_pids(server))
                db_cpu = CpuMeter(lambda: postgres_pids(database))

                def next_request(step: str = step) -> tuple[bytes, Check]:
                    return load.request(step)

                openloop.drive(
                    openloop.run(
                        phase,
                        server.port,
                        next_request,
                        connections=args.connections,
                        timeout=10,
                    )
                )
                phase.server_cpu_s = server_cpu.stop()
                phase.db_cpu_s = db_cpu.stop()
                phase.loadavg = [round(x, 2) for x in os.getloadavg()]
                row = phase.row()
                print(
                    f"  {name}: {row['ok']} ok, {row['errors']} errors,"
                    f" {row['achieved_per_s']}/s, p50 {row['p50_ms']} p99"
                    f" {row['p99_ms']} max {row['max_ms']} ms, server CPU"
                    f" {row['server_cpu_ms_per_request']} ms/request, db CPU"
                    f" {row['db_cpu_ms_per_request']} ms/request, load"
                    f" {phase.loadavg}",
                    flush=True,
                )
                for sample in phase.error_samples:
                    print(f"    {sample}", flush=True)
                # Latency second by second (answers in the order they came back,
                # a second's worth each): a steady queue and a stall look alike in
                # p99 and not here.
                per_second = [
                    Phase.quantile(phase.latencies_ms[i : i + int(phase.rate)], 0.99)
                    for i in range(0, len(phase.latencies_ms), int(phase.rate))
                ]
                row["p99_ms_by_second"] = [round(v) for v in per_second]
                print(f"    p99 by second: {row['p99_ms_by_second']}", flush=True)
                if counted:
                    rows.append(row)
    finally:
        server.stop()
    report["answer"] = {
        "server": " ".join(server.command()[3:]).replace(f":{server.port}", ":PORT"),
        "server_cpus": args.server_cpus,
        "load_cpus": args.load_cpus,
        "connections": args.connections,
        "phases": rows,
        **answers_check(load.acks),
    }


def _environ(
    method: str, path: str, headers: bytes, body: bytes = b""
) -> dict[str, Any]:
    """A WSGI environ as gunicorn builds it for one of the load's requests."""
    import io

    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for line in headers.decode().split("\r\n"):
        if line:
            name, value = line.split(": ", 1)
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def answer_profile_phase(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Opening and answering in this process, through Django's WSGI handler as
    gunicorn calls it (the same middleware, session and CSRF checks, persistent
    connection, database task backend), without the network and the load
    generator: each request's SQL statements counted and its CPU time measured,
    which the machine's load does not change (``--profile``: cProfile of the
    answers)."""
    from django.db import connection

    answerers = answerers_make(args.profile_answers)
    # The web process's application: the renewal answer layer in front of Django
    # (Django's handler alone with --no-answer-pass).
    if args.answer_pass:
        from certwright.wsgi import application as handler
    else:
        from django.core.handlers.wsgi import WSGIHandler

        handler = WSGIHandler()
    rng = random.Random(1)
    statements = 0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def call(step: str, question_id: int, headers: bytes, body: bytes) -> int:
        got: list[str] = []

        def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
            got.append(status)

        environ = (
            _environ("GET", f"/renewal/questions/{question_id}/", headers, b"")
            if step in PAGES
            else _environ(
                "POST", f"/renewal/questions/{question_id}/{step}/", headers, body
            )
        )
        answer = handler(environ, start_response)
        b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()
        return int(got[0].split()[0])

    out: dict[str, Any] = {"answers": len(answerers)}
    acks: dict[int, tuple[int, int]] = {}
    steps = JOURNEY if args.journey else ("open", "answer")
    for step in steps:
        # CPU time, not wall: the wall time of an answer is mostly waiting for
        # the database, which says nothing of what this process spends.
        profiler = (
            cProfile.Profile(time.process_time)
            if args.profile and step == args.profile_step
            else None
        )
        bad = 0
        statements = 0
        # The database's side: this connection's backend (kept between requests).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        db_cpu = openloop.cpu_seconds([backend]).get(backend, 0.0)
        cpu = time.process_time()
        wall = time.perf_counter()
        with connection.execute_wrapper(counted):
            if profiler is not None:
                profiler.enable()
            for _tid, question_id, key, headers, granted in answerers:
                choice = (
                    choice_draw(rng, key, args.right_share) if step == "answer" else -1
                )
                body = (
                    answer_body(choice, granted if args.answer_pass else "")
                    if step == "answer"
                    else b""
                )
                status = call(step, question_id, headers, body)
                if status != (200 if step in PAGES else 302):
                    bad += 1
                elif step == "answer":
                    acks[question_id] = (choice, key)
            if profiler is not None:
                profiler.disable()
        n = len(answerers)
        out[step] = {
            "unexpected_status": bad,
            "statements_per_request": round(statements / n, 2),
            "cpu_ms_per_request": round((time.process_time() - cpu) * 1000 / n, 2),
            "db_cpu_ms_per_request": round(
                (openloop.cpu_seconds([backend]).get(backend, 0.0) - db_cpu) * 1000 / n,
                2,
            ),
            "wall_ms_per_request": round((time.perf_counter() - wall) * 1000 / n, 2),
        }
        if profiler is not None:
            profiler.dump_stats(args.profile)
        print(f"  in process, {step}: {out[step]}", flush=True)
    report["answer_profile"] = {**out, **answers_check(acks)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--technicians", type=int, default=None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_TECHNICIANS:,} technicians (targets are for"
        " 400,000), answering for 10 s",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile",
        type=Path,
        help="write cProfile stats here (pstats format): the first dispatch run, or"
        " with answer-profile the answers (--profile-step)",
    )
    parser.add_argument(
        "--profile-step",
        choices=JOURNEY,
        default="answer",
        help="with answer-profile and --profile: the request profiled",
    )
    parser.add_argument(
        "--phases",
        default="dispatch,answer",
        help="dispatch, answer (through gunicorn), answer-profile (in process:"
        " statements and CPU per answer; with --profile, cProfile of the answers)",
    )
    parser.add_argument(
        "--profile-answers",
        type=int,
        default=500,
        help="answer-profile: how many technicians open and answer",
    )
    parser.add_argument(
        "--answer-rate", type=float, default=300, help="requests a second"
    )
    parser.add_argument("--answer-duration", type=float, default=60, help="seconds")
    parser.add_argument(
        "--answer-warmup", type=float, default=5, help="seconds, not counted"
    )
    parser.add_argument(
        "--answerers",
        type=int,
        default=0,
        help="technicians signed in (default: as many as the load needs)",
    )
    parser.add_argument(
        "--answer-pass",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="answer with the question page's answer pass, taken before Django's"
        " middleware (--no-answer-pass: every answer through Django)",
    )
    parser.add_argument(
        "--right-share",
        type=float,
        default=None,
        help="share of right answers, 0 to 1 (default: a random choice, about a"
        " quarter right)",
    )
    parser.add_argument(
        "--journey",
        action="store_true",
        help="also load the question's page before the opening, before the answer"
        " and after it, each in its own phase at --answer-rate (the browser's"
        " requests around the two POSTs)",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gthread worker"
    )
    parser.add_argument(
        "--worker-class", choices=("gthread", "sync"), default="gthread"
    )
    parser.add_argument(
        "--dispatch-workers",
        type=int,
        default=2,
        help="processes the dispatch shares its ranges among (renewal_dispatch"
        " --workers; 1: this process)",
    )
    parser.add_argument(
        "--server-cpus",
        default="all",
        help="cores gunicorn is pinned to: '0', '0,1' or 'all' (not pinned)",
    )
    parser.add_argument(
        "--load-cpus", default="all", help="cores the load generator is pinned to"
    )
    args = parser.parse_args(argv)
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    if args.right_share is not None and not 0 <= args.right_share <= 1:
        parser.error("--right-share: a share from 0 to 1")
    if not phases or phases - {"dispatch", "answer", "answer-profile"}:
        parser.error("--phases: dispatch, answer, answer-profile (comma-separated)")
    if args.technicians is None:
        args.technicians = QUICK_TECHNICIANS if args.quick else TECHNICIANS
    if args.quick:
        args.answer_duration = min(args.answer_duration, 10)
        args.answer_warmup = min(args.answer_warmup, 2)
    url = args.postgres_url
    if args.technicians != TECHNICIANS:
        url += f"_{args.technicians}"
    _database_ensure(url)
    # As gunicorn runs (answer phase): the connection kept between requests.
    os.environ.setdefault("CERTWRIGHT_DB_CONN_MAX_AGE", "60")
    verify.django_setup(url, tasks="database")
    from certwright.renewal.models import SubscribedCertification, Subscription

    if Subscription.objects.count() != args.technicians:
        print(f"making {args.technicians} technicians", flush=True)
        population_make(args.technicians)
    subscribed = SubscribedCertification.objects.count()
    report: dict[str, Any] = {
        "technicians": args.technicians,
        "subscribed_certifications": subscribed,
    }
    if "dispatch" in phases:
        dispatch_phase(
            report,
            args.profile if "answer-profile" not in phases else None,
            args.dispatch_workers,
        )
        report["dispatch_workers"] = args.dispatch_workers
    if "answer" in phases:
        answer_phase(args, url, report)
    if "answer-profile" in phases:
        answer_profile_phase(args, report)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
