"""The WSGI layer that takes renewal answers before Django's middleware
(certwright/renewal/wsgi.py): an answer with its page's valid answer pass is taken
by the answer's own service and answered with the view's redirect and headers;
every answer the layer is not sure of, or that the service refuses, reaches Django,
whose answer stands. The real Django application runs inside the layer; a counter
tells which of the two answered."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import RenewalCredit
from certwright.itembank.models import Item
from certwright.renewal.answer_pass import FIELD, MAX_AGE, answer_pass_issue
from certwright.renewal.models import Question, QuestionStatus
from certwright.renewal.wsgi import RenewalAnswerLayer
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc
from tests.support.wsgi import Counting, database_session_dropped

pytestmark = pytest.mark.django_db(transaction=True)

SENT = utc(2027, 3, 1, 12)
PASS = re.compile(rf'name="{FIELD}" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _hosts(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(SENT, tick=False) as traveller:
        yield traveller


def _asked() -> tuple[Client, Question]:
    """A technician signed in, with March's A1 question (key C) opened (the
    renewal items are made once per test)."""
    if not Item.objects.filter(test="A1").exists():
        renewal_items("A1")
    technician, _ = subscribed_technician(
        passed_on=dt.date(2024, 5, 6), starts_on=dt.date(2027, 3, 1), time_zone="UTC"
    )
    dispatch(SENT)
    client = Client()
    assert technician.user is not None
    client.force_login(technician.user)
    question = Question.objects.get(technician=technician)
    client.post(reverse("renewal_questions:open", args=[question.pk]))
    # The page (with its form, which sets the CSRF cookie) the technician sees.
    client.get(reverse("renewal_questions:detail", args=[question.pk]))
    return client, question


@pytest.fixture
def asked(frozen: time_machine.Traveller) -> tuple[Client, Question]:
    return _asked()


def page_pass(client: Client, question: Question) -> str:
    """The answer pass in the question's form, as the page gives it."""
    page = client.get(reverse("renewal_questions:detail", args=[question.pk]))
    found = PASS.search(page.content.decode())
    assert found is not None
    return found.group(1)


def answer(
    app: Any, client: Client, question: Question, fields: dict[str, str] | bytes
) -> tuple[int, dict[str, str], bytes]:
    """POST the answer form through ``app`` from ``client``'s browser (its cookies,
    and the CSRF cookie's secret as the form's token)."""
    csrf = client.cookies["csrftoken"].value
    if isinstance(fields, bytes):
        body = fields
    else:
        body = urlencode({"csrfmiddlewaretoken": csrf, **fields}).encode()
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("renewal_questions:answer", args=[question.pk]),
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookies,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(env)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    out = b"".join(app(env, start_response))
    return int(seen["status"][:3]), seen["headers"], out


def warmed(frozen: time_machine.Traveller) -> tuple[RenewalAnswerLayer, Counting]:
    """A layer that has seen the view answer once (the headers it replays): another
    technician's answer, through Django."""
    client, question = _asked()
    inner = Counting()
    app = RenewalAnswerLayer(inner)
    status, headers, _body = answer(app, client, question, {"choice": "A"})
    assert status == 302
    assert headers["Location"].startswith("/renewal/questions/")
    assert inner.calls == 1
    return app, inner


def test_an_answer_with_its_pass_is_taken_with_the_views_redirect_and_headers(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    app, inner = warmed(frozen)
    reference = answer(Counting(), *_asked(), {"choice": "C"})
    status, headers, body = answer(
        app, client, question, {"choice": "C", FIELD: page_pass(client, question)}
    )
    assert inner.calls == 1, "the layer answered"
    assert status == reference[0] == 302
    assert headers["Location"] == reverse(
        "renewal_questions:detail", args=[question.pk]
    )
    for seen in (headers, reference[1]):
        for own in ("Content-Length", "X-Request-ID", "Location", "Set-Cookie"):
            seen.pop(own, None)
        seen.pop("Content-Security-Policy", None)
    assert headers.keys() == reference[1].keys()
    assert body == reference[2] == b""
    # recorded as through Django: the answer, its credit and its event, once
    question.refresh_from_db()
    assert (question.status, question.choice, question.correct) == (
        QuestionStatus.ANSWERED,
        2,
        True,
    )
    credit = RenewalCredit.objects.get(source=f"renewal_question:{question.pk}")
    assert question.credit_id == credit.pk
    event = Event.objects.get(
        kind=EventKind.RENEWAL_QUESTION_ANSWERED,
        subject=f"renewal_question:{question.pk}",
    )
    user = question.technician.user
    assert user is not None
    assert (event.actor_id, event.actor_label) == (user.pk, user.get_username())
    # and the question's page says so
    page = client.get(reverse("renewal_questions:detail", args=[question.pk]))
    assert "Correct" in page.content.decode()


def test_a_repeat_is_the_recorded_answer_and_another_choice_djangos_refusal(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    app, inner = warmed(frozen)
    granted = page_pass(client, question)
    assert answer(app, client, question, {"choice": "B", FIELD: granted})[0] == 302
    assert answer(app, client, question, {"choice": "B", FIELD: granted})[0] == 302
    assert inner.calls == 1
    status, _h, body = answer(app, client, question, {"choice": "C", FIELD: granted})
    assert inner.calls == 2
    assert status == 400
    assert "You already answered B" in body.decode()
    assert (
        Event.objects.filter(
            kind=EventKind.RENEWAL_QUESTION_ANSWERED,
            subject=f"renewal_question:{question.pk}",
        ).count()
        == 1
    )
    assert not RenewalCredit.objects.filter(
        source=f"renewal_question:{question.pk}"
    ).exists()


def test_a_late_answer_is_taken_as_django_takes_it(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    app, inner = warmed(frozen)
    granted = page_pass(client, question)
    frozen.shift(dt.timedelta(minutes=11))
    status, _h, _b = answer(app, client, question, {"choice": "C", FIELD: granted})
    assert (status, inner.calls) == (302, 1)
    question.refresh_from_db()
    assert question.status == QuestionStatus.TIMED_OUT
    assert question.credit_id is None


@pytest.mark.parametrize(
    "case",
    [
        "no pass",
        "forged pass",
        "pass of another session",
        "pass of another question",
        "expired pass",
        "no choice",
        "choice E",
        "an unknown field",
        "a field twice",
        "not a form",
    ],
)
def test_what_the_layer_is_not_sure_of_is_djangos(
    asked: tuple[Client, Question], frozen: time_machine.Traveller, case: str
) -> None:
    client, question = asked
    app, inner = warmed(frozen)
    granted = page_pass(client, question)
    csrf = client.cookies["csrftoken"].value
    fields: dict[str, str] | bytes = {"choice": "C", FIELD: granted}
    assert isinstance(fields, dict)
    if case == "no pass":
        del fields[FIELD]
    elif case == "forged pass":
        fields[FIELD] = granted[:-2] + ("AA" if not granted.endswith("AA") else "BB")
    elif case == "pass of another session":
        fields[FIELD] = answer_pass_issue(
            question_id=question.pk,
            technician_id=question.technician_id,
            user_id=int(question.technician.user_id or 0),
            username="someone",
            session_key="y" * 32,
        )
    elif case == "pass of another question":
        fields[FIELD] = answer_pass_issue(
            question_id=question.pk + 1000,
            technician_id=question.technician_id,
            user_id=int(question.technician.user_id or 0),
            username="someone",
            session_key=str(client.session.session_key),
        )
    elif case == "expired pass":
        frozen.shift(dt.timedelta(seconds=MAX_AGE + 1))
    elif case == "no choice":
        del fields["choice"]
    elif case == "choice E":
        fields["choice"] = "E"
    elif case == "an unknown field":
        fields["extra"] = "1"
    elif case == "a field twice":
        fields = (
            urlencode({"csrfmiddlewaretoken": csrf, FIELD: granted})
            + "&choice=C&choice=D"
        ).encode()
    elif case == "not a form":
        fields = b"\xff\xfe"
    status, _h, _b = answer(app, client, question, fields)
    assert inner.calls == 2, "Django answered"
    question.refresh_from_db()
    if case in ("no choice", "choice E", "not a form"):
        assert status in (400, 403)
        assert question.answered_at is None
    else:
        # Django takes a sound answer without the pass (the pass is a shortcut):
        # recorded once (late after the expired pass's hour; with a field twice,
        # Django's last value).
        assert status == 302
        assert question.answered_at is not None
        assert (
            Event.objects.filter(
                kind=EventKind.RENEWAL_QUESTION_ANSWERED,
                subject=f"renewal_question:{question.pk}",
            ).count()
            == 1
        )


def test_a_signed_out_session_answers_nothing_through_its_pass(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    client, question = asked
    app, inner = warmed(frozen)
    granted = page_pass(client, question)
    cookies = {k: v.value for k, v in client.cookies.items()}
    client.logout()
    for name, value in cookies.items():
        client.cookies[name] = value
    status, headers, _b = answer(app, client, question, {"choice": "C", FIELD: granted})
    assert inner.calls == 2
    assert status == 302
    assert "/accounts/login/" in headers["Location"] or "login" in headers["Location"]
    question.refresh_from_db()
    assert question.answered_at is None


def test_another_technicians_pass_answers_nothing_of_theirs(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    """A pass names the question and the technician: another technician's pass,
    even with the question's id written in, finds no question of theirs."""
    _client, question = asked
    app, inner = warmed(frozen)
    other_client, other_question = _asked()
    forged = answer_pass_issue(
        question_id=question.pk,
        technician_id=other_question.technician_id,
        user_id=int(other_question.technician.user_id or 0),
        username="intruder",
        session_key=str(other_client.session.session_key),
    )
    status, _h, _b = answer(app, other_client, question, {"choice": "C", FIELD: forged})
    assert inner.calls == 2
    assert status == 404
    question.refresh_from_db()
    assert question.answered_at is None


def test_a_dropped_database_session_is_replaced_and_the_answer_taken_once(
    asked: tuple[Client, Question], frozen: time_machine.Traveller
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a server that drops a session is PostgreSQL's case")
    client, question = asked
    app, inner = warmed(frozen)
    granted = page_pass(client, question)
    database_session_dropped()
    status, _h, _b = answer(app, client, question, {"choice": "C", FIELD: granted})
    assert (status, inner.calls) == (302, 1)
    assert (
        RenewalCredit.objects.filter(source=f"renewal_question:{question.pk}").count()
        == 1
    )
