"""Answering a renewal question is the request of the monthly peak (issue 12: hundreds
a second). Opening, a wrong answer, a right one and the right one that completes an
extension each cost a fixed handful of queries, pinned here so that a change that
reads more shows up; the derived state is current when the answer returns, with
nothing left for after the commit, and the extension is stored at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.core.program import current_program
from certwright.core.tasks import enqueue_with_request_id
from certwright.credentials.services import renewal_credit_record
from certwright.renewal.models import Question
from certwright.rules.dates import add_months
from tests.support.reminders import expires_on
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc

pytestmark = pytest.mark.django_db

SENT = utc(2027, 3, 1, 12)

# Each request: the session, the user, their roles (the MFA check) and the
# technician. Opening: the question, locked, and its update. The test's transaction
# turns each service's transaction into a savepoint pair, counted here.
OPEN = 4 + 2 + 2
# A wrong answer: the question, locked with what the answer decides on; its update
# and the answer's event.
WRONG = 4 + 3 + 2
# A right one also records the credit: the technician's facts version (its row
# lock), the credit and its event; the test's credits and its first pass, in one
# statement (does this credit complete an extension? no), and the derived state
# marked current.
RIGHT = WRONG + 5
# The right one that completes an extension recomputes the technician instead of
# marking it current: in its savepoint pair, its locking read, four fact reads, two
# derived reads, the certification's update, the technician's and the change event.
# One answer in ``credits_for_extension`` right ones.
EXTENDING = RIGHT - 1 + 12


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(SENT, tick=False) as traveller:
        yield traveller


def _asked(credits_before: int = 0) -> tuple[Client, Technician, Question]:
    """A technician certified in A1, signed in, with March's A1 question (key C)
    opened; ``credits_before`` A1 credits from the months before, one a month."""
    renewal_items("A1")
    technician, _ = subscribed_technician(
        passed_on=dt.date(2024, 5, 6), starts_on=dt.date(2026, 6, 1), time_zone="UTC"
    )
    for n in range(credits_before, 0, -1):
        renewal_credit_record(
            technician_id=technician.pk,
            test="A1",
            date=add_months(dt.date(2027, 3, 1), -n),
            source="test",
        )
    dispatch(SENT)
    client = Client()
    assert technician.user is not None
    client.force_login(technician.user)
    question = Question.objects.get(technician=technician)
    client.post(reverse("renewal_questions:open", args=[question.pk]))
    return client, technician, question


def _answer(client: Client, question: Question, choice: str) -> None:
    response = client.post(
        reverse("renewal_questions:answer", args=[question.pk]), {"choice": choice}
    )
    assert response.status_code == 302


def _recompute_queued(callbacks: list[Callable[[], object]]) -> bool:
    """Whether a task (the recompute: the only one a fact queues) was queued."""
    return any(
        isinstance(c, partial) and c.func is enqueue_with_request_id for c in callbacks
    )


def _current(technician: Technician) -> bool:
    technician.refresh_from_db()
    return technician.derived_version == technician.facts_version


def test_opening_costs_a_handful_of_queries(
    frozen: time_machine.Traveller, django_assert_num_queries
) -> None:
    # given a waiting question
    renewal_items("A1")
    technician, _ = subscribed_technician(
        passed_on=dt.date(2024, 5, 6), starts_on=dt.date(2026, 6, 1), time_zone="UTC"
    )
    dispatch(SENT)
    client = Client()
    assert technician.user is not None
    client.force_login(technician.user)
    question = Question.objects.get()
    # when it is opened
    with django_assert_num_queries(OPEN):
        response = client.post(reverse("renewal_questions:open", args=[question.pk]))
    # then it runs
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.due_at is not None


def test_a_wrong_answer_costs_a_handful_of_queries_and_touches_no_fact(
    frozen: time_machine.Traveller,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
) -> None:
    # given an opened question and a technician whose derived state is current
    client, technician, question = _asked()
    assert _current(technician)
    # when it is answered wrongly
    with (
        django_assert_num_queries(WRONG),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        _answer(client, question, "A")
    # then the derived state stays current (no fact was recorded), nothing queued
    assert _current(technician)
    assert callbacks == []


def test_a_right_answer_costs_a_handful_of_queries_and_leaves_nothing_stale(
    frozen: time_machine.Traveller,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
) -> None:
    # given an opened question, two credits earned before
    client, technician, question = _asked(credits_before=2)
    assert _current(technician)
    before = expires_on(technician)
    # when it is answered rightly (a third credit: no extension yet)
    with (
        django_assert_num_queries(RIGHT),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        _answer(client, question, "C")
    # then the credit is recorded, the derived state is current without a recompute
    # queued for after the commit, and the expiry has not moved
    question.refresh_from_db()
    assert question.credit_id is not None
    assert _current(technician)
    assert callbacks == []
    assert expires_on(technician) == before


def test_the_answer_that_completes_an_extension_stores_it_at_once(
    frozen: time_machine.Traveller,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
) -> None:
    policy = current_program().renewal
    # given an opened question, one credit short of an extension
    client, technician, question = _asked(
        credits_before=policy.credits_for_extension - 1
    )
    assert _current(technician)
    before = expires_on(technician)
    assert before is not None
    # when it is answered rightly, and nothing queued for after the commit runs
    with (
        django_assert_num_queries(EXTENDING),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        _answer(client, question, "C")
    # then the extension is already stored, and no recompute was queued
    assert expires_on(technician) == add_months(before, policy.extension_months)
    assert _current(technician)
    assert not _recompute_queued(callbacks)
