"""``renewal_dispatch(workers=N)`` shares the technicians' id ranges among forked
processes: every subscribed certification gets its question once, every technician
one e-mail, and the summary and its event count what the workers did, as one
process would. (PostgreSQL, or any database the workers can reopen: the in-memory
SQLite test database runs the ranges in this process, and the test says so.)"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from certwright.audit.models import Event, EventKind
from certwright.core.forking import can_fork
from certwright.notifications.models import OutboundEmail
from certwright.renewal import dispatch
from certwright.renewal.dispatch import renewal_dispatch
from certwright.renewal.models import Question
from tests.support.renewal import renewal_items, subscribed_technician, utc

AT = utc(2027, 1, 5, 12)


@pytest.mark.django_db(transaction=True)
def test_workers_send_each_question_once(monkeypatch: pytest.MonkeyPatch) -> None:
    if not can_fork():
        pytest.skip("worker processes cannot reopen this test database")
    monkeypatch.setattr(dispatch, "CHUNK", 2)
    with time_machine.travel(AT, tick=False):
        renewal_items("A1")
        renewal_items("A2", {"A": 3, "B": 3, "C": 3})
        technicians = [
            subscribed_technician(
                passed_on=dt.date(2024, 5, 6),
                starts_on=dt.date(2027, 1, 1),
                tests=("A1", "A2"),
            )
            for _ in range(7)
        ]
        done = renewal_dispatch(at=AT, workers=2)
        again = renewal_dispatch(at=AT, workers=2)
    # Four ranges of two (the last of one), shared by two processes
    assert (done.technicians, done.sent, done.emails) == (7, 14, 7)
    assert again.sent == again.emails == 0
    ids = {t.pk for t, *_ in technicians}
    pairs = list(Question.objects.values_list("technician_id", "test"))
    assert len(pairs) == len(set(pairs)) == 14
    assert {tid for tid, _ in pairs} == ids
    assert OutboundEmail.objects.filter(template="renewal_questions").count() == 7
    event = Event.objects.filter(kind=EventKind.RENEWAL_DISPATCH_RUN).earliest("id")
    assert (event.data["sent"], event.data["emails"]) == (14, 7)
    assert event.data["months"] == ["2027-01-01"]
