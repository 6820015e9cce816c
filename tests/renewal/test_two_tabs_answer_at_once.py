"""Two tabs (or a double tap) answering the same question at the same moment: the
row lock lets one answer in; the other sees it. One answer, one credit, one event."""

from __future__ import annotations

import datetime as dt

import time_machine

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import RenewalCredit
from certwright.renewal.answers import AnswerResult, question_answer, question_open
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import Question
from tests.support.racing import at_once
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc

SENT = utc(2027, 3, 1, 12)


def _opened() -> Question:
    renewal_items("A1")
    technician, _ = subscribed_technician(
        passed_on=dt.date(2024, 5, 6), starts_on=dt.date(2027, 3, 1), time_zone="UTC"
    )
    dispatch(SENT)
    question = Question.objects.get()
    question_open(technician_id=technician.pk, question_id=question.pk, at=SENT)
    return question


def test_the_same_answer_from_two_tabs_records_one_answer_and_one_credit(
    racing_database: None,
) -> None:
    with time_machine.travel(SENT, tick=False):
        # given an opened question
        question = _opened()

        # when two tabs send the key at the same moment
        got = at_once(
            lambda: question_answer(
                technician_id=question.technician_id,
                question_id=question.pk,
                choice=2,
                at=SENT + dt.timedelta(minutes=1),
            )
        )

    # then both show the result; one recorded it
    assert all(isinstance(g, AnswerResult) for g in got), got
    assert sorted(g.recorded for g in got if isinstance(g, AnswerResult)) == [
        False,
        True,
    ]
    assert RenewalCredit.objects.count() == 1
    assert Event.objects.filter(kind=EventKind.RENEWAL_QUESTION_ANSWERED).count() == 1


def test_two_different_answers_at_once_keep_the_first_and_refuse_the_second(
    racing_database: None,
) -> None:
    with time_machine.travel(SENT, tick=False):
        question = _opened()
        choices = iter([0, 2])
        got = at_once(
            lambda: question_answer(
                technician_id=question.technician_id,
                question_id=question.pk,
                choice=next(choices),
                at=SENT + dt.timedelta(minutes=1),
            )
        )
    recorded = [g for g in got if isinstance(g, AnswerResult)]
    refused = [g for g in got if isinstance(g, RenewalError)]
    assert len(recorded) == 1, got
    assert len(refused) == 1, got
    assert refused[0].code == "already_answered"
    question.refresh_from_db()
    assert question.choice == recorded[0].question.choice
    assert Event.objects.filter(kind=EventKind.RENEWAL_QUESTION_ANSWERED).count() == 1
    assert RenewalCredit.objects.count() == (1 if question.choice == 2 else 0)
