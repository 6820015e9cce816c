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
from certwright.itembank.selectors import deliverable_pairs, not_deliverable_reason


@dataclass(frozen=True, slots=True)
class BookableLine:
    id: int
    technician_id: int
    test: str
    kind: str  # "initial" or "recert", as bought
    must_take_by: dt.date


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """A paid line that cannot be booked yet, and why."""

    line: BookableLine
    reason: str

    @property
    def id(self) -> int:
        return self.line.id

    @property
    def test(self) -> str:
        return self.line.test

    @property
    def kind(self) -> str:
        return self.line.kind

    @property
    def must_take_by(self) -> dt.date:
        return self.line.must_take_by


def _lines_paid(*, technician_id: int, day: dt.date) -> list[BookableLine]:
    """Paid, not in an appointment, not past their must-take-by date."""
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


def lines_bookable(*, technician_id: int, day: dt.date) -> list[BookableLine]:
    """The technician's purchased tests that can be booked on ``day`` (paid, not in
    an appointment, not past their must-take-by date) and delivered: a published
    form of the test and kind exists."""
    lines = _lines_paid(technician_id=technician_id, day=day)
    offered = deliverable_pairs({line.test for line in lines})
    return [line for line in lines if (line.test, line.kind) in offered]


def lines_waiting(*, technician_id: int, day: dt.date) -> list[WaitingLine]:
    """The technician's paid, unbooked tests that cannot be booked yet because no
    form of them is published (bought before the program stopped selling what it
    cannot deliver), each with the reason in the candidate's words. They stay paid
    until their must-take-by date: a refund is the program's to grant."""
    lines = _lines_paid(technician_id=technician_id, day=day)
    offered = deliverable_pairs({line.test for line in lines})
    return [
        WaitingLine(line=line, reason=not_deliverable_reason(line.test, line.kind))
        for line in lines
        if (line.test, line.kind) not in offered
    ]


def line_mark_booked(*, line_id: int, appointment_id: int, actor: Actor) -> None:
    order_line_mark_booked(line_id=line_id, appointment_id=appointment_id, actor=actor)


def line_release(*, line_id: int, actor: Actor) -> None:
    order_line_release(line_id=line_id, actor=actor)


def line_forfeit(*, line_id: int, actor: Actor) -> None:
    order_line_forfeit(line_id=line_id, actor=actor)


def line_mark_taken(*, line_id: int, actor: Actor) -> None:
    order_line_mark_taken(line_id=line_id, actor=actor)
