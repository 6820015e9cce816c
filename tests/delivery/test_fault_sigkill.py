"""The fault test: candidates answer against a real gunicorn server, the server is
killed with SIGKILL (master and workers) mid-exam and restarted, and afterwards
every acknowledged answer is in the database with its sequence number and every
remaining time is the server's deadline, untouched by the outage. Over the same
real server: two tabs racing saves end with the highest sequence per item, and a
save after submission is refused (409) and stores nothing.

The server runs ``gunicorn certwright.wsgi`` against the test database: on
PostgreSQL the test database itself; on SQLite a file copy of it (the test database
lives in memory), copied back for the checks once the server has stopped. The
candidates are threads with their own keep-alive connection, session and CSRF
token; like the player, they send every save again until it is acknowledged.
"""

from __future__ import annotations

import datetime as dt
import http.client
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from certwright.delivery.accommodations import accommodation_approve
from certwright.delivery.attempts import (
    attempt_authorise,
    attempt_pause,
    attempt_resume,
    attempt_start,
)
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.itembank.models import Form, FormItem
from certwright.scheduling.services import appointment_book, appointment_check_in
from tests.delivery.live_server import (
    HOST,
    SAVES_EACH,
    Ack,
    Gunicorn,
    Room,
    Seat,
    Tab,
    database_url,
    login,
    request_json,
    sitting_moved_to_now,
    stored_answers,
    wait_until,
)
from tests.support.delivery import EXAM_DAY, form_create, launch
from tests.support.scheduling import (
    NOW,
    candidate_create,
    centre_create,
    lines_buy,
    local,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CANDIDATES = 50
FORM_SECONDS = 75 * 60  # the fixture form's 75 minutes
EXTRA_MINUTES = 15  # every fifth candidate's accommodation
PAUSE_SECONDS = 90  # every seventh candidate was paused this long before the run
CLOCK_TOLERANCE = 2.0  # seconds


def seats_make(count: int, form: Form) -> list[Seat]:
    """``count`` candidates booked, checked in, authorised, launched on their
    workstation and started on ``form`` through the services. Booking happens on
    the fixtures' frozen day; the start is on the real clock, because the server's
    clock is the real one (so the sitting is then moved to now: an authorisation
    lasts until its appointment ends)."""
    centre = centre_create(seats=max(10, count))
    people = [candidate_create() for _ in range(count)]
    appointments = []
    with time_machine.travel(NOW, tick=False) as traveller:
        for n, person in enumerate(people):
            (line,) = lines_buy(person, "A1")
            appointments.append(
                appointment_book(
                    technician_id=person.pk,
                    centre_id=centre.pk,
                    starts_at=local(EXAM_DAY, 9),
                    order_line_ids=[line.pk],
                )
            )
            if n % 5 == 1:
                accommodation_approve(
                    technician_id=person.pk, extra_minutes=EXTRA_MINUTES, actor="test"
                )
        traveller.move_to(local(EXAM_DAY, 9, 5))
        for appointment in appointments:
            appointment_check_in(appointment_id=appointment.pk, actor="proctor")
    # The sitting happens now on the real clock.
    sitting_moved_to_now(appointments)
    items = list(
        FormItem.objects.filter(form=form)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    seats = []
    for n, (person, appointment) in enumerate(zip(people, appointments, strict=True)):
        attempt = attempt_authorise(
            appointment_test_id=appointment.tests.get().pk,
            actor="proctor",
            form_id=form.pk,
        )
        token = launch(attempt, person.user)
        attempt = attempt_start(attempt_id=attempt.pk, by=person.user, device=token)
        started = attempt.started_at
        assert started is not None
        budget = FORM_SECONDS + (EXTRA_MINUTES * 60 if n % 5 == 1 else 0)
        paused = 0
        if n % 7 == 3:
            attempt = attempt_pause(attempt_id=attempt.pk, actor="proctor")
            assert attempt.paused_at is not None
            later = attempt.paused_at + dt.timedelta(seconds=PAUSE_SECONDS)
            with time_machine.travel(later, tick=False):
                attempt_resume(attempt_id=attempt.pk, actor="proctor")
            paused = PAUSE_SECONDS
        seats.append(
            Seat(
                attempt_id=attempt.pk,
                user=person.user,
                token=token,
                login=login(person.user).seated(attempt.pk, token),
                items=items,
                deadline=started + dt.timedelta(seconds=budget + paused),
            )
        )
    return seats


class Live:
    """gunicorn serving the test database (see the module docstring)."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = (
            tmp_path / "served.sqlite3" if connection.vendor == "sqlite" else None
        )
        url = f"sqlite:///{self.sqlite}" if self.sqlite else database_url()
        self.server = Gunicorn(
            database_url=url,
            secret_key=settings.SECRET_KEY,
            log=tmp_path / "gunicorn.log",
            workers=2,
            threads=4,
            # Persistent connections, as docs/install.md sets up PostgreSQL.
            extra_env={} if self.sqlite else {"CERTWRIGHT_DB_CONN_MAX_AGE": "60"},
        )

    @property
    def port(self) -> int:
        return self.server.port

    def start(self) -> None:
        """Serve what the test database holds now."""
        if self.sqlite is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.sqlite) as target:
                connection.connection.backup(target)
            target.close()
        self.server.start()

    def collect(self) -> None:
        """Stop the server; the test database then holds what it stored."""
        self.server.stop()
        if self.sqlite is not None:
            source = sqlite3.connect(self.sqlite)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def close(self) -> None:
        self.server.stop()


@pytest.fixture
def live(transactional_db: Any, tmp_path: Path) -> Iterator[Live]:
    served = Live(tmp_path)
    yield served
    served.close()


def test_no_acknowledged_answer_is_lost_when_the_server_is_killed(live):
    """50 candidates answer; the server is SIGKILLed with saves in flight and
    restarted; the clients retry what was not acknowledged. Every acknowledged
    answer is stored with its seq (the last one per item exactly), and each
    remaining time is started_at + budget + paused − now."""
    # given 50 candidates in a started exam (some with extra time, some paused
    # before), served by gunicorn
    seats = seats_make(CANDIDATES, form_create())
    live.start()
    room = Room(live.port, seats)
    total = CANDIDATES * SAVES_EACH
    # when the server is killed with SIGKILL mid-exam and started again
    room.start()
    wait_until(lambda: room.acked() >= total * 0.4, timeout=40)
    workers = live.server.worker_pids()
    live.server.kill()
    acked_before_kill = room.acked()
    time.sleep(0.5)  # the outage: the clients' saves fail and wait
    live.server.start()
    room.join()
    # then the kill happened mid-exam, with saves unanswered, and every save was
    # eventually acknowledged
    assert len(workers) == 2
    assert acked_before_kill < total
    assert sum(tab.retries for tab in room.tabs) > 0
    assert not room.failures, room.failures[:5]
    assert room.acked() == total
    # and the clock is the server's, untouched by the outage
    for seat in seats:
        conn = http.client.HTTPConnection(HOST, live.port, timeout=10)
        before = dt.datetime.now(dt.UTC)
        status, state = request_json(
            conn, "GET", f"/exam/{seat.attempt_id}/state/", seat.login
        )
        after = dt.datetime.now(dt.UTC)
        conn.close()
        assert status == 200, state
        assert state["status"] == AttemptStatus.IN_PROGRESS
        latest = (seat.deadline - before).total_seconds()
        earliest = (seat.deadline - after).total_seconds()
        assert earliest - CLOCK_TOLERANCE <= state["remaining"], (seat, state)
        assert state["remaining"] <= latest + CLOCK_TOLERANCE, (seat, state)
    # and every acknowledged answer is stored: never an older one than acknowledged,
    # and the last acknowledged one per item exactly
    live.collect()
    ids = [seat.attempt_id for seat in seats]
    stored = stored_answers(ids)
    last: dict[tuple[int, int], Ack] = {}
    for ack in room.acks:
        key = (ack.attempt_id, ack.item)
        assert stored[key][0] >= ack.seq
        last[key] = ack
    assert stored == {k: (a.seq, a.choice, a.flagged) for k, a in last.items()}
    deadlines = dict(Attempt.objects.filter(pk__in=ids).values_list("pk", "deadline"))
    assert deadlines == {seat.attempt_id: seat.deadline for seat in seats}


def test_two_tabs_racing_over_http_keep_the_highest_sequence(live):
    """Two tabs (two sessions) of one attempt send interleaved seqs to the same
    items at the same time: each item ends with its highest seq, and every ack
    is the stored state (the tab's own save, or a newer one from the other tab)."""
    # given one candidate with the exam open in two tabs (of the workstation's
    # browser: both send its seat cookie)
    (seat,) = seats_make(1, form_create())
    second = login(seat.user).seated(seat.attempt_id, seat.token)
    live.start()
    tabs = [Tab(live.port, seat.login), Tab(live.port, second)]
    items = seat.items[:2]
    last_seq = 40
    sent: dict[int, dict[int, int]] = {}  # item -> seq -> choice
    mismatches: list[Any] = []
    start = threading.Barrier(2)

    def item_of(seq: int) -> int:  # seqs 1,2 -> item 0; 3,4 -> item 1; ...
        return items[((seq - 1) // 2) % 2]

    def run(tab: Tab, seqs: range) -> None:
        start.wait()
        for seq in seqs:
            status, answer = tab.send(
                seat.attempt_id,
                item=item_of(seq),
                seq=seq,
                choice=seq % 4,
                flagged=False,
            )
            if status != 200 or answer["seq"] < seq:
                mismatches.append((seq, status, answer))
            elif answer["applied"] and (answer["seq"], answer["choice"]) != (
                seq,
                seq % 4,
            ):
                mismatches.append((seq, answer))
        tab.close()

    for seq in range(1, last_seq + 1):
        sent.setdefault(item_of(seq), {})[seq] = seq % 4
    # when both tabs save at once, tab 1 the odd seqs and tab 2 the even ones
    threads = [
        threading.Thread(target=run, args=(tabs[0], range(1, last_seq + 1, 2))),
        threading.Thread(target=run, args=(tabs[1], range(2, last_seq + 1, 2))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then every ack was the stored state and each item holds its highest seq
    assert not mismatches
    live.collect()
    stored = stored_answers([seat.attempt_id])
    assert stored == {
        (seat.attempt_id, item): (max(seqs), seqs[max(seqs)], False)
        for item, seqs in sent.items()
    }


def test_a_save_after_submission_is_refused_over_http(live):
    """After the candidate submits, a save (a newer answer to an answered item, or
    a first answer to another) is answered 409 ``finished`` and stores nothing."""
    # given a candidate who answered one item and submitted
    (seat,) = seats_make(1, form_create())
    live.start()
    tab = Tab(live.port, seat.login)
    first, other = seat.items[:2]
    status, _ = tab.send(seat.attempt_id, item=first, seq=1, choice=0, flagged=False)
    assert status == 200
    conn = http.client.HTTPConnection(HOST, live.port, timeout=10)
    status, state = request_json(
        conn, "POST", f"/exam/{seat.attempt_id}/submit/", seat.login, {}
    )
    conn.close()
    assert (status, state["status"]) == (200, AttemptStatus.SUBMITTED)
    # when saves arrive afterwards
    refusals = [
        tab.send(seat.attempt_id, item=first, seq=2, choice=3, flagged=True),
        tab.send(seat.attempt_id, item=other, seq=3, choice=1, flagged=False),
    ]
    tab.close()
    # then both are refused and only the answer given before submitting is stored
    assert [(s, a.get("error")) for s, a in refusals] == [(409, "finished")] * 2
    live.collect()
    assert stored_answers([seat.attempt_id]) == {
        (seat.attempt_id, first): (1, 0, False)
    }
