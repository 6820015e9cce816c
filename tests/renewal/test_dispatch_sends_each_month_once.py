"""The monthly dispatch: each subscribed certification gets its question on the first
of the month in the technician's time zone (at once when the subscription starts
mid-month), one e-mail per technician links to the questions, and a second run
sends nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import CommandError, call_command

from certwright.audit.models import Event, EventKind
from certwright.renewal.models import Question, QuestionStatus
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc

pytestmark = pytest.mark.django_db

PASSED = dt.date(2024, 5, 6)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(utc(2027, 1, 10, 12), tick=False) as traveller:
        yield traveller


def test_one_question_per_certification_one_email_and_a_second_run_sends_nothing(
    frozen: time_machine.Traveller,
) -> None:
    """Two certifications of one technician: two questions, one e-mail with the link
    to the questions, one run event with the counts; run again, nothing more."""
    # given a technician subscribed with A1 and A2, and renewal items of both
    renewal_items("A1")
    renewal_items("A2", {"A": 2, "B": 2, "C": 2})
    technician, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), tests=("A1", "A2")
    )

    # when the dispatch runs on January 10th
    summary, sent = dispatch(utc(2027, 1, 10, 12))

    # then each certification has January's question, and one e-mail says so
    questions = list(Question.objects.order_by("test"))
    assert [(q.test, q.month, q.seq, q.status) for q in questions] == [
        ("A1", dt.date(2027, 1, 1), 1, QuestionStatus.WAITING),
        ("A2", dt.date(2027, 1, 1), 1, QuestionStatus.WAITING),
    ]
    assert (summary.sent, summary.technicians, summary.emails) == (2, 1, 1)
    assert len(sent) == 1
    assert sent[0].to == [technician.email]
    assert "2 renewal questions are waiting" in sent[0].subject
    assert "Hello Rosa Díaz," in sent[0].body  # each message has its own name
    assert "for A1, A2 are waiting" in sent[0].body
    assert "http://testserver/renewal/questions/" in sent[0].body or (
        "/renewal/questions/" in sent[0].body
    )
    assert {q.email_id for q in questions} == {questions[0].email_id}
    assert questions[0].email_id is not None
    run = Event.objects.get(kind=EventKind.RENEWAL_DISPATCH_RUN)
    assert run.data["sent"] == 2
    assert run.data["emails"] == 1

    # when it runs again the same month
    again, sent_again = dispatch(utc(2027, 1, 20, 12))

    # then nothing more is sent, and the run is still recorded
    assert (again.sent, again.emails, sent_again) == (0, 0, [])
    assert Question.objects.count() == 2
    assert Event.objects.filter(kind=EventKind.RENEWAL_DISPATCH_RUN).count() == 2


def test_the_first_of_the_month_is_met_in_the_technicians_time_zone(
    frozen: time_machine.Traveller,
) -> None:
    """At 16:00 UTC on February 28th it is already March 1st in Tokyo and still
    February in Chicago: only the Tokyo technician gets March's question."""
    # given two technicians subscribed since January, in Tokyo and in Chicago
    renewal_items("A1")
    tokyo, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="Asia/Tokyo"
    )
    chicago, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="America/Chicago"
    )
    dispatch(utc(2027, 2, 10))  # February's questions

    # when the dispatch runs at 14:59 UTC (23:59 in Tokyo) and at 15:00 UTC
    before, _ = dispatch(utc(2027, 2, 28, 14, 59))
    after, _ = dispatch(utc(2027, 2, 28, 15, 0))

    # then March went to Tokyo at its midnight, not a minute before, and not to Chicago
    assert before.sent == 0
    assert after.sent == 1
    march = Question.objects.get(month=dt.date(2027, 3, 1))
    assert march.technician_id == tokyo.pk
    assert not Question.objects.filter(
        technician=chicago, month=dt.date(2027, 3, 1)
    ).exists()


def test_mid_month_start_gets_its_question_at_once_answerable_until_the_month_ends(
    frozen: time_machine.Traveller,
) -> None:
    """Subscribed on January 20th: the question comes that day, and can be answered
    until midnight of February 1st in Chicago (not 30 days later), so its credit
    never lands in February."""
    # given a subscription starting on January 20th
    renewal_items("A1")
    subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 20), time_zone="America/Chicago"
    )

    # when the dispatch runs on the 19th and on the 20th (in Chicago)
    early, _ = dispatch(utc(2027, 1, 19, 12))
    on_time, _ = dispatch(utc(2027, 1, 20, 12))

    # then nothing before the start; on the start day January's question
    assert early.sent == 0
    assert on_time.sent == 1
    question = Question.objects.get()
    assert question.month == dt.date(2027, 1, 1)
    # midnight of February 1st in Chicago (UTC-6)
    assert question.answer_by == utc(2027, 2, 1, 6)
    assert question.dispatched_at == utc(2027, 1, 20, 12)


def test_answer_window_is_thirty_days_when_the_month_has_room(
    frozen: time_machine.Traveller,
) -> None:
    """A question sent on the 1st of a 31-day month: answer_by is 30 days later."""
    renewal_items("A1")
    subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
    )
    dispatch(utc(2027, 3, 1, 0, 30))
    question = Question.objects.get(month=dt.date(2027, 3, 1))
    assert question.answer_by == utc(2027, 3, 31, 0, 30)


def test_a_missed_month_is_not_sent_late_and_the_year_ends_after_twelve(
    frozen: time_machine.Traveller,
) -> None:
    """No run in February: February is never sent. Runs every month after: twelve
    months at most, none from the month holding ends_on."""
    # given a subscription from January 1st 2027 to January 1st 2028
    renewal_items("A1", dict.fromkeys("ABCDE", 3))
    subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
    )

    # when the dispatch runs in January, skips February, then runs each month to 2028
    for year, month in [(2027, m) for m in (1, *range(3, 13))] + [(2028, 1), (2028, 2)]:
        dispatch(utc(year, month, 2))

    # then February is missing, and no question after December
    months = list(Question.objects.order_by("month").values_list("month", flat=True))
    assert dt.date(2027, 2, 1) not in months
    assert months == [dt.date(2027, m, 1) for m in (1, *range(3, 13))]


def test_sweep_expires_waiting_and_times_out_opened_questions(
    frozen: time_machine.Traveller,
) -> None:
    """Past answer_by a waiting question expires; past due_at an opened one times
    out; the run counts both."""
    from certwright.renewal.answers import question_open

    # given January's questions of two technicians, one opened
    renewal_items("A1")
    first, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
    )
    subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
    )
    dispatch(utc(2027, 1, 2))
    opened = Question.objects.get(technician=first)
    question_open(technician_id=first.pk, question_id=opened.pk, at=utc(2027, 1, 3, 9))

    # when the dispatch runs on February 1st
    summary, _ = dispatch(utc(2027, 2, 1, 1))

    # then the opened one timed out and the waiting one expired
    assert (summary.expired, summary.timed_out) == (1, 1)
    statuses = dict(
        Question.objects.filter(month=dt.date(2027, 1, 1)).values_list(
            "technician_id", "status"
        )
    )
    assert statuses[first.pk] == QuestionStatus.TIMED_OUT
    assert sorted(statuses.values()) == [
        QuestionStatus.EXPIRED,
        QuestionStatus.TIMED_OUT,
    ]


def test_command_dispatches_and_refuses_a_moment_without_offset(
    frozen: time_machine.Traveller, capsys: pytest.CaptureFixture[str]
) -> None:
    """``certwright renewal_dispatch --at`` sends for that moment; a bad one is
    refused with what to write."""
    renewal_items("A1")
    subscribed_technician(passed_on=PASSED, starts_on=dt.date(2027, 1, 1))
    call_command("renewal_dispatch", "--at", "2027-01-05T12:00:00Z")
    assert "1 renewal question(s) sent to 1 technician(s), 1 e-mail(s)" in (
        capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="no UTC offset"):
        call_command("renewal_dispatch", "--at", "2027-01-05T12:00")
    with pytest.raises(CommandError, match="is not a moment"):
        call_command("renewal_dispatch", "--at", "first of March")
    for bad in ("0", "two", "65"):
        with pytest.raises(CommandError, match="is not a number from 1 to 64"):
            call_command("renewal_dispatch", "--workers", bad)
    # 'auto' (as deploy/ runs it) is accepted; the month is already sent
    call_command(
        "renewal_dispatch", "--at", "2027-01-05T12:00:00Z", "--workers", "auto"
    )
    assert "0 renewal question(s) sent" in capsys.readouterr().out
    assert Question.objects.count() == 1
