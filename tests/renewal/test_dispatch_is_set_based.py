"""The dispatch reads and writes a chunk of technicians in a fixed number of
queries: ten technicians cost what two do, and a second run reads only what is
still owed (no question, no e-mail, a handful of queries)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certwright.renewal.dispatch import renewal_dispatch
from certwright.renewal.models import Question
from tests.support.renewal import renewal_items, subscribed_technician, utc

pytestmark = pytest.mark.django_db

AT = utc(2027, 1, 5, 12)


def _queries(technicians: int) -> tuple[int, int]:
    """(queries of a first run, of a second) with ``technicians`` subscribed to A1
    and A2."""
    Question.objects.all().delete()
    for _ in range(technicians):
        subscribed_technician(
            passed_on=dt.date(2024, 5, 6),
            starts_on=dt.date(2027, 1, 1),
            tests=("A1", "A2"),
        )
    with CaptureQueriesContext(connection) as first:
        renewal_dispatch(at=AT)
    with CaptureQueriesContext(connection) as second:
        again = renewal_dispatch(at=AT)
    assert again.sent == 0
    return len(first.captured_queries), len(second.captured_queries)


def test_ten_technicians_cost_the_queries_two_do() -> None:
    with time_machine.travel(AT, tick=False):
        renewal_items("A1")
        renewal_items("A2", {"A": 3, "B": 3, "C": 3})
        small = _queries(2)
        # and with twelve subscribed (ten more)
        large = _queries(10)
    assert Question.objects.count() == 2 * 12
    assert small == large
    # a first run: sweep, chunk edges, subscriptions, owed, history, pools and enemies,
    # technicians, e-mails, questions, event: a fixed handful
    assert large[0] <= 24
    # a second: sweep, chunk, subscriptions, owed (nothing), end, event
    assert large[1] <= 12
