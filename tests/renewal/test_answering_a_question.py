"""Answering a renewal question: opened once, the time limit kept by the server,
one final answer, the key and rationale only after it, a credit for a correct
answer in time; every bad request refused with a clear message and nothing
recorded twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import RenewalCredit
from certwright.renewal.models import Question, QuestionStatus
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc

pytestmark = pytest.mark.django_db

PASSED = dt.date(2024, 5, 6)
SENT = utc(2027, 3, 1, 12)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(SENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def asked(frozen: time_machine.Traveller) -> tuple[Client, Question]:
    """A technician signed in, with March's A1 question waiting (key C)."""
    renewal_items("A1")
    technician, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 3, 1), time_zone="UTC"
    )
    dispatch(SENT)
    client = Client()
    assert technician.user is not None
    client.force_login(technician.user)
    return client, Question.objects.get()


def _user(question: Question) -> Any:
    user = question.technician.user
    assert user is not None
    return user


def _url(name: str, question: Question) -> str:
    return reverse(f"renewal_questions:{name}", args=[question.pk])


def _secret_free(html: str, question: Question) -> None:
    version = question.item_version
    assert version.rationale not in html
    assert "correct answer" not in html.lower()
    assert "Rationale of" not in html
    # No option is marked: each radio is the same but for its letter.
    for letter in "ABCD":
        assert (
            f'<input type="radio" id="choice-{letter}" name="choice"'
            f' value="{letter}" required>'
            in html
            or "Open the question" in html
        )


def test_open_shows_the_question_once_and_the_key_only_after_the_answer(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked

    # when the technician looks at the waiting question
    before = client.get(_url("detail", question)).content.decode()

    # then it says how long they will have, and shows neither stem nor key
    assert "You will have 10 minutes once you open it." in before
    assert question.item_version.stem not in before
    _secret_free(before, question)

    # when they open it, and open it again five minutes later
    client.post(_url("open", question))
    question.refresh_from_db()
    opened_at, due_at = question.opened_at, question.due_at
    frozen.shift(dt.timedelta(minutes=5))
    client.post(_url("open", question))
    question.refresh_from_db()

    # then the time limit started once: ten minutes from the first opening
    assert opened_at == SENT
    assert due_at == SENT + dt.timedelta(minutes=10)
    assert (question.opened_at, question.due_at) == (opened_at, due_at)
    page = client.get(_url("detail", question)).content.decode()
    assert question.item_version.stem in page
    assert 'data-seconds="300"' in page  # the server's clock: five minutes left
    assert 'aria-live="polite"' in page
    _secret_free(page, question)

    # when they answer C (the key)
    response = client.post(_url("answer", question), {"choice": "C"})

    # then the page shows right, the key, the rationale and the credits so far
    assert response.status_code == 302
    after = client.get(_url("detail", question)).content.decode()
    assert "Correct" in after
    assert "The correct answer is C" in after
    assert question.item_version.rationale in after
    assert "Credits so far for A1 in this subscription: 1." in after
    question.refresh_from_db()
    credit = RenewalCredit.objects.get()
    assert question.credit_id == credit.pk
    assert (credit.test, credit.date, credit.source) == (
        "A1",
        dt.date(2027, 3, 1),
        f"renewal_question:{question.pk}",
    )
    event = Event.objects.get(kind=EventKind.RENEWAL_QUESTION_ANSWERED)
    assert event.data["correct"] is True
    assert event.data["credit"] == credit.pk


def test_replay_same_choice_gives_the_same_result_and_a_different_one_is_refused(
    asked: tuple[Client, Question],
) -> None:
    client, question = asked
    client.post(_url("open", question))
    client.post(_url("answer", question), {"choice": "C"})

    # when the same request comes again, and then another choice
    replay = client.post(_url("answer", question), {"choice": "C"})
    other = client.post(_url("answer", question), {"choice": "A"})

    # then the replay shows the result; the other is refused; one answer, one credit
    assert replay.status_code == 302
    assert other.status_code == 400
    assert "You already answered C" in other.content.decode()
    question.refresh_from_db()
    assert (question.choice, question.status) == (2, QuestionStatus.ANSWERED)
    assert RenewalCredit.objects.count() == 1
    assert Event.objects.filter(kind=EventKind.RENEWAL_QUESTION_ANSWERED).count() == 1


def test_wrong_answer_shows_the_key_and_earns_nothing(
    asked: tuple[Client, Question],
) -> None:
    client, question = asked
    client.post(_url("open", question))
    client.post(_url("answer", question), {"choice": "B"})
    page = client.get(_url("detail", question)).content.decode()
    assert "Not correct" in page
    assert "The correct answer is C" in page
    assert "Credits so far for A1 in this subscription: 0." in page
    assert not RenewalCredit.objects.exists()


def test_answer_after_the_time_limit_is_recorded_as_timed_out_without_credit(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    client.post(_url("open", question))

    # when the right answer comes eleven minutes after opening
    frozen.shift(dt.timedelta(minutes=11))
    response = client.post(_url("answer", question), {"choice": "C"}, follow=True)

    # then it is recorded as timed out, with no credit, and the page says so
    page = response.content.decode()
    assert "Time ran out" in page
    assert "The answer came too late, so it earns no credit." in page
    question.refresh_from_db()
    assert question.status == QuestionStatus.TIMED_OUT
    assert question.credit_id is None
    assert not RenewalCredit.objects.exists()


def test_answer_after_the_window_is_recorded_as_expired_without_credit(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    # opened with one minute of the window left: the window cuts the time limit
    frozen.move_to(question.answer_by - dt.timedelta(minutes=1))
    client.force_login(_user(question))  # a month on: signed in again
    client.post(_url("open", question))
    question.refresh_from_db()
    assert question.due_at == question.answer_by
    frozen.move_to(question.answer_by + dt.timedelta(seconds=1))
    client.post(_url("answer", question), {"choice": "C"})
    question.refresh_from_db()
    assert question.status == QuestionStatus.EXPIRED
    assert not RenewalCredit.objects.exists()


def test_a_waiting_question_past_its_window_cannot_be_opened(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    frozen.move_to(question.answer_by)
    client.force_login(_user(question))
    page = client.post(_url("open", question), follow=True).content.decode()
    assert "was not answered in time" in page
    question.refresh_from_db()
    assert (question.status, question.opened_at) == (QuestionStatus.EXPIRED, None)


def test_bad_requests_are_refused_and_record_nothing(
    asked: tuple[Client, Question],
) -> None:
    client, question = asked

    # an answer before opening
    response = client.post(_url("answer", question), {"choice": "C"})
    assert response.status_code == 400
    assert "Open the question first" in response.content.decode()

    # a malformed choice once open
    client.post(_url("open", question))
    for bad in ("E", "", "CC", "-1"):
        response = client.post(_url("answer", question), {"choice": bad})
        assert response.status_code == 400
        assert "Choose one of the four answers" in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None
    assert question.status == QuestionStatus.OPEN

    # a GET on the answer URL
    assert client.get(_url("answer", question)).status_code == 405
    assert not Event.objects.filter(kind=EventKind.RENEWAL_QUESTION_ANSWERED).exists()


def test_another_technicians_question_is_not_found(
    asked: tuple[Client, Question],
) -> None:
    _client, question = asked
    stranger, _ = subscribed_technician(
        passed_on=PASSED, starts_on=dt.date(2027, 3, 1), time_zone="UTC"
    )
    client = Client()
    assert stranger.user is not None
    client.force_login(stranger.user)
    assert client.get(_url("detail", question)).status_code == 404
    assert client.post(_url("open", question)).status_code == 404
    assert client.post(_url("answer", question), {"choice": "C"}).status_code == 404
    question.refresh_from_db()
    assert question.opened_at is None


def test_list_shows_waiting_and_answered_and_links_the_manifest(
    asked: tuple[Client, Question],
) -> None:
    client, question = asked
    page = client.get(reverse("renewal_questions:list")).content.decode()
    assert "Waiting for you" in page
    assert _url("detail", question) in page
    assert 'rel="manifest"' in page
    manifest = client.get(reverse("renewal_questions:manifest")).json()
    assert manifest["start_url"] == "/renewal/questions/"
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def test_a_cancelled_subscriptions_question_cannot_be_opened_nor_gets_more(
    asked: tuple[Client, Question],
) -> None:
    """After a refund the waiting question is refused with a reason, and the next
    month's dispatch sends nothing."""
    from certwright.renewal.services import subscription_cancel

    client, question = asked
    subscription_cancel(
        subscription_id=question.subscribed.subscription_id, reason="refund"
    )
    page = client.post(_url("open", question), follow=True).content.decode()
    assert "This subscription was cancelled" in page
    question.refresh_from_db()
    assert question.opened_at is None
    summary, _ = dispatch(utc(2027, 4, 1, 12))
    assert summary.sent == 0


def test_an_opened_question_of_a_cancelled_subscription_cannot_be_answered(
    asked: tuple[Client, Question],
) -> None:
    """Opened before a refund, answered after it: refused with the reason, and
    nothing recorded."""
    from certwright.renewal.services import subscription_cancel

    # given an opened question whose subscription is then cancelled
    client, question = asked
    client.post(_url("open", question))
    subscription_cancel(
        subscription_id=question.subscribed.subscription_id, reason="refund"
    )
    # when the key is sent
    response = client.post(_url("answer", question), {"choice": "C"})
    # then it is refused and nothing is recorded
    assert response.status_code == 400
    assert "This subscription was cancelled" in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None
    assert not RenewalCredit.objects.exists()
