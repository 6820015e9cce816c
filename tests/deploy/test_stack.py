"""The deployment of deploy/, started on this machine and broken on purpose.

The stack (tests/deploy/stack.py): a private PostgreSQL cluster, two app servers
and two task workers started as their systemd units start them, nginx in front
with the rendered site. The clients speak HTTPS to nginx only, as browsers do: a
proctor checks candidates in and authorises them, each candidate's workstation
enters the launch code and starts, and 50 candidates save answers at once as the
player does (each save carries its sequence number and is sent again until it is
acknowledged). Then, each in its own test, a part of the stack fails mid-exam:

* an app server is SIGKILLed: nginx sends the saves to the other one;
* a task worker is SIGKILLed mid-recompute: the other one finishes the run, and the
  derived state is a clean run's;
* PostgreSQL is restarted: the app servers reconnect by themselves.

After each, every acknowledged answer is in the database as acknowledged.

This process writes the day's people and bookings with the suite's factories
straight into the stack's database (``default_database``), and reads it back for
the checks; the servers see only what arrives over HTTP. Skipped where nginx or
PostgreSQL's server binaries are missing (`.ci/run` installs nginx-light).
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.models import (
    Certification,
    RecomputeChunk,
    RecomputeRun,
    RecomputeRunStatus,
    TitleHolding,
)
from certwright.credentials.recompute import certifications_recompute_all
from certwright.credentials.services import result_record
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.delivery.seats import launch_code_display
from certwright.delivery.views import SEAT_COOKIE
from certwright.itembank.models import Form, FormItem
from certwright.scheduling.models import Appointment, TestCentre
from certwright.scheduling.services import appointment_book
from tests.delivery.live_server import (
    HOST,
    Login,
    Room,
    Seat,
    Tab,
    login,
    sitting_moved_to_now,
    stored_answers,
    wait_until,
)
from tests.deploy.stack import Stack, default_database, missing
from tests.support.dates import ago
from tests.support.delivery import EXAM_DAY, form_create
from tests.support.proctoring import console_proctor
from tests.support.scheduling import (
    NOW,
    candidate_create,
    centre_create,
    lines_buy,
    local,
)

CANNOT_START = missing()
pytestmark = [
    pytest.mark.deploy,
    pytest.mark.slow,
    pytest.mark.skipif(
        CANNOT_START is not None,
        reason=f"the deployment stack cannot start here: {CANNOT_START}",
    ),
]

CANDIDATES = 50
SAVES_EACH = 12
# Technicians per chunk of the recompute run (many chunks from a few technicians).
CHUNK = 3
# Setup requests sent at once (a proctor's tabs, the candidates' workstations).
SETUP_CLIENTS = 8


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any
) -> Iterator[Stack]:
    """The stack, started once for this module, and this process's default
    database on it."""
    whole = Stack(tmp_path_factory.mktemp("stack"), secret_key=settings.SECRET_KEY)
    try:
        whole.start()
        with django_db_blocker.unblock(), default_database(whole.postgres.url()):
            yield whole
    finally:
        whole.stop()


@pytest.fixture(scope="module")
def exam_form(stack: Stack) -> Form:
    """The published A1 form every candidate sits."""
    return form_create()


@pytest.fixture
def whole(stack: Stack) -> Iterator[Stack]:
    """The stack as a test finds it: everything up, the task queue idle. What the
    test took down is brought back after it, and the task a killed worker left
    "running" is removed (the operator's clean-up); the parts' logs are shown when
    it fails."""
    from django_tasks_db.models import DBTaskResult

    stack.heal()
    yield stack
    sys.stderr.write(stack.logs())
    stack.heal()
    connection.close()  # in case the test left it broken
    DBTaskResult.objects.filter(status="RUNNING").delete()


# --- a browser through nginx ----------------------------------------------------------


def https(stack: Stack) -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection(
        HOST, stack.nginx.https_port, timeout=30, context=stack.tls_context()
    )


def send(
    stack: Stack,
    method: str,
    path: str,
    who: Login,
    *,
    form: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> http.client.HTTPResponse:
    """One request to nginx over HTTPS, a form or JSON body; the response, read."""
    headers = who.headers(json_body=body is not None)
    payload: bytes | None = None
    if form is not None:
        payload = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        payload = json.dumps(body).encode()
    conn = https(stack)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


@dataclass
class TlsTab(Tab):
    """The player's tab, speaking HTTPS to nginx."""

    stack: Stack | None = None

    def connect(self) -> http.client.HTTPConnection:
        assert self.stack is not None
        return https(self.stack)


# --- the exam day ---------------------------------------------------------------------


@dataclass
class Day:
    centre: TestCentre
    proctor: Login
    seats: list[Seat]


def bookings_make(count: int) -> tuple[TestCentre, list[Appointment]]:
    """``count`` candidates booked a week ahead at one centre (on the fixtures'
    frozen day), their sitting then moved to now on the real clock: the servers'
    clock is the real one."""
    centre = centre_create(seats=max(10, count))
    people = [candidate_create() for _ in range(count)]
    with time_machine.travel(NOW, tick=False):
        appointments = []
        for person in people:
            (line,) = lines_buy(person, "A1")
            appointments.append(
                appointment_book(
                    technician_id=person.pk,
                    centre_id=centre.pk,
                    starts_at=local(EXAM_DAY, 9),
                    order_line_ids=[line.pk],
                )
            )
    sitting_moved_to_now(appointments)
    return centre, appointments


def exam_day(stack: Stack, count: int = CANDIDATES) -> Day:
    """The morning through nginx: the proctor checks each candidate in (photo ID,
    name) and authorises the test; the candidate's workstation enters the launch
    code and gets its seat cookie; the candidate presses Start."""
    centre, appointments = bookings_make(count)
    proctor = login(console_proctor(centre), stack.origin)

    def proctor_admits(appointment: Appointment) -> Attempt:
        seat = appointment.tests.get()
        args = [centre.pk, appointment.pk]
        checked_in = send(
            stack,
            "POST",
            reverse("proctor:check_in", args=args),
            proctor,
            form={"checkin-id_checked": "on", "checkin-name_matches": "yes"},
        )
        assert checked_in.status == 302, checked_in.status
        authorised = send(
            stack,
            "POST",
            reverse("proctor:authorise", args=[*args, seat.pk]),
            proctor,
            form={},
        )
        assert authorised.status == 302, authorised.status
        return Attempt.objects.get(appointment_test=seat)

    def candidate_starts(attempt: Attempt) -> Seat:
        user = attempt.technician.user
        browser = login(user, stack.origin)
        launched = send(
            stack,
            "POST",
            reverse("delivery:launch", args=[attempt.pk]),
            browser,
            form={"code": launch_code_display(attempt.launch_code)},
        )
        assert launched.status == 302, launched.status
        name = SEAT_COOKIE.format(attempt_id=attempt.pk)
        (cookie,) = [
            c
            for c in launched.headers.get_all("Set-Cookie") or []
            if c.startswith(name)
        ]
        token = cookie.split(";")[0].split("=", 1)[1]
        seated = browser.seated(attempt.pk, token)
        started = send(
            stack, "POST", reverse("delivery:start", args=[attempt.pk]), seated, body={}
        )
        assert started.status == 200, started.status
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.IN_PROGRESS
        assert attempt.deadline is not None
        items = list(
            FormItem.objects.filter(form_id=attempt.form_id)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        return Seat(attempt.pk, user, token, seated, items, attempt.deadline)

    with ThreadPoolExecutor(SETUP_CLIENTS) as pool:
        attempts = list(pool.map(proctor_admits, appointments))
        seats = list(pool.map(candidate_starts, attempts))
    return Day(centre, proctor, seats)


def room(stack: Stack, day: Day) -> Room:
    return Room(
        stack.nginx.https_port,
        day.seats,
        tab=lambda port, who: TlsTab(port, who, stack=stack),
        saves_each=SAVES_EACH,
    )


def answers_check(r: Room, seats: list[Seat]) -> None:
    """Every save was acknowledged in the end (each player's queue is empty) and
    the database holds what was acknowledged: never an older seq than an ack, and
    the last acknowledged (seq, choice, flag) per item exactly."""
    assert not r.failures, r.failures[:5]
    assert r.acked() == len(seats) * SAVES_EACH
    stored = stored_answers([seat.attempt_id for seat in seats])
    last = {}
    for ack in r.acks:
        key = (ack.attempt_id, ack.item)
        assert stored[key][0] >= ack.seq, (ack, stored[key])
        last[key] = ack
    assert stored == {k: (a.seq, a.choice, a.flagged) for k, a in last.items()}


def submit_all(stack: Stack, day: Day) -> None:
    """Each candidate submits, then opens the result page."""

    def submits(seat: Seat) -> None:
        path = reverse("delivery:submit", args=[seat.attempt_id])
        submitted = send(stack, "POST", path, seat.login, body={})
        assert submitted.status == 200, submitted.status
        result = send(
            stack, "GET", reverse("delivery:result", args=[seat.attempt_id]), seat.login
        )
        assert result.status == 200, result.status

    with ThreadPoolExecutor(SETUP_CLIENTS) as pool:
        list(pool.map(submits, day.seats))


def queue_drained(timeout: float = 60) -> None:
    """Until the task workers have run every task (none ready or running)."""
    from django_tasks_db.models import DBTaskResult

    wait_until(
        lambda: (
            not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
        ),
        timeout,
    )


def derived_state() -> dict[str, Any]:
    """Certifications and titles as the recompute left them (what the rules
    derive, without row ids), and who is still stale."""
    return {
        "certifications": sorted(
            Certification.objects.values_list(
                "technician_id",
                "test",
                "status",
                "passed_on",
                "certified_on",
                "expires_on",
                "program_digest",
            )
        ),
        "titles": sorted(
            TitleHolding.objects.values_list(
                "technician_id", "title_id", "held", "since", "until"
            )
        ),
        "stale": sorted(
            Technician.objects.exclude(derived_version=F("facts_version")).values_list(
                "id", flat=True
            )
        ),
    }


def derived_reset() -> None:
    """Back to facts only: no certification or title derived, everyone stale."""
    Certification.objects.all().delete()
    TitleHolding.objects.all().delete()
    Technician.objects.update(derived_version=0, next_change_on=None)


# --- the tests ------------------------------------------------------------------------


def test_the_stack_is_the_documented_one(whole):
    """Two app servers behind nginx's upstream, two task workers, each started as
    its unit starts it."""
    site = whole.nginx.site
    for port in whole.app_ports:
        assert f"server {HOST}:{port} max_fails=1 fail_timeout=5s;" in site
    assert [p.command[1:3] for p in whole.app_servers] == [
        ["-c", "python:certwright.conf.gunicorn"]
    ] * 2
    assert all("db_worker" in p.command for p in whole.task_workers)
    assert len(whole.task_workers) == 2
    # each app server's gunicorn control socket is its own (not one shared file
    # in the home directory, each server taking it from the other). gunicorn 27's
    # master opens it in a thread after its workers are up, so a server can answer
    # before its socket is there.
    sockets = [
        whole.directory / f"run-web-{p}" / "gunicorn.ctl" for p in whole.app_ports
    ]
    wait_until(lambda: all(s.is_socket() for s in sockets), 10)


def test_an_exam_day_through_nginx(whole, exam_form):
    """Check-in, launch, 50 candidates saving at once, submission and results, the
    recompute each result enqueues done by the task workers."""
    # given 50 candidates admitted and started through nginx
    day = exam_day(whole)
    # when they answer at once, then submit and read their results
    r = room(whole, day)
    r.start()
    r.join()
    answers_check(r, day.seats)
    submit_all(whole, day)
    # then every answer is as acknowledged, every attempt scored, and the workers
    # have derived everyone's state: a fresh recompute finds nothing to change
    queue_drained()
    ids = [seat.attempt_id for seat in day.seats]
    statuses = Attempt.objects.filter(pk__in=ids).values_list("status", flat=True)
    assert set(statuses) == {AttemptStatus.SUBMITTED}
    assert not Attempt.objects.filter(pk__in=ids, scaled_score__isnull=True).exists()
    before = derived_state()
    assert before["stale"] == []
    assert certifications_recompute_all().changed == 0
    assert derived_state() == before


def test_an_app_server_killed_mid_exam_loses_no_answer(whole, exam_form):
    """One app server is SIGKILLed (master and workers) while 50 candidates save;
    nginx sends their saves to the other one, the players send again what was not
    acknowledged, and every acknowledged answer is stored."""
    # given 50 candidates answering through nginx
    day = exam_day(whole)
    r = room(whole, day)
    total = CANDIDATES * SAVES_EACH
    r.start()
    # when one app server is killed mid-exam and stays down
    wait_until(lambda: r.acked() >= total * 0.3, timeout=60)
    killed = whole.app_servers[0]
    acked_at_kill = r.acked()
    killed.kill()
    r.join()
    # then the kill came with saves outstanding: saves the killed server had
    # received were sent to the other one by nginx (the answers location's
    # proxy_next_upstream ... non_idempotent), and every save was acknowledged
    # and stored as acknowledged
    assert acked_at_kill < total
    upstream = f'upstream: "http://{HOST}:{whole.app_ports[0]}/exam/'
    resent = [
        line
        for line in whole.nginx.log_tail(1000).splitlines()
        if upstream in line and "while reading response header" in line
    ]
    assert resent, whole.nginx.log_tail()
    assert not killed.alive()
    answers_check(r, day.seats)


def test_a_task_worker_killed_mid_recompute_leaves_nothing_undone(whole, exam_form):
    """``recompute --all --enqueue --tasks 2``: a worker is SIGKILLed in the middle
    of a chunk; the other worker finishes the run, every technician is counted
    once, and the derived state is a clean run's."""
    # given technicians whose facts are recorded and nothing derived yet, and the
    # queue idle
    for n in range(90):
        technician = technician_create(
            name=f"Recompute Technician {n}", email=f"recompute{n}@example.com"
        )
        experience_record_add(
            technician_id=technician.pk,
            kind="employment",
            start=ago(years=2 + n % 5),
            approved=True,
        )
        result_record(
            technician_id=technician.pk,
            test=("A1", "A4", "A8")[n % 3],
            date=ago(years=n % 7, months=1),
            kind="initial",
            outcome="pass",
            source="test",
        )
    queue_drained()
    derived_reset()
    ids = list(Technician.objects.order_by("id").values_list("id", flat=True))
    # when the run is enqueued and a worker is killed in the middle of a chunk: the
    # one stopped at the row lock this test holds on a technician of the sixth
    # chunk (so the kill lands mid-chunk, however fast the machine), which has
    # claimed that chunk and read its facts
    with transaction.atomic():
        Technician.objects.select_for_update().filter(pk=ids[5 * CHUNK]).get()
        enqueued = whole.cli(
            "recompute",
            "--all",
            "--enqueue",
            "--tasks",
            "2",
            "--chunk-size",
            str(CHUNK),
        )
        assert enqueued.returncode == 0, enqueued.stderr
        victim = worker_waiting_on_me(whole)
        victim.kill()
    # then the other worker finishes the run
    run = RecomputeRun.objects.latest("id")
    wait_until(
        lambda: (
            RecomputeRun.objects.get(pk=run.pk).status == RecomputeRunStatus.FINISHED
        ),
        timeout=90,
    )
    run.refresh_from_db()
    assert run.total == len(ids)
    assert run.processed == run.total  # every chunk counted once
    assert not RecomputeChunk.objects.filter(run=run, done_at=None).exists()
    # and the killed worker's task stays "running" for ever (the backend does not
    # run a task again), while its chunk's transaction was rolled back by
    # PostgreSQL when the connection dropped, releasing the chunk's row lock: the
    # other worker, waiting on it, then did that chunk
    from django_tasks_db.models import DBTaskResult

    lost = DBTaskResult.objects.filter(status="RUNNING")
    assert [victim.worker_id in t.worker_ids for t in lost] == [True]
    assert "unexpected EOF on client connection with an open transaction" in (
        whole.postgres.log_tail(100)
    )
    # and the derived state is what a clean run derives
    after_kill = derived_state()
    assert after_kill["stale"] == []
    assert len(after_kill["certifications"]) > 50
    derived_reset()
    certifications_recompute_all(as_of=run.as_of)
    assert derived_state() == after_kill


def worker_waiting_on_me(whole: Stack) -> Any:
    """The task worker whose database session waits for a lock this process's
    session holds (each worker's session is named after it: PGAPPNAME)."""
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT application_name FROM pg_stat_activity"
                " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            waiting = [name for (name,) in cursor.fetchall()]
        for worker in whole.task_workers:
            if worker.name in waiting:
                return worker
        time.sleep(0.05)
    raise TimeoutError(f"no task worker reached the locked technician:\n{whole.logs()}")


def test_postgresql_restarted_mid_exam_loses_no_answer(whole, exam_form):
    """``pg_ctl restart -m fast`` while 50 candidates save: the app servers get new
    connections by themselves (no restart), the players send again what failed,
    every acknowledged answer is stored, and the day goes on to its results."""
    # given 50 candidates answering through nginx
    day = exam_day(whole)
    servers = [p.process.pid for p in whole.app_servers if p.process]
    r = room(whole, day)
    total = CANDIDATES * SAVES_EACH
    r.start()
    # when PostgreSQL is restarted mid-exam
    wait_until(lambda: r.acked() >= total * 0.3, timeout=60)
    whole.postgres.restart()
    connection.close()  # this process's own session ended with the others
    acked_at_restart = r.acked()
    r.join()
    # then the restart came with saves outstanding; the same app server
    # processes answered every save after it
    assert acked_at_restart < total
    assert sum(tab.retries for tab in r.tabs) > 0  # saves failed, and were resent
    assert "database system is ready" in whole.postgres.log_tail(50)
    assert [p.process.pid for p in whole.app_servers if p.process] == servers
    assert all(p.restarts == 0 for p in whole.app_servers)
    answers_check(r, day.seats)
    # and the day goes on: submissions, results, the workers' recomputes
    submit_all(whole, day)
    queue_drained()
    assert derived_state()["stale"] == []
