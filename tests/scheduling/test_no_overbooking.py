"""No overbooking, ever: many candidates booking the same seats at once, each over
its own database connection, never get more seats than there are.

These tests run on whichever database the suite runs on (SQLite by default,
PostgreSQL with DATABASE_URL). SQLite's test database is in memory, shared between
connections in one process through a shared cache that answers a second writer with
"table is locked" at once instead of waiting; so on SQLite the test copies the
database to a file and every thread (the test's own included) uses the file, with the
project's settings (IMMEDIATE transactions, busy timeout) as in production.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count, F

from certwright.commerce.models import LineStatus, OrderLine
from certwright.scheduling import hours
from certwright.scheduling.models import Appointment, SeatBlock
from certwright.scheduling.services import (
    SlotFull,
    appointment_book,
    appointment_cancel,
)
from tests.support.scheduling import (
    candidate_create,
    centre_create,
    days_from_now,
    lines_buy,
    local,
)

CLIENTS = 50
SEATS = 10


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database that threads with their own connections can all write to."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    path = tmp_path / "booking.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    file_settings = {**connection.settings_dict, "NAME": str(path)}
    original = connections["default"]
    backend = type(original)

    def create_connection(alias: str) -> Any:
        return backend(file_settings, alias)

    connections.create_connection = create_connection  # type: ignore[method-assign]
    connections["default"] = create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original
        del connections.create_connection


def _in_threads(work: Callable[[int], str], n: int) -> list[str]:
    """Run ``work(i)`` for i in 0..n-1 in n threads released together, each with its
    own database connection; their answers."""
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        try:
            barrier.wait(timeout=60)
            return work(i)
        finally:
            connections.close_all()

    # No cyclic garbage collection meanwhile: it could free one thread's SQLite
    # cursor in another thread, which then blocks on that connection's mutex while
    # holding the GIL, stalling everyone for a whole busy timeout.
    gc.disable()
    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            return list(pool.map(run, range(n)))
    finally:
        gc.enable()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_of_ten_seats_give_ten_appointments(
    shared_database, frozen
):
    """50 candidates book the same time at a 10-seat centre at the same moment:
    exactly 10 get an appointment, the other 40 are told the time is full, and no
    seat block holds more than 10."""
    # given a 10-seat centre and 50 candidates with a purchased A1 each
    centre = centre_create(seats=SEATS)
    candidates = [candidate_create() for _ in range(CLIENTS)]
    lines = [lines_buy(c, "A1")[0] for c in candidates]
    start = local(days_from_now(8), 10)

    def book(i: int) -> str:
        try:
            appointment_book(
                technician_id=candidates[i].pk,
                centre_id=centre.pk,
                starts_at=start,
                order_line_ids=[lines[i].pk],
            )
        except SlotFull as refused:
            # the clear answer: "That time is fully booked ..."
            return "full" if "fully booked" in refused.message else str(refused)
        except Exception as error:  # anything else is a failure to report
            return repr(error)
        return "booked"

    # when all of them book at once
    answers = Counter(_in_threads(book, CLIENTS))
    # then exactly ten are booked and every other answer is "full"
    assert answers == {"booked": SEATS, "full": CLIENTS - SEATS}
    assert Appointment.objects.count() == SEATS
    # then every block of the slot is exactly full, never over
    blocks = list(SeatBlock.objects.filter(centre=centre))
    assert len(blocks) == 7  # 75 + 30 minutes
    assert {(b.booked, b.seats) for b in blocks} == {(SEATS, SEATS)}
    # then only the winners' lines are booked; the others can still book elsewhere
    statuses = Counter(
        OrderLine.objects.filter(pk__in=[li.pk for li in lines]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {LineStatus.BOOKED: SEATS, LineStatus.PURCHASED: CLIENTS - SEATS}


@pytest.mark.django_db(transaction=True)
def test_overlapping_bookings_and_cancellations_keep_every_count_exact(
    shared_database, frozen
):
    """Bookings at staggered, overlapping times and cancellations racing them leave
    each seat block counting exactly the live appointments that cover it, never more
    than its seats (and on PostgreSQL, no deadlock: blocks are taken in order)."""
    # given a 3-seat centre, 6 appointments already booked, and 30 more candidates
    centre = centre_create(seats=3)
    day = days_from_now(8)
    earlier = []
    for k in range(6):
        c = candidate_create()
        earlier.append(
            appointment_book(
                technician_id=c.pk,
                centre_id=centre.pk,
                starts_at=local(day, 9 if k < 3 else 12, 15 * (k % 3)),
                order_line_ids=[lines_buy(c, "A1")[0].pk],
            )
        )
    candidates = [candidate_create() for _ in range(30)]
    lines = [lines_buy(c, "A1", "A4") for c in candidates]
    rng = random.Random(7)
    starts = [
        local(day, rng.choice([8, 9, 10, 11]), rng.choice([0, 15, 30, 45]))
        for _ in candidates
    ]

    def act(i: int) -> str:
        if i < len(earlier):
            appointment_cancel(appointment_id=earlier[i].pk)
            return "cancelled"
        j = i - len(earlier)
        try:
            appointment_book(
                technician_id=candidates[j].pk,
                centre_id=centre.pk,
                starts_at=starts[j],
                order_line_ids=[line.pk for line in lines[j]],
            )
        except SlotFull:
            return "full"
        except Exception as error:
            return repr(error)
        return "booked"

    # when the cancellations and the bookings run at once
    answers = Counter(_in_threads(act, len(earlier) + len(candidates)))
    # then every answer is one of the expected ones
    assert set(answers) <= {"cancelled", "booked", "full"}, answers
    assert answers["cancelled"] == len(earlier)
    # then each block counts exactly the live appointments covering it
    expected: Counter[dt.datetime] = Counter()
    for a in Appointment.objects.filter(status="booked"):
        expected.update(hours.blocks(a.starts_at, a.ends_at))
    actual = {b.starts_at: b.booked for b in SeatBlock.objects.filter(centre=centre)}
    assert {k: v for k, v in actual.items() if v} == dict(expected)
    assert not SeatBlock.objects.filter(booked__gt=F("seats")).exists()
    assert answers["booked"] == Appointment.objects.filter(status="booked").count()
    # then a booked candidate's two tests share one appointment
    assert not (
        Appointment.objects.filter(status="booked")
        .annotate(n=Count("tests"))
        .exclude(n__in=[1, 2])
        .exists()
    )
