"""Scheduling's side of the contract with commerce: the purchased tests it books.

A purchased test is a ``commerce.OrderLine``; commerce owns its state (paid, booked,
taken, refunded, forfeited, expired) and scheduling changes it only through the
commerce services called here, inside its own transactions. Everything scheduling
needs of a line is copied into a ``BookableLine``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certwright.audit.services import Actor
from certwright.commerce.selectors import order_lines_bookable
from certwright.commerce.services import (
    order_line_forfeit,
    order_line_mark_booked,
    order_line_mark_taken,
    order_line_release,
)


@dataclass(frozen=True, slots=True)
class BookableLine:
    id: int
    technician_id: int
    test: str
    kind: str  # "initial" or "recert", as bought
    must_take_by: dt.date


def lines_bookable(*, technician_id: int, day: dt.date) -> list[BookableLine]:
    """The technician's purchased tests that can be booked on ``day`` (paid, not in
    an appointment, not past their must-take-by date)."""
    return [
        BookableLine(
            id=line.pk,
            technician_id=line.technician_id,
            test=line.test,
            kind=line.kind,
            must_take_by=line.must_take_by,
        )
        for line in order_lines_bookable(technician_id=technician_id, today=day)
    ]


def line_mark_booked(*, line_id: int, appointment_id: int, actor: Actor) -> None:
    order_line_mark_booked(line_id=line_id, appointment_id=appointment_id, actor=actor)


def line_release(*, line_id: int, actor: Actor) -> None:
    order_line_release(line_id=line_id, actor=actor)


def line_forfeit(*, line_id: int, actor: Actor) -> None:
    order_line_forfeit(line_id=line_id, actor=actor)


def line_mark_taken(*, line_id: int, actor: Actor) -> None:
    order_line_mark_taken(line_id=line_id, actor=actor)
