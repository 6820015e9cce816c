"""A year of renewal questions, answered on the phone pages: the dispatch runs on
the 1st of each month in the technician's time zone; some answers are wrong, one
comes after the time limit, one after the answer window; when the 8th correct
answer in time lands, the certification's expiry moves by exactly
``extension_months``, from the day of that answer and not a day before, as the rules
core says for the same facts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import Client, TestCase
from django.urls import reverse

from certwright import rules
from certwright.core.program import current_program
from certwright.credentials.models import RenewalCredit
from certwright.credentials.selectors import technician_facts
from certwright.renewal.models import Question, QuestionStatus
from certwright.rules.dates import add_months
from tests.support.reminders import expires_on
from tests.support.renewal import dispatch, renewal_items, subscribed_technician

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
PASSED = dt.date(2022, 12, 15)  # A1, five years: certified until 2027-12-15
STARTS = dt.date(2026, 9, 1)


def _user(question: Question) -> Any:
    user = question.technician.user
    assert user is not None
    return user


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DENVER)


# What the technician does with each month's question: (answer, how).
PLAN: dict[tuple[int, int], tuple[str, str]] = {
    (2026, 9): ("C", "in time"),
    (2026, 10): ("A", "in time"),  # wrong
    (2026, 11): ("C", "in time"),
    (2026, 12): ("C", "after the time limit"),
    (2027, 1): ("C", "in time"),
    (2027, 2): ("C", "after the window"),
    (2027, 3): ("C", "in time"),
    (2027, 4): ("B", "in time"),  # wrong
    (2027, 5): ("C", "in time"),
    (2027, 6): ("C", "in time"),
    (2027, 7): ("C", "in time"),  # the 7th credit
    (2027, 8): ("C", "late in the evening"),  # the 8th: 23:30 in Denver
}


def _answer(
    client: Client,
    traveller: time_machine.Traveller,
    question: Question,
    at: dt.datetime,
    choice: str,
    answer_at: dt.datetime,
) -> None:
    """Open ``question`` at ``at`` and answer ``choice`` at ``answer_at``."""
    traveller.move_to(at)
    client.force_login(_user(question))
    client.post(reverse("renewal_questions:open", args=[question.pk]))
    traveller.move_to(answer_at)
    client.force_login(_user(question))
    with TestCase.captureOnCommitCallbacks(execute=True):  # the recompute follows
        client.post(
            reverse("renewal_questions:answer", args=[question.pk]), {"choice": choice}
        )


def test_the_eighth_credit_extends_a1_by_twelve_months_on_its_day() -> None:
    program = current_program()
    policy = program.renewal
    with time_machine.travel(local(dt.date(2026, 8, 20), 9), tick=False) as traveller:
        # given a technician certified in A1 long ago, subscribed from September
        renewal_items("A1", dict.fromkeys("ABCDE", 3))
        technician, _ = subscribed_technician(
            passed_on=PASSED, starts_on=STARTS, time_zone="America/Denver"
        )
        first = expires_on(technician)
        assert first == dt.date(2027, 12, 15)
        client = Client()
        seen: list[tuple[dt.date, dt.date]] = []  # (moment's local day, expiry)

        # when each month the dispatch runs on the 1st and the technician answers
        for (year, month), (choice, how) in PLAN.items():
            first_day = dt.date(year, month, 1)
            dispatch(local(first_day, 0, 30))
            question = Question.objects.get(technician=technician, month=first_day)
            if how == "in time":
                opened, answered = local(first_day + dt.timedelta(days=2), 10), None
                answered = opened + dt.timedelta(minutes=4)
            elif how == "after the time limit":
                opened = local(first_day + dt.timedelta(days=2), 10)
                answered = opened + dt.timedelta(
                    minutes=policy.time_limit_minutes, seconds=1
                )
            elif how == "after the window":
                # opened five minutes before the month ends, answered two after
                end = local(add_months(first_day, 1), 0)
                opened, answered = (
                    end - dt.timedelta(minutes=5),
                    end + dt.timedelta(minutes=2),
                )
            else:
                opened = local(first_day + dt.timedelta(days=14), 23, 30)
                answered = opened + dt.timedelta(minutes=3)
            # the day before the answer: what the certification says then
            if how == "late in the evening":
                traveller.move_to(opened - dt.timedelta(days=1))
                seen.append(
                    (opened.date() - dt.timedelta(days=1), expires_on(technician))
                )
            _answer(client, traveller, question, opened, choice, answered)
            seen.append((answered.date(), expires_on(technician)))

    # then the answers were recorded as planned
    statuses = dict(
        Question.objects.filter(technician=technician).values_list("month", "status")
    )
    assert statuses[dt.date(2026, 12, 1)] == QuestionStatus.TIMED_OUT
    assert statuses[dt.date(2027, 2, 1)] == QuestionStatus.EXPIRED
    assert list(statuses.values()).count(QuestionStatus.ANSWERED) == 10
    credits = list(RenewalCredit.objects.filter(technician=technician).order_by("date"))
    assert len(credits) == policy.credits_for_extension
    eighth = credits[-1]
    # the 8th credit is dated the answer's day in Denver (05:33 UTC the next day)
    assert eighth.date == dt.date(2027, 8, 15)

    # and the expiry stayed put until the 8th credit, then moved by exactly 12 months
    extended = add_months(first, policy.extension_months)
    assert extended == dt.date(2028, 12, 15)
    assert [e for day, e in seen if day < eighth.date] == [first] * (len(seen) - 1)
    assert seen[-1] == (eighth.date, extended)
    assert expires_on(technician) == extended

    # and the rules core says the same for the same facts: not a day before
    facts = technician_facts(technician.pk)

    def core(day: dt.date) -> dt.date | None:
        return (
            rules.evaluate(program, facts, day, explain=False)
            .certifications["A1"]
            .expires_on
        )

    assert core(eighth.date - dt.timedelta(days=1)) == first
    assert core(eighth.date) == extended
    assert core(dt.date(2027, 9, 30)) == expires_on(technician)
